#!/usr/bin/python3
"""Measurements on a running 3-node cluster (issue 6); started by bench/cluster.sh.

(a) Replication lag: a probe client SETs a unique value on node 1 and, as soon as the reply
    arrives, polls node 2 and node 3 with GET (both polled each step, pipelined per node)
    until each returns the value. Lag = time from the reply on node 1 to the first GET that
    sees it; resolution is one poll round trip (reported). Without load, then under
    redis-benchmark SET load on node 1 at -P 1 and at -P 16.
(b) Throughput (requests/s) of SET and GET at -c 50 total: the cluster with three
    redis-benchmark processes (one per node, 17+17+16 clients), one stand-alone starling node,
    one redis-server; interleaved (cluster, single, redis) for --rounds rounds, medians. CPU
    per process (utime+stime from /proc and wait4) as % of one core over the run's wall time.
(c) Gossip bytes per write: the sum of starling_gossip_bytes_sent over the three nodes (and
    node 1's alone) across N SETs on node 1, after replication is quiescent, minus the idle
    heartbeat traffic measured before, divided by N. RF=3, 3-byte and 100-byte values, random
    keys and one hot key.
(d) Only with PARTS containing d: an idle cluster holding IDLE_KEYS keys (default 300000,
    loaded by MSET on node 1): PING latency on each node and each node's CPU over IDLE_SECONDS
    (default 30 s), to show what background work (anti-entropy) costs with no client load;
    the idle stand-alone starling node and redis-server (no keys) are pinged in the same loop
    as controls for the machine's own noise.
"""
import argparse
import os
import statistics
import subprocess
import time

import redis

TCK = os.sysconf("SC_CLK_TCK")
# Key space of the redis-benchmark writes (-r); KEYSPACE=10000 keeps the dataset small.
KEYSPACE = os.environ.get("KEYSPACE", "1000000")


def load():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def cpu(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TCK


def machine_busy():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = f[3] + f[4]
    return (sum(f) - idle) / TCK, sum(f) / TCK


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def start_bench(port, args):
    return subprocess.Popen(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port)] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_rusage(p):
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return ru.ru_utime + ru.ru_stime


def lag_probe(nodes, probes, tag, max_seconds):
    c1 = redis.Redis(port=nodes[0])
    others = [redis.Redis(port=p) for p in nodes[1:]]
    conns = [c.connection_pool.get_connection("x") for c in others]
    lags = [[], []]
    lost = [0, 0]
    polls = []
    start = time.time()
    for i in range(probes):
        if time.time() - start > max_seconds:
            break
        key = "lagprobe:%s:%d" % (tag, i)
        val = "v%d" % time.time_ns()
        c1.set(key, val)
        t0 = time.perf_counter()
        pending = [0, 1]
        while pending:
            tp = time.perf_counter()
            for j in pending:
                conns[j].send_command("GET", key)
            seen = []
            for j in pending:
                if conns[j].read_response() == val.encode():
                    seen.append(j)
            now = time.perf_counter()
            polls.append(now - tp)
            for j in seen:
                lags[j].append((now - t0) * 1e3)
                pending.remove(j)
            if now - t0 > 5:
                for j in pending:
                    lost[j] += 1
                break
        time.sleep(0.002)
    for c, conn in zip(others, conns):
        c.connection_pool.release(conn)
    return lags, lost, statistics.median(polls) * 1e3


def part_a(a, nodes):
    print("\n## (a) replication lag, node 1 -> nodes 2 and 3 (up to %d probes or %.0f s per row)" % (a.probes, a.probe_seconds))
    print("| load on node 1 | load average | probes | node 1 ops/s during probes | n2 p50 ms | n2 p99 ms | n2 max ms | n3 p50 ms | n3 p99 ms | n3 max ms | not seen in 5 s | poll RTT p50 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    c1 = redis.Redis(port=nodes[0])
    for label, P in (("none", None), ("redis-benchmark SET -c 50 -P 1", 1), ("redis-benchmark SET -c 50 -P 16", 16)):
        bench = None
        if P:
            bench = start_bench(nodes[0], ["-c", "50", "-P", str(P), "-t", "set", "-r", KEYSPACE,
                                           "-n", "2000000000", "-q"])
            time.sleep(1.5)
        la = load()
        ops0, t0 = c1.info("stats")["total_commands_processed"], time.time()
        lags, lost, poll = lag_probe(nodes, a.probes, "P%s" % P, a.probe_seconds)
        ops = (c1.info("stats")["total_commands_processed"] - ops0) / (time.time() - t0)
        if bench:
            bench.terminate()
            bench.wait()
        cells = []
        for j in range(2):
            if lags[j]:
                cells += ["%.2f" % pct(lags[j], 0.5), "%.2f" % pct(lags[j], 0.99), "%.2f" % max(lags[j])]
            else:
                cells += ["-", "-", "-"]
        print("| %s | %s | %d | %.0f | %s | %d / %d | %.3f |" % (label, la, len(lags[0]) + lost[0], ops, " | ".join(cells), lost[0], lost[1], poll))
        time.sleep(1)


def run_tp(kind, a, test, P, ports, pids):
    n = a.n * (4 if P > 1 else 1)
    common = ["-t", test, "-P", str(P), "-r", KEYSPACE, "-q"]
    busy0, tot0 = machine_busy()
    cpu0 = [cpu(p) for p in pids]
    t0 = time.time()
    if kind == "cluster":
        split = [17, 17, 16]
        procs = [start_bench(port, ["-c", str(c), "-n", str(n * c // 50)] + common) for port, c in zip(ports, split)]
        total = sum(n * c // 50 for c in split)
    else:
        procs = [start_bench(ports[0], ["-c", "50", "-n", str(n)] + common)]
        total = n
    client_cpu = sum(wait_rusage(p) for p in procs)
    wall = time.time() - t0
    busy1, tot1 = machine_busy()
    server_cpu = [cpu(p) - c for p, c in zip(pids, cpu0)]
    ncpu = os.cpu_count()
    machine = (busy1 - busy0) / (tot1 - tot0) * ncpu * 100 if tot1 > tot0 else 0
    return total / wall, [s / wall * 100 for s in server_cpu], client_cpu / wall * 100, machine


def part_b(a, nodes, node_pids, single, single_pid, rport, rpid):
    print("\n## (b) throughput, -c 50 in total, -r " + KEYSPACE + " (median of %d interleaved rounds)" % a.rounds)
    tests = [("set", 1), ("get", 1), ("set", 16), ("get", 16)]
    res = {}
    loads = []
    for rnd in range(a.rounds):
        loads.append(load())
        for test, P in tests:
            for kind, ports, pids in (("cluster", nodes, node_pids), ("single", [single], [single_pid]),
                                      ("redis", [rport], [rpid])):
                res.setdefault((test, P, kind), []).append(run_tp(kind, a, test, P, ports, pids))
    loads.append(load())
    print("load average at the start of each round and at the end: " + " / ".join(loads))
    print("| test | -P | 3-node cluster rps | 1 starling rps | redis rps | cluster/redis | single starling/redis | cluster/single |")
    print("|---|---|---|---|---|---|---|---|")
    med = {}
    for test, P in tests:
        for kind in ("cluster", "single", "redis"):
            med[(test, P, kind)] = statistics.median(r[0] for r in res[(test, P, kind)])
        c, s, r = (med[(test, P, k)] for k in ("cluster", "single", "redis"))
        print("| %s | %d | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f |" % (test.upper(), P, c, s, r, c / r, s / r, c / s))
    print("\nCPU split, %% of one core over each run's wall time (median over rounds; the machine has %d cores;"
          " 'machine' is all busy CPU incl. other users' compiles)" % os.cpu_count())
    print("| test | -P | setup | servers | redis-benchmark clients | machine total |")
    print("|---|---|---|---|---|---|")
    for test, P in tests:
        for kind in ("cluster", "single", "redis"):
            rows = res[(test, P, kind)]
            srv = [statistics.median(r[1][i] for r in rows) for i in range(len(rows[0][1]))]
            if kind == "cluster":
                s = "n1 %.0f%%, n2 %.0f%%, n3 %.0f%% (sum %.0f%%)" % (srv[0], srv[1], srv[2], sum(srv))
            else:
                s = "%.0f%%" % srv[0]
            print("| %s | %d | %s | %s | %.0f%% | %.0f%% |" % (test.upper(), P, kind, s,
                                                        statistics.median(r[2] for r in rows),
                                                        statistics.median(r[3] for r in rows)))


def gossip(nodes):
    out = []
    for p in nodes:
        i = redis.Redis(port=p).info("replication")
        out.append({k: i.get(k, 0) for k in ("starling_gossip_bytes_sent", "starling_gossip_deltas_sent",
                                             "starling_gossip_batches_sent", "starling_gossip_batches_resent",
                                             "starling_ae_bytes_sent")})
    return out


def quiescent(nodes, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        busy = False
        for p in nodes:
            i = redis.Redis(port=p).info("replication")
            for k, v in i.items():
                if k.startswith("starling_peer") and k[13:].isdigit():
                    d = v if isinstance(v, dict) else dict(x.split("=", 1) for x in str(v).split(","))
                    if int(d.get("pending_keys", 0)) or int(d.get("queued_bytes", 0)) or int(d.get("lag_ms", 0)):
                        busy = True
        if not busy:
            return time.time() - t0
        time.sleep(0.1)
    return None


def part_c(a, nodes):
    print("\n## (c) gossip bytes per write, RF=3, writes on node 1 (redis-benchmark -c 50 -P 16)")
    g0, t0 = gossip(nodes), time.time()
    time.sleep(5)
    g1, t1 = gossip(nodes), time.time()
    idle = sum(b["starling_gossip_bytes_sent"] - a_["starling_gossip_bytes_sent"] for a_, b in zip(g0, g1)) / (t1 - t0)
    print("idle gossip (heartbeats etc.), all nodes: %.0f bytes/s; load average %s" % (idle, load()))
    print("| writes | value bytes | keys | all nodes bytes/write | node 1 bytes/write | node 1 deltas/write | node 1 batches sent (resent) | anti-entropy bytes/write, all nodes | settle s |")
    print("|---|---|---|---|---|---|---|---|---|")
    n = a.n * 2
    for d, keys in ((3, "random of " + KEYSPACE), (100, "random of " + KEYSPACE), (3, "one hot key")):
        args = ["-c", "50", "-P", "16", "-t", "set", "-n", str(n), "-d", str(d), "-q"]
        if keys.startswith("random"):
            args += ["-r", KEYSPACE]
        g0, t0 = gossip(nodes), time.time()
        p = start_bench(nodes[0], args)
        p.wait()
        settle = quiescent(nodes)
        time.sleep(0.5)
        g1, t1 = gossip(nodes), time.time()
        tot = sum(b["starling_gossip_bytes_sent"] - x["starling_gossip_bytes_sent"] for x, b in zip(g0, g1))
        tot -= idle * (t1 - t0)
        b1 = g1[0]["starling_gossip_bytes_sent"] - g0[0]["starling_gossip_bytes_sent"] - idle / 3 * (t1 - t0)
        dl = g1[0]["starling_gossip_deltas_sent"] - g0[0]["starling_gossip_deltas_sent"]
        bs = g1[0]["starling_gossip_batches_sent"] - g0[0]["starling_gossip_batches_sent"]
        br = g1[0]["starling_gossip_batches_resent"] - g0[0]["starling_gossip_batches_resent"]
        ae = sum(b["starling_ae_bytes_sent"] - x["starling_ae_bytes_sent"] for x, b in zip(g0, g1))
        print("| %d | %d | %s | %.1f | %.1f | %.3f | %d (%d) | %.1f | %s |" % (
            n, d, keys, tot / n, b1 / n, dl / n, bs, br, ae / n, "%.1f" % settle if settle is not None else "not quiescent in 60 s"))
    g0, t0 = gossip(nodes), time.time()
    time.sleep(10)
    g1, t1 = gossip(nodes), time.time()
    after = sum(b["starling_gossip_bytes_sent"] - a_["starling_gossip_bytes_sent"] for a_, b in zip(g0, g1)) / (t1 - t0)
    ae = sum(b["starling_ae_bytes_sent"] - a_["starling_ae_bytes_sent"] for a_, b in zip(g0, g1)) / (t1 - t0)
    print("idle after the writes (keys now stored), all nodes: gossip %.0f bytes/s, anti-entropy %.0f bytes/s; load average %s" % (after, ae, load()))


def part_d(a, nodes, node_pids, controls):
    keys = int(os.environ.get("IDLE_KEYS", "300000"))
    print("\n## (d) idle cluster holding %d keys: PING latency on each node and CPU per node over %d s" % (keys, a.idle_seconds))
    c1 = redis.Redis(port=nodes[0], socket_timeout=600)
    t0 = time.time()
    for start in range(0, keys, 1000):
        args = []
        for i in range(start, min(keys, start + 1000)):
            args += ["idle:%08d" % i, "v"]
        c1.execute_command("MSET", *args)
    loaded = time.time() - t0
    settle = quiescent(nodes, 600)
    print("loaded by MSET of 1000 keys on node 1 in %.1f s; quiescent %s s later; load average %s" % (
        loaded, "%.1f" % settle if settle is not None else "not", load()))
    # Controls: the idle stand-alone starling node and redis-server (no keys), same loop.
    ports = nodes + [c[1] for c in controls]
    pids = node_pids + [c[2] for c in controls]
    names = ["n%d" % (j + 1) for j in range(len(nodes))] + [c[0] for c in controls]
    conns = [redis.Redis(port=p, socket_timeout=600) for p in ports]
    lat = [[] for _ in ports]
    cpu0 = [cpu(p) for p in pids]
    t0 = time.time()
    while time.time() - t0 < a.idle_seconds:
        for j, c in enumerate(conns):
            tp = time.perf_counter()
            c.ping()
            lat[j].append((time.perf_counter() - tp) * 1e3)
        time.sleep(0.01)
    wall = time.time() - t0
    used = [(cpu(p) - c0) / wall * 100 for p, c0 in zip(pids, cpu0)]
    print("| node | pings | p50 ms | p99 ms | max ms | pings over 100 ms | over 1 s | CPU % of a core |")
    print("|---|---|---|---|---|---|---|---|")
    for j in range(len(ports)):
        x = lat[j]
        print("| %s | %d | %.2f | %.2f | %.1f | %d | %d | %.0f%% |" % (
            names[j], len(x), pct(x, 0.5), pct(x, 0.99), max(x), sum(v > 100 for v in x), sum(v > 1000 for v in x), used[j]))
    print("load average after: %s" % load())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", required=True)
    ap.add_argument("--node-pids", required=True)
    ap.add_argument("--single", type=int, required=True)
    ap.add_argument("--single-pid", type=int, required=True)
    ap.add_argument("--redis", type=int, required=True)
    ap.add_argument("--redis-pid", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--probes", type=int, default=1000)
    ap.add_argument("--probe-seconds", type=float, default=60)
    ap.add_argument("--idle-seconds", type=int, default=int(os.environ.get("IDLE_SECONDS", "30")))
    ap.add_argument("--parts", default="abc")
    a = ap.parse_args()
    nodes = [int(x) for x in a.nodes.split(",")]
    node_pids = [int(x) for x in a.node_pids.split(",")]
    print("# %s, 3-node cluster RF=3 (LevelDB, everysec) vs one starling node (LevelDB, everysec) vs "
          "redis-server %s (appendonly everysec); load average %s" % (
              time.strftime("%F %T UTC", time.gmtime()), redis.Redis(port=a.redis).info("server")["redis_version"], load()))
    if "c" in a.parts:
        part_c(a, nodes)
    if "a" in a.parts:
        part_a(a, nodes)
    if "b" in a.parts:
        part_b(a, nodes, node_pids, a.single, a.single_pid, a.redis, a.redis_pid)
    if "d" in a.parts:
        part_d(a, nodes, node_pids, [("starling alone (no keys)", a.single, a.single_pid),
                                     ("redis-server (no keys)", a.redis, a.redis_pid)])
    print("\nend: load average %s" % load())


if __name__ == "__main__":
    main()
