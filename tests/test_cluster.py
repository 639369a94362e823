"""Black-box cluster tests: 3 real starling-server processes on loopback (issue 6).

Writes on any node become visible on every node; concurrent writes on different nodes
converge to DESIGN.md's semantics table; a node killed with -9 or paused with SIGSTOP catches
up; with RF=2 a key is reachable from the node that does not store it; membership changes
move keys; a bad config or garbage on the gossip port does not hurt.
"""
import os
import random
import signal
import socket
import subprocess
import threading
import time

import pytest

from cluster_harness import LocalCluster, wait_until
from conftest import SERVER


@pytest.fixture
def cluster():
    c = LocalCluster(3, rf=3).start()
    yield c
    c.stop()


def everywhere(c, read, expected, timeout=10.0, what=None):
    """Waits until read(client) == expected on every live node; returns the time taken."""
    live = [i for i, s in enumerate(c.servers) if s.proc and s.proc.poll() is None]
    return wait_until(lambda: all(read(c.client(i)) == expected for i in live), timeout=timeout,
                      what=what or "convergence to %r" % (expected,))


def test_a_write_on_any_node_is_readable_on_every_node_within_a_second(cluster):
    writes = [
        (lambda r: r.set("s", "v"), lambda r: r.get("s"), "v"),
        (lambda r: r.incrby("n", 41), lambda r: r.get("n"), "41"),
        (lambda r: r.sadd("set", "a", "b"), lambda r: sorted(r.smembers("set")), ["a", "b"]),
        (lambda r: r.hset("h", mapping={"f": "1", "g": "2"}), lambda r: r.hgetall("h"),
         {"f": "1", "g": "2"}),
        (lambda r: r.zadd("z", {"m": 2.5}), lambda r: r.zrange("z", 0, -1, withscores=True),
         [("m", 2.5)]),
        (lambda r: r.rpush("l", "x", "y"), lambda r: r.lrange("l", 0, -1), ["x", "y"]),
        (lambda r: r.expire("s", 1000), lambda r: r.ttl("s") > 900, True),
        (lambda r: r.delete("n"), lambda r: r.exists("n"), 0),
    ]
    for k, (write, read, expected) in enumerate(writes):
        origin = k % 3
        write(cluster.client(origin))
        took = everywhere(cluster, read, expected)
        assert took < 1.0, "write %d from node %d took %.2fs to reach every node" % (k, origin, took)


def partition(c, groups):
    """Holds the delta streams between nodes of different groups (lists of node indexes)."""
    for a in range(len(c.servers)):
        for b in range(len(c.servers)):
            if a != b and not any(a in g and b in g for g in groups):
                assert c.client(a).execute_command("STARLING", "HOLD", c.ids[b]) == "OK"


def heal(c):
    for a in range(len(c.servers)):
        for b in range(len(c.servers)):
            if a != b:
                c.client(a).execute_command("STARLING", "HEAL", c.ids[b])


def test_concurrent_writes_on_different_nodes_converge_to_the_semantics_table(cluster):
    c = cluster
    r0, r1 = c.client(0), c.client(1)
    r0.sadd("s", "x", "y")
    r0.set("cnt", 10)
    r0.hset("h", "same", "0")
    r0.zadd("z", {"m": 1})
    r0.rpush("l", "base")
    r0.sadd("gone", "old")
    everywhere(c, lambda r: (r.scard("s"), r.get("cnt"), r.zscore("z", "m"), r.llen("l"),
                             r.exists("gone")), (2, "10", 1.0, 1, 1))

    partition(c, [[0], [1], [2]])
    # Node 0 and node 1 write concurrently: neither sees the other's writes.
    r0.sadd("s", "x")          # a re-add of x ...
    r1.srem("s", "x", "y")     # ... concurrent with its removal: add wins; y is removed
    r0.incrby("cnt", 5)
    r1.incrby("cnt", 7)
    r1.decr("cnt")
    r0.hset("h", "f0", "a")
    r1.hset("h", "f1", "b")
    r0.hset("h", "same", "from0")
    r1.hset("h", "same", "from1")
    r0.zincrby("z", 2, "m")
    r1.zincrby("z", 3.5, "m")
    r0.lpush("l", "a0")
    r1.lpush("l", "a1")
    r0.set("reg", "from0")
    r1.set("reg", "from1")
    r0.delete("gone")          # observed-remove: drops "old" ...
    r1.sadd("gone", "new")     # ... but not a concurrent add
    assert r0.get("cnt") == "15" and r1.get("cnt") == "16"  # really concurrent
    heal(c)

    everywhere(c, lambda r: sorted(r.smembers("s")), ["x"], what="add-wins set")
    everywhere(c, lambda r: r.get("cnt"), "21", what="counter sums")
    everywhere(c, lambda r: (r.hget("h", "f0"), r.hget("h", "f1")), ("a", "b"))
    same = c.client(2).hget("h", "same")
    assert same in ("from0", "from1")
    everywhere(c, lambda r: r.hget("h", "same"), same, what="one winner per field")
    everywhere(c, lambda r: r.zscore("z", "m"), 6.5, what="ZINCRBY sums")
    order = c.client(2).lrange("l", 0, -1)
    assert sorted(order) == ["a0", "a1", "base"] and order[-1] == "base", order
    everywhere(c, lambda r: r.lrange("l", 0, -1), order, what="one list order everywhere")
    reg = c.client(2).get("reg")
    assert reg in ("from0", "from1")
    everywhere(c, lambda r: r.get("reg"), reg, what="one register winner")
    everywhere(c, lambda r: sorted(r.smembers("gone")), ["new"], what="observed-remove DEL")


def writer(c, nodes, prefix, stop, acked, errors):
    """Writes strings, counters and set members to the given nodes until stop is set;
    records what was acknowledged."""
    clients = {i: c.client(i, socket_timeout=5) for i in nodes}
    rnd = random.Random(prefix)
    n = 0
    while not stop.is_set():
        i = rnd.choice(nodes)
        r = clients[i]
        try:
            r.set("%s:str:%d" % (prefix, n), "v%d" % n)
            acked["str"].append(("%s:str:%d" % (prefix, n), "v%d" % n))
            r.incr("%s:cnt" % prefix)
            acked["cnt"] += 1
            r.sadd("%s:set" % prefix, "m%d" % n)
            acked["set"].append("m%d" % n)
            r.rpush("%s:list" % prefix, "e%d" % n)
            acked["list"].append("e%d" % n)
        except Exception as e:  # noqa: BLE001 (the test fails below if this happens)
            errors.append(repr(e))
            return
        n += 1


def run_writers(c, nodes, seconds, during):
    stop = threading.Event()
    results = []
    threads = []
    for w in range(2):
        acked = {"str": [], "cnt": 0, "set": [], "list": []}
        errors = []
        t = threading.Thread(target=writer, args=(c, nodes, "w%d" % w, stop, acked, errors))
        results.append(("w%d" % w, acked, errors))
        threads.append(t)
        t.start()
    try:
        during()
        time.sleep(seconds)
    finally:
        stop.set()
        for t in threads:
            t.join()
    for _, _, errors in results:
        assert not errors, errors
    return results


def check_every_acknowledged_write(c, i, results, timeout=20.0):
    r = c.client(i)
    for prefix, acked, _ in results:
        assert acked["cnt"] > 20, "the writers made too little progress: %r" % acked["cnt"]
        wait_until(lambda: r.get("%s:cnt" % prefix) == str(acked["cnt"]), timeout=timeout,
                   what="node %d's counter %s at %d (has %s)" % (
                       i, prefix, acked["cnt"], r.get("%s:cnt" % prefix)))
        wait_until(lambda: r.smembers("%s:set" % prefix) == set(acked["set"]), timeout=timeout,
                   what="node %d's set %s" % (i, prefix))
        # Every element, and the same order on every node. Not necessarily the writer's
        # order: it alternates nodes, so consecutive RPUSHes on different nodes are concurrent
        # (no session causality across nodes) and concurrent pushes order by the list CRDT.
        order = r.lrange("%s:list" % prefix, 0, -1)
        assert sorted(order) == sorted(acked["list"])
        everywhere(c, lambda x: x.lrange("%s:list" % prefix, 0, -1), order)
        values = r.mget([k for k, _ in acked["str"]])
        assert values == [v for _, v in acked["str"]]


def test_a_node_killed_with_sigkill_catches_up_after_restart(cluster):
    c = cluster
    results = run_writers(c, [0, 1], 3.0, during=lambda: (time.sleep(0.5), c.servers[2].kill(9)))
    c.servers[2].start()
    c.wait_all_up()
    for i in range(3):
        check_every_acknowledged_write(c, i, results)


def test_a_paused_node_converges_after_sigcont(cluster):
    c = cluster
    victim = c.servers[2].proc

    def pause():
        time.sleep(0.3)
        victim.send_signal(signal.SIGSTOP)

    try:
        results = run_writers(c, [0, 1], 10.0, during=pause)
        # The others marked it down meanwhile and kept taking writes.
        assert int(c.info(0)["starling_peers_up"]) == 1
    finally:
        victim.send_signal(signal.SIGCONT)
    c.wait_all_up()
    for i in range(3):
        check_every_acknowledged_write(c, i, results)


def test_with_rf2_a_key_is_reachable_from_the_node_that_does_not_store_it():
    c = LocalCluster(3, rf=2).start()
    try:
        r = [c.client(i) for i in range(3)]
        keys = ["key:%d" % k for k in range(60)]
        outsider = {}
        for k in keys:
            reps = r[0].execute_command("STARLING", "REPLICAS", k)
            assert len(reps) == 2 and len(set(reps)) == 2
            outsider[k] = [i for i in range(3) if c.ids[i] not in reps][0]
        assert set(outsider.values()) == {0, 1, 2}, "every node is an outsider for some key"
        for n, k in enumerate(keys):
            # Written through the node that does not store it, read back through it and
            # through the replicas.
            o = outsider[k]
            assert r[o].set(k, "v%d" % n) is True
            assert r[o].get(k) == "v%d" % n
            assert r[o].incr(k + ":c") >= 1
            assert r[o].sadd(k + ":s", "a") == 1
            assert r[o].smembers(k + ":s") == {"a"}
        for n, k in enumerate(keys):
            for i in range(3):
                assert r[i].get(k) == "v%d" % n
        # The outsiders keep no copies once idle: each node holds only what it replicates.
        def local_share_only():
            for i in range(3):
                held = set(r[i].keys("key:*"))
                mine = {k for k in held
                        if c.ids[i] in r[i].execute_command("STARLING", "REPLICAS", k)}
                if held != mine:
                    return False
            return True
        wait_until(local_share_only, timeout=15, what="hinted copies dropped")
        # A multi-key command across owners.
        assert r[0].mget(keys[:10]) == ["v%d" % n for n in range(10)]
        assert r[1].sunion([k + ":s" for k in keys[:10]]) == {"a"}
    finally:
        c.stop()


def test_a_node_added_to_the_config_joins_and_keys_move_to_it():
    c = LocalCluster(3, rf=2).start()
    try:
        r0 = c.client(0)
        for k in range(300):
            r0.set("k%d" % k, k)
        new = c.add_node()
        c.servers[new].start()
        for i in range(3):
            os.kill(c.servers[i].proc.pid, signal.SIGHUP) if i % 2 else \
                c.client(i).execute_command("STARLING", "RELOAD")
        c.wait_all_up(timeout=15)
        rn = c.client(new)
        mine = [k for k in range(300)
                if c.ids[new] in rn.execute_command("STARLING", "REPLICAS", "k%d" % k)]
        # Its share of 2 copies over 4 nodes: about half the keys.
        assert 90 < len(mine) < 210, len(mine)
        wait_until(lambda: rn.dbsize() == len(mine), timeout=20,
                   what="the new node to hold its share (%d keys)" % len(mine))
        assert rn.mget(["k%d" % k for k in mine]) == [str(k) for k in mine]
        # And every key is still readable everywhere, with 2 copies in all.
        def copies_settled():
            return sum(c.client(i).dbsize() for i in range(4)) == 600
        wait_until(copies_settled, timeout=20, what="old owners to drop moved keys")
        for i in range(4):
            assert c.client(i).get("k7") == "7"
    finally:
        c.stop()


def test_garbage_on_the_gossip_port_is_dropped_and_the_node_keeps_serving(cluster):
    c = cluster
    port = c.config["nodes"][0]["gossip_port"]
    for payload in [b"\x00" * 64, b"GET / HTTP/1.1\r\n\r\n", os.urandom(4096),
                    b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f" + os.urandom(100)]:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            try:
                s.sendall(payload)
                s.recv(100)
            except OSError:
                pass
    c.client(0).set("after", "garbage")
    everywhere(c, lambda r: r.get("after"), "garbage")
    assert c.servers[0].alive()


@pytest.mark.parametrize("mutate,needle", [
    (lambda cfg: cfg.update(bogus_field=1), "bogus_field"),
    (lambda cfg: cfg.update(replication_factor=0), "replication_factor"),
    (lambda cfg: cfg["nodes"].append(dict(cfg["nodes"][0])), "n1"),
])
def test_a_bad_config_stops_the_start_with_a_message_naming_the_field(mutate, needle):
    c = LocalCluster(3)
    try:
        mutate(c.config)
        c.write_config()
        p = subprocess.run([SERVER, "--config", c.config_path, "--node", "n1"],
                           capture_output=True, timeout=10)
        assert p.returncode != 0
        assert needle in (p.stdout + p.stderr).decode(), p.stderr
        p = subprocess.run([SERVER, "--config", c.config_path, "--node", "nope"],
                           capture_output=True, timeout=10)
        assert p.returncode != 0
    finally:
        c.stop()


def test_fault_commands_need_the_debug_flag_and_info_shows_peers(cluster):
    r = cluster.client(0)
    info = r.info("replication")
    assert info["starling_cluster_nodes"] == 3 and info["starling_peers_up"] == 2
    assert info["starling_peer0"]["state"] == "up"
    r.set("x", "1")
    wait_until(lambda: int(cluster.info(0)["starling_gossip_deltas_sent"]) >= 2,
               what="delta counters")
    nodes = r.execute_command("STARLING", "NODES")
    assert "n2" in nodes and "self" in nodes


def ae_info(c, i):
    return {k[len("starling_ae_"):]: v for k, v in c.info(i).items()
            if k.startswith("starling_ae_")}


def test_a_cut_replication_stream_is_repaired_by_anti_entropy_alone(cluster):
    # Anti-entropy period 2 s (LocalCluster's default here).
    c = cluster
    r0, r1 = c.client(0), c.client(1)
    period = c.config["anti_entropy_period_ms"] / 1000.0
    wait_until(lambda: ae_info(c, 0)["rounds_in_sync"] >= 2, what="first rounds in sync")
    assert r0.execute_command("STARLING", "CUT", "n2") == "OK"
    for k in range(400):
        r0.set("cut:%d" % k, k)
    r0.sadd("cut:set", *["m%d" % k for k in range(300)])
    r0.incrby("cut:counter", 12)
    r1.sadd("cut:set", "from-n2")  # n2's own write still flows to n1
    time.sleep(0.3)
    info = c.info(0)
    assert info["starling_gossip_cut_dropped"] >= 402
    assert c.client(2).dbsize() == 402 and r1.dbsize() == 1, "the cut really dropped the deltas"
    repaired_before = ae_info(c, 0)["keys_repaired"] + ae_info(c, 1)["keys_repaired"]
    assert r0.execute_command("STARLING", "HEAL", "n2") == "OK"
    took = wait_until(lambda: r1.dbsize() == 402 and r1.scard("cut:set") == 301 and
                      r1.get("cut:counter") == "12", timeout=2 * period + 2,
                      what="n2 repaired within two anti-entropy periods")
    assert took < 2 * period + 1
    assert r1.mget(["cut:%d" % k for k in range(400)]) == [str(k) for k in range(400)]
    assert r0.smembers("cut:set") == r1.smembers("cut:set")
    # INFO shows the repair (by whichever of the two started the round).
    repaired = ae_info(c, 0)["keys_repaired"] + ae_info(c, 1)["keys_repaired"]
    assert repaired - repaired_before >= 402
    log = r0.execute_command("STARLING", "REPAIRS") + r1.execute_command("STARLING", "REPAIRS")
    assert "outcome=repaired" in log
    # Once repaired, rounds find nothing: one symbol each.
    assert r0.execute_command("STARLING", "REPAIR") == "OK"
    wait_until(lambda: r0.execute_command("STARLING", "REPAIRS").strip().splitlines()[-1]
               .find("outcome=in-sync") >= 0, timeout=5, what="an in-sync round")


def test_a_node_restarted_with_an_empty_data_dir_gets_its_share_back():
    c = LocalCluster(3, rf=2).start()
    try:
        r0 = c.client(0)
        pipe = r0.pipeline(transaction=False)
        for k in range(2000):
            pipe.set("e:%d" % k, k)
        pipe.execute()
        r2 = c.client(2)
        share = [k for k in range(2000)
                 if "n3" in r0.execute_command("STARLING", "REPLICAS", "e:%d" % k)]
        wait_until(lambda: r2.dbsize() == len(share), what="n3 holding its share")
        c.servers[2].kill(9)
        import shutil
        shutil.rmtree(c.servers[2].data_dir)
        os.makedirs(c.servers[2].data_dir)
        c.servers[2].start()
        r2 = c.client(2)
        wait_until(lambda: r2.dbsize() == len(share), timeout=15,
                   what="n3 refilled by anti-entropy (%d keys)" % len(share))
        assert r2.mget(["e:%d" % k for k in share]) == [str(k) for k in share]
    finally:
        c.stop()
