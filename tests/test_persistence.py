"""Persistence across restarts (issue 5): TTLs, expiry while down, quarantine of corrupt
values, locked or unwritable data directories, disk-full errors and recovery, INFO
persistence. Bytes are put into LevelDB with build/starling-dbtool while the server is down.
"""
import os
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import SERVER, Server

DBTOOL = os.environ.get("STARLING_DBTOOL",
                        os.path.join(os.path.dirname(SERVER), "starling-dbtool"))


def dbtool(*args, check=True):
    p = subprocess.run([DBTOOL] + list(args), capture_output=True, timeout=30)
    if check:
        assert p.returncode == 0, p.stderr.decode()
    return p


def disk_count(data_dir):
    out = dbtool("count", "--data-dir", data_dir).stdout.decode().split()
    return dict(zip(out[0::2], map(int, out[1::2])))


@pytest.fixture
def node():
    s = Server("--appendfsync", "always")
    yield s
    s.cleanup()


def restart(s, *extra):
    s.stop()
    s.proc = None
    if extra:
        s.extra_args = list(extra)
    return s.start()


def wait_for(pred, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def test_ttls_survive_a_restart_and_keys_expired_while_down_are_gone(node):
    c = node.start().client()
    c.set("long", "v", ex=1000)
    c.set("short", "v", px=700)
    c.set("plain", "v")
    c.sadd("shortset", "a", "b")
    c.pexpire("shortset", 700)
    c.hset("longhash", mapping={"f": "1"})
    c.expire("longhash", 500)
    node.stop()
    time.sleep(1.0)  # short and shortset expire while the node is down
    c = restart(node).client()
    assert 990 <= c.ttl("long") <= 1000
    assert 490 <= c.ttl("longhash") <= 500
    assert c.ttl("plain") == -1 and c.get("plain") == "v"
    assert c.exists("short", "shortset") == 0
    info = c.info("persistence")
    assert info["rdb_last_load_keys_loaded"] == 3  # as Redis: expired ones not counted
    assert info["rdb_last_load_keys_expired"] == 2
    assert info["starling_keys_loaded"] == 5
    node.stop()
    # The expired keys were removed from LevelDB too.
    assert sorted(dbtool("keys", "--data-dir", node.data_dir).stdout.decode().split()) == \
        ["long", "longhash", "plain"]


def test_corrupt_value_is_quarantined_and_the_rest_served(node):
    c = node.start().client()
    c.set("a", "1")
    c.set("bad", "2")
    c.sadd("s", "x", "y")
    c.hset("h", mapping={"f": "v"})
    c.zadd("z", {"m": 1.5})
    c.rpush("l", "p", "q")
    node.stop()
    dbtool("put-raw", "--data-dir", node.data_dir, "--key", "bad", "--hex", "01deadbeef")
    c = restart(node).client()
    assert c.get("bad") is None
    assert c.get("a") == "1"
    assert c.smembers("s") == {"x", "y"}
    assert c.hgetall("h") == {"f": "v"}
    assert c.zrange("z", 0, -1, withscores=True) == [("m", 1.5)]
    assert c.lrange("l", 0, -1) == ["p", "q"]
    info = c.info("persistence")
    assert info["starling_quarantined_at_load"] == 1
    assert info["starling_quarantine_rows"] == 1
    assert info["starling_keys_loaded"] == 5
    assert "corrupt stored value for key 'bad'" in node.read_log()
    c.set("bad", "new")  # the key is usable again
    node.stop()
    assert disk_count(node.data_dir) == {"keys": 6, "quarantined": 1}
    c = restart(node).client()
    assert c.get("bad") == "new"
    info = c.info("persistence")
    assert info["starling_quarantined_at_load"] == 0  # moved aside: not reported again
    assert info["starling_quarantine_rows"] == 1


def test_locked_data_directory_is_a_clear_error(node):
    node.start()
    second = subprocess.run([SERVER, "--port", "0", "--data-dir", node.data_dir],
                            capture_output=True, timeout=30)
    assert second.returncode != 0
    out = (second.stdout + second.stderr).decode()
    assert "locked by another process" in out and node.data_dir in out
    p = dbtool("count", "--data-dir", node.data_dir, check=False)
    assert p.returncode == 1 and b"lock" in p.stderr
    assert node.alive()


def test_unwritable_data_directory_is_a_clear_error():
    with tempfile.TemporaryDirectory() as tmp:
        blocker = os.path.join(tmp, "file")
        open(blocker, "w").close()
        bad = os.path.join(blocker, "data")  # under a regular file: cannot be created
        p = subprocess.run([SERVER, "--port", "0", "--data-dir", bad],
                           capture_output=True, timeout=30)
        assert p.returncode != 0
        out = (p.stdout + p.stderr).decode()
        assert "cannot open data directory" in out and bad in out
        if os.geteuid() != 0:  # root writes through permission bits
            ro = os.path.join(tmp, "ro")
            os.mkdir(ro, 0o500)
            p = subprocess.run([SERVER, "--port", "0", "--data-dir", ro],
                               capture_output=True, timeout=30)
            assert p.returncode != 0 and b"cannot open data directory" in p.stdout + p.stderr


@pytest.mark.parametrize("mode", ["always", "everysec"])
def test_disk_full_refuses_writes_serves_reads_and_recovers(mode):
    s = Server("--appendfsync", mode)
    trigger = os.path.join(s.data_dir, "disk-full")
    s.extra_args += ["--debug-disk-full-file", trigger]
    try:
        c = s.start().client()
        c.set("before", "1")
        c.sadd("set", "a")
        open(trigger, "w").close()
        if mode == "always":
            # The failed commit turns the write's reply into MISCONF.
            with pytest.raises(redis.ResponseError, match="MISCONF"):
                c.set("during", "x")
        else:
            # everysec acknowledges before the disk is touched; the failure shows next.
            c.set("during", "x")
        with pytest.raises(redis.ResponseError, match="MISCONF"):
            c.sadd("set", "b")
        with pytest.raises(redis.ResponseError, match="MISCONF"):
            c.incr("n")
        assert c.get("before") == "1" and c.smembers("set") == {"a"}
        assert c.ping()
        info = c.info("persistence")
        assert info["aof_last_write_status"] == "err"
        assert info["starling_storage_status"] == "err"
        assert info["starling_write_errors"] >= 1
        assert "No space left on device" in info["starling_last_storage_error"]
        os.unlink(trigger)

        def writable():
            try:
                return c.set("after", "2")
            except redis.ResponseError:
                return False
        assert wait_for(writable, timeout=10)
        assert c.info("persistence")["aof_last_write_status"] == "ok"
        assert c.sadd("set", "b") == 1
        assert "storage writes resumed" in s.read_log()
        # Every mode writes a turn's batch to the OS before replying: a process crash loses
        # no acknowledged write.
        s.kill(9)
        s.proc = None
        c = s.start().client()
        assert c.get("before") == "1" and c.get("after") == "2"
        assert c.get("during") == "x"  # kept in the failed batch and written on recovery
        assert c.smembers("set") == {"a", "b"}
    finally:
        s.cleanup()


def test_everysec_syncs_within_a_second_and_info_reports_it():
    s = Server("--appendfsync", "everysec")
    try:
        c = s.start().client()
        before = c.info("persistence")
        assert before["aof_enabled"] == 1 and before["starling_storage"] == "leveldb"
        assert before["starling_appendfsync"] == "everysec"
        c.set("k", "v")
        assert wait_for(lambda: c.info("persistence")["starling_syncs"] > before["starling_syncs"],
                        timeout=3)
        info = c.info("persistence")
        assert abs(info["starling_last_sync_time"] - time.time()) < 5
        assert info["starling_sync_errors"] == 0 and info["starling_keys_on_disk"] == 1
        assert info["starling_disk_bytes"] > 0
        # Synced: a kill -9 now loses nothing.
        s.kill(9)
        s.proc = None
        assert s.start().client().get("k") == "v"
        c = s.client()
        c.config_set("appendfsync", "no")
        assert c.info("persistence")["starling_appendfsync"] == "no"
    finally:
        s.cleanup()


def test_flushall_clears_the_disk_and_keys_on_disk_match(node):
    c = node.start().client()
    for i in range(50):
        c.set("k%d" % i, i)
    c.rpush("list", *range(100))
    assert c.info("persistence")["starling_keys_on_disk"] == 51
    c.delete("k0")
    node.stop()
    assert disk_count(node.data_dir)["keys"] == 50
    c = restart(node).client()
    assert c.dbsize() == 50 and c.info("persistence")["starling_keys_on_disk"] == 50
    c.flushall()
    node.stop()
    assert disk_count(node.data_dir)["keys"] == 0
    c = restart(node).client()
    assert c.dbsize() == 0 and c.info("persistence")["starling_keys_loaded"] == 0
    assert "loaded 0 keys in" in node.read_log()


def test_memory_storage_reports_no_persistence():
    s = Server("--storage", "memory")
    try:
        info = s.start().client().info("persistence")
        assert info["aof_enabled"] == 0 and info["starling_storage"] == "memory"
        assert info["starling_disk_bytes"] == 0
    finally:
        s.cleanup()
