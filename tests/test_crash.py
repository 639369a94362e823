"""kill -9 crash test (issue 5): with appendfsync always, every acknowledged write survives.

Three rounds on one data directory. Each round starts the server, writes from 4 client
threads (strings, counters, sets, hashes, sorted sets, lists), kills the server with SIGKILL
at a random moment, restarts it, and checks:
  - every acknowledged write is present; the one write a thread had in flight when the
    server died may or may not be;
  - counters: each acknowledged INCR is counted exactly once (acked <= value <= acked +
    in flight), for per-thread counters and for one counter all threads share;
  - the keys of earlier rounds are exactly as the previous check saw them.
Each thread owns its keys (apart from the shared counter), so its order is the order on
disk. The seed is printed; STARLING_CRASH_SEED=<n> replays the same choices.
"""
import os
import random
import threading
import time

import redis

from conftest import Server

ROUNDS = 3
THREADS = 4


class Writer(threading.Thread):
    """Writes until the connection dies; records what was acknowledged and what was not."""

    def __init__(self, port, rnd, tid, seed):
        super().__init__(daemon=True)
        self.port, self.r, self.tid = port, rnd, tid
        self.rng = random.Random(seed)
        self.p = "r%d:t%d:" % (rnd, tid)
        self.strings = {}       # key -> acknowledged value
        self.maybe_strings = {}  # key -> value in flight at the crash
        self.incr_acked = 0     # acknowledged INCRs of the own counter
        self.shared_acked = 0   # acknowledged INCRs of the shared counter
        self.inflight = None    # the operation without a reply when the server died
        self.members = set()    # acknowledged SADD members (set), HSET fields, ZADD members
        self.fields = {}
        self.zmembers = {}
        self.pushed = []        # acknowledged RPUSH items, in order
        self.ops = 0
        self.error = None

    def run(self):
        c = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10,
                        decode_responses=True)
        p = self.p
        try:
            while True:
                i = self.ops
                kind = self.rng.choice(["set", "incr", "shared", "sadd", "hset", "zadd",
                                        "rpush"])
                if kind == "set":
                    key = p + "s%d" % self.rng.randrange(20)
                    val = "v%d" % i
                    self.inflight = ("set", key, val)
                    assert c.set(key, val)
                    self.strings[key] = val
                elif kind == "incr":
                    self.inflight = ("incr",)
                    assert c.incr(p + "counter") == self.incr_acked + 1
                    self.incr_acked += 1
                elif kind == "shared":
                    self.inflight = ("shared",)
                    c.incr("r%d:shared" % self.r)
                    self.shared_acked += 1
                elif kind == "sadd":
                    self.inflight = ("sadd", "m%d" % i)
                    assert c.sadd(p + "set", "m%d" % i) == 1
                    self.members.add("m%d" % i)
                elif kind == "hset":
                    self.inflight = ("hset", "f%d" % i, str(i))
                    c.hset(p + "hash", "f%d" % i, str(i))
                    self.fields["f%d" % i] = str(i)
                elif kind == "zadd":
                    self.inflight = ("zadd", "z%d" % i, i / 4)
                    c.zadd(p + "zset", {"z%d" % i: i / 4})
                    self.zmembers["z%d" % i] = i / 4
                else:
                    self.inflight = ("rpush", "i%d" % i)
                    assert c.rpush(p + "list", "i%d" % i) == len(self.pushed) + 1
                    self.pushed.append("i%d" % i)
                self.inflight = None
                self.ops += 1
        except (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError):
            pass  # the server died: self.inflight may or may not have happened
        except Exception as e:  # a wrong reply: report it from the main thread
            self.error = e
        if self.inflight and self.inflight[0] == "set":
            self.maybe_strings[self.inflight[1]] = self.inflight[2]

    def check(self, c):
        p, f = self.p, self.inflight
        for key in set(self.strings) | set(self.maybe_strings):
            allowed = {self.strings.get(key), self.maybe_strings.get(key)}
            assert c.get(key) in allowed, (key, c.get(key), allowed)
        n = int(c.get(p + "counter") or 0)
        assert self.incr_acked <= n <= self.incr_acked + (f == ("incr",)), (p, n, self.incr_acked)
        got = c.smembers(p + "set")
        extra = {f[1]} if f and f[0] == "sadd" else set()
        assert self.members <= got <= self.members | extra
        got = c.hgetall(p + "hash")
        want = dict(self.fields)
        if f and f[0] == "hset" and f[1] in got:
            want[f[1]] = f[2]
        assert got == want
        got = dict(c.zrange(p + "zset", 0, -1, withscores=True))
        want = dict(self.zmembers)
        if f and f[0] == "zadd" and f[1] in got:
            want[f[1]] = f[2]
        assert got == want
        got = c.lrange(p + "list", 0, -1)
        assert got in (self.pushed, self.pushed + ([f[1]] if f and f[0] == "rpush" else []))


def snapshot(c, rnd):
    """Every key written in round `rnd`, with its value, as read now."""
    out = {}
    for key in c.scan_iter(match="r%d:*" % rnd, count=1000):
        t = c.type(key)
        if t == "string":
            out[key] = c.get(key)
        elif t == "set":
            out[key] = sorted(c.smembers(key))
        elif t == "hash":
            out[key] = c.hgetall(key)
        elif t == "zset":
            out[key] = c.zrange(key, 0, -1, withscores=True)
        elif t == "list":
            out[key] = c.lrange(key, 0, -1)
    return out


def test_kill9_loses_no_acknowledged_write():
    seed = int(os.environ.get("STARLING_CRASH_SEED", str(time.time_ns() % 1_000_000_007)))
    print("STARLING_CRASH_SEED=%d" % seed)
    rng = random.Random(seed)
    s = Server("--appendfsync", "always")
    snapshots = {}
    try:
        for rnd in range(ROUNDS):
            s.proc = None
            s.start()
            c = s.client()
            for old, snap in snapshots.items():
                assert snapshot(c, old) == snap, "round %d's keys changed" % old
            writers = [Writer(s.port, rnd, t, rng.randrange(1 << 30)) for t in range(THREADS)]
            for w in writers:
                w.start()
            time.sleep(rng.uniform(0.5, 2.5))
            s.kill(9)
            for w in writers:
                w.join(timeout=20)
                assert not w.is_alive()
                assert w.error is None, "thread %d: %r" % (w.tid, w.error)
            total = sum(w.ops for w in writers)
            print("round %d: %d acknowledged writes, then kill -9" % (rnd, total))
            assert total > 20, "too few writes before the kill: %d" % total
            s.proc = None
            s.start()
            c = s.client()
            for w in writers:
                w.check(c)
            shared = int(c.get("r%d:shared" % rnd) or 0)
            acked = sum(w.shared_acked for w in writers)
            inflight = sum(1 for w in writers if w.inflight == ("shared",))
            assert acked <= shared <= acked + inflight, (shared, acked, inflight)
            snapshots[rnd] = snapshot(c, rnd)
            c.close()
            s.stop()
    except BaseException:
        print(s.read_log()[-5000:])
        raise
    finally:
        s.cleanup()
