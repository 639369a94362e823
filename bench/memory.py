#!/usr/bin/python3
"""Memory and 1M-element latency of starling-server against redis-server (issue 4).

    bench/memory.py [--build build] [--n 1000000] [--storage memory,leveldb] [--rounds 3]

Starts redis-server (Debian's, --save '' --appendonly no) and starling-server (a copy of
BUILD/starling-server, once per --storage mode) on free loopback ports, in a temp dir that
is removed at the end. For each type it loads N members into one key (SADD, HSET, ZADD,
RPUSH; 1000 members per command, pipelined), starling then redis, and reports the growth of
INFO memory's used_memory (and used_memory_rss) per type and the ratio starling/redis.

Then, with the four 1M-element keys loaded, it measures the latency of single commands on
them (ZRANGE of 100 at the head and the middle, ZRANK, LRANGE 0 99, LRANGE of 100 in the
middle, LINDEX middle, LSET middle, ...) from one redis-py connection (wall time per call,
p50 and p99 in ms; the Python client adds the same few tens of us to both), interleaved
command by command (starling, redis, starling, redis...) for --rounds rounds, and reports
the median p50 and the ratio starling/redis (above 1: starling slower). Each read's reply
is checked against redis-server's first; a mismatch is printed as a BUG line.
Numbers are noisy on these machines: read ratios, not absolute values. Load (uptime) is
printed with each section.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import redis


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def load():
    return open("/proc/loadavg").read().split()[:3]


def wait_up(port, proc=None, timeout=30):
    c = redis.Redis(port=port, socket_timeout=600)
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server on port %d exited with %s" % (port, proc.returncode))
        try:
            c.ping()
            return c
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("server on port %d did not start" % port)


def mem(c):
    info = c.info("memory")
    return info["used_memory"], info["used_memory_rss"]


TYPES = ["set", "hash", "zset", "list"]
KEY = {"set": "s", "hash": "h", "zset": "z", "list": "l"}


def fill(c, typ, n, batch=1000):
    key = KEY[typ]
    p = c.pipeline(transaction=False)
    queued = 0
    for start in range(0, n, batch):
        idx = range(start, min(n, start + batch))
        if typ == "set":
            p.execute_command("SADD", key, *["member:%07d" % i for i in idx])
        elif typ == "hash":
            args = []
            for i in idx:
                args += ["field:%07d" % i, "value:%07d" % i]
            p.execute_command("HSET", key, *args)
        elif typ == "zset":
            args = []
            for i in idx:
                args += [str(i), "member:%07d" % i]
            p.execute_command("ZADD", key, *args)
        else:
            p.execute_command("RPUSH", key, *["element:%07d" % i for i in idx])
        queued += 1
        if queued == 50:
            p.execute()
            queued = 0
    if queued:
        p.execute()


def settle(c):
    time.sleep(1.0)
    return mem(c)


def checks(n):
    mid = n // 2
    return [
        ("ZRANGE z 0 99", ["ZRANGE", "z", "0", "99"]),
        ("ZRANGE z mid..mid+99", ["ZRANGE", "z", str(mid), str(mid + 99)]),
        ("ZRANGE z -100 -1 WITHSCORES", ["ZRANGE", "z", "-100", "-1", "WITHSCORES"]),
        ("ZRANGEBYSCORE z mid +inf LIMIT 0 100", ["ZRANGEBYSCORE", "z", str(mid), "+inf", "LIMIT", "0", "100"]),
        ("ZRANK z member:mid", ["ZRANK", "z", "member:%07d" % mid]),
        ("ZSCORE z member:mid", ["ZSCORE", "z", "member:%07d" % mid]),
        ("ZCOUNT z 0 mid", ["ZCOUNT", "z", "0", str(mid)]),
        ("LRANGE l 0 99", ["LRANGE", "l", "0", "99"]),
        ("LRANGE l mid..mid+99", ["LRANGE", "l", str(mid), str(mid + 99)]),
        ("LRANGE l -100 -1", ["LRANGE", "l", "-100", "-1"]),
        ("LINDEX l mid", ["LINDEX", "l", str(mid)]),
        ("LINDEX l -1", ["LINDEX", "l", "-1"]),
        ("LLEN l", ["LLEN", "l"]),
        ("LSET l mid (same value)", ["LSET", "l", str(mid), "element:%07d" % mid]),
        ("SISMEMBER s member:mid", ["SISMEMBER", "s", "member:%07d" % mid]),
        ("SCARD s", ["SCARD", "s"]),
        ("HGET h field:mid", ["HGET", "h", "field:%07d" % mid]),
        ("HLEN h", ["HLEN", "h"]),
    ]


def time_cmd(c, args, reqs):
    """Per-call wall time in ms of args on client c (one connection, no pipelining)."""
    conn = c.connection_pool.get_connection("bench")
    out = []
    try:
        for _ in range(reqs):
            t0 = time.perf_counter()
            conn.send_command(*args)
            conn.read_response()
            out.append((time.perf_counter() - t0) * 1e3)
    finally:
        c.connection_pool.release(conn)
    out.sort()
    return out[len(out) // 2], out[min(len(out) - 1, int(len(out) * 0.99))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build"))
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--storage", default="memory,leveldb")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-latency", action="store_true")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="starling-mem-")
    procs = []
    try:
        binary = os.path.join(tmp, "starling-server")
        shutil.copy(os.path.join(a.build, "starling-server"), binary)
        print("# binary: %s built %s" % (os.path.join(a.build, "starling-server"), time.strftime(
            "%F %T UTC", time.gmtime(os.path.getmtime(os.path.join(a.build, "starling-server"))))))
        rp = free_port()
        rproc = subprocess.Popen(["redis-server", "--port", str(rp), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", tmp, "--logfile", os.path.join(tmp, "redis.log")])
        procs.append(rproc)
        rc = wait_up(rp, rproc)
        rc.flushall()
        print("# %s, N=%d, starling vs %s" % (time.strftime("%F %T UTC", time.gmtime()), a.n,
                                             rc.info("server")["redis_version"]))
        redis_mem = {}
        redis_loadtime = {}
        results = {}
        for mode in a.storage.split(","):
            sp = free_port()
            sproc = subprocess.Popen([binary, "--port", str(sp), "--bind", "127.0.0.1", "--data-dir",
                                      os.path.join(tmp, "data-" + mode), "--storage", mode, "--log-level", "warn"],
                                     stdout=open(os.path.join(tmp, "starling-%s.log" % mode), "w"),
                                     stderr=subprocess.STDOUT)
            procs.append(sproc)
            sc = wait_up(sp, sproc)
            print("\n## starling --storage %s; load average %s" % (mode, " ".join(load())))
            rows = []
            for typ in TYPES:
                sides = [("starling", sc)] + ([] if typ in redis_mem else [("redis", rc)])
                for name, c in sides:
                    before = settle(c)
                    t0 = time.time()
                    fill(c, typ, a.n)
                    dt = time.time() - t0
                    after = settle(c)
                    d = (after[0] - before[0], after[1] - before[1])
                    if name == "redis":
                        redis_mem[typ] = d
                        redis_loadtime[typ] = dt
                    else:
                        sd, st = d, dt
                if sproc.poll() is not None:
                    raise RuntimeError("starling-server exited (%s) while loading %s" % (sproc.returncode, typ))
                rd = redis_mem[typ]
                rows.append((typ, sd, rd, st, redis_loadtime[typ]))
            print("load average after loading: %s" % " ".join(load()))
            print("| type (N=%d) | starling used_memory | redis used_memory | ratio | bytes/elem starling | bytes/elem redis | starling rss growth | redis rss growth | load time starling/redis |" % a.n)
            print("|---|---|---|---|---|---|---|---|---|")
            for typ, sd, rd, st, rt in rows:
                print("| %s | %.1f MB | %.1f MB | %.2f | %.0f | %.0f | %.1f MB | %.1f MB | %.2f (%.1fs/%.1fs) |" % (
                    typ, sd[0] / 1e6, rd[0] / 1e6, sd[0] / rd[0] if rd[0] else 0, sd[0] / a.n, rd[0] / a.n,
                    sd[1] / 1e6, rd[1] / 1e6, st / rt if rt else 0, st, rt))
            tot_s = sum(r[1][0] for r in rows)
            tot_r = sum(r[2][0] for r in rows)
            print("| all four | %.1f MB | %.1f MB | %.2f | | | | | |" % (tot_s / 1e6, tot_r / 1e6, tot_s / tot_r))
            results[mode] = rows

            if not a.no_latency:
                print("\nlatency (one redis-py connection, per-call wall time incl. ~20-40 us of Python client overhead on both sides; p50 ms, median of %d interleaved rounds); load average %s" % (
                    a.rounds, " ".join(load())))
                bugs = []
                lat = {}
                for label, args in checks(a.n):
                    try:
                        want = rc.execute_command(*args)
                        got = sc.execute_command(*args)
                    except redis.exceptions.ResponseError as e:
                        bugs.append("BUG %s: error %s" % (" ".join(args), e))
                        continue
                    if got != want:
                        bugs.append("BUG %s: starling %r, redis %r" % (" ".join(args), str(got)[:200], str(want)[:200]))
                    t0 = time.time()
                    for _ in range(3):
                        sc.execute_command(*args)
                    one = (time.time() - t0) / 3
                    reqs = int(max(20, min(2000, 0.5 / max(one, 1e-6))))
                    lat[label] = (reqs, {"starling": [], "redis": []}, {"starling": [], "redis": []})
                for rnd in range(a.rounds):
                    for label, args in checks(a.n):
                        if label not in lat:
                            continue
                        reqs, p50s, p99s = lat[label]
                        for name, c in (("starling", sc), ("redis", rc)):
                            p50, p99 = time_cmd(c, args, reqs)
                            p50s[name].append(p50)
                            p99s[name].append(p99)
                print("| command (N=%d) | requests | starling p50 ms | redis p50 ms | ratio p50 | starling p99 ms | redis p99 ms |" % a.n)
                print("|---|---|---|---|---|---|---|")
                for label, _ in checks(a.n):
                    if label not in lat:
                        continue
                    reqs, p50s, p99s = lat[label]
                    s50, r50 = statistics.median(p50s["starling"]), statistics.median(p50s["redis"])
                    print("| %s | %d | %.3f | %.3f | %.2f | %.3f | %.3f |" % (
                        label, reqs, s50, r50, s50 / r50 if r50 else 0,
                        statistics.median(p99s["starling"]), statistics.median(p99s["redis"])))
                print("load average after latency: %s" % " ".join(load()))
                for b in bugs:
                    print(b)
            if sproc.poll() is not None:
                print("BUG starling-server exited with %s" % sproc.returncode)
            sc.close()
            sproc.terminate()
            try:
                sproc.wait(30)
            except subprocess.TimeoutExpired:
                print("starling-server did not stop within 30 s of SIGTERM; killing it")
                sproc.kill()
                sproc.wait()
        sys.stdout.flush()
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
