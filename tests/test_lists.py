"""Lists, black-box: redis-py and raw RESP against a real starling-server, most of it side by
side with redis-server 7.0.15 (identical bytes expected), plus a million-element list and the
memory bound of a list that pushed and popped a million elements.

The randomized differential runs print their seed; rerun one with
    STARLING_ZL_SEED=<seed> ... pytest tests/test_lists.py -k differential
"""
import os
import random
import time

import pytest
import redis

from conftest import WRONGTYPE, RawConn, Server, encode
from redis_reference import reference  # noqa: F401 (fixture)



def read_raw(conn):
    """The exact bytes of one RESP2/RESP3 reply."""
    line = conn.read_line()
    t = line[:1]
    out = line + b"\r\n"
    if t in (b"$", b"=", b"!"):
        n = int(line[1:])
        if n >= 0:
            out += conn.read_exact(n + 2)
    elif t in (b"*", b"~", b">", b"%", b"|"):
        n = int(line[1:]) * (2 if t in (b"%", b"|") else 1)
        for _ in range(max(n, 0)):
            out += read_raw(conn)
    return out


def assert_same(ours, theirs, commands, protocol=2):
    """Runs commands on both servers (fresh connections, pipelined); compares reply bytes."""
    replies = []
    for port in (ours, theirs):
        c = RawConn(port)
        try:
            if protocol == 3:
                c.send(encode("HELLO", "3"))
                read_raw(c)
            c.send(b"".join(encode(*cmd) for cmd in commands))
            replies.append([read_raw(c) for _ in commands])
        finally:
            c.close()
    for cmd, x, y in zip(commands, *replies):
        assert x == y, "%r: starling %r, redis %r" % (cmd, x, y)


TOUR = [
    ("FLUSHALL",),
    ("LPUSH", "l", "a", "b", "c"), ("RPUSH", "l", "x", "y"), ("LRANGE", "l", "0", "-1"),
    ("LPUSHX", "none", "a"), ("RPUSHX", "none", "a"), ("EXISTS", "none"),
    ("LPUSHX", "l", "h"), ("RPUSHX", "l", "t1", "t2"), ("LLEN", "l"), ("LLEN", "none"),
    ("LPUSH", "l"), ("RPUSHX", "l"),
    ("LPOP", "l"), ("RPOP", "l"), ("LPOP", "l", "2"), ("RPOP", "l", "2"), ("LPOP", "l", "0"),
    ("LPOP", "none"), ("LPOP", "none", "1"), ("LPOP", "none", "0"), ("RPOP", "l", "-1"),
    ("RPOP", "l", "x"), ("LPOP", "l", "1", "2"),
    ("RPUSH", "r", "a", "b", "c", "d"),
    ("LINDEX", "r", "0"), ("LINDEX", "r", "-1"), ("LINDEX", "r", "4"), ("LINDEX", "r", "-5"),
    ("LINDEX", "r", "x"), ("LINDEX", "none", "x"),
    ("LRANGE", "r", "-3", "-2"), ("LRANGE", "r", "2", "100"), ("LRANGE", "r", "3", "1"),
    ("LRANGE", "r", "-100", "0"), ("LRANGE", "none", "0", "-1"), ("LRANGE", "none", "x", "1"),
    ("LSET", "r", "1", "B"), ("LSET", "r", "-1", "D"), ("LSET", "r", "4", "x"),
    ("LSET", "r", "x", "x"), ("LSET", "none", "0", "x"), ("LRANGE", "r", "0", "-1"),
    ("RPUSH", "i", "a", "b", "a", "c", "a"),
    ("LINSERT", "i", "BEFORE", "b", "x"), ("LINSERT", "i", "after", "c", "y"),
    ("LINSERT", "i", "BEFORE", "a", "h"), ("LINSERT", "i", "AFTER", "a", "t"),
    ("LINSERT", "i", "AFTER", "zz", "q"), ("LINSERT", "none", "AFTER", "a", "q"),
    ("LINSERT", "i", "MIDDLE", "a", "q"), ("LRANGE", "i", "0", "-1"),
    ("LREM", "i", "-2", "a"), ("LREM", "i", "1", "a"), ("LREM", "i", "0", "zz"),
    ("LREM", "i", "x", "a"), ("LREM", "none", "0", "a"), ("LRANGE", "i", "0", "-1"),
    ("LTRIM", "i", "1", "-2"), ("LRANGE", "i", "0", "-1"), ("LTRIM", "i", "-100", "100"),
    ("LTRIM", "i", "x", "1"), ("LTRIM", "i", "2", "1"), ("EXISTS", "i"),
    ("LTRIM", "none", "0", "1"),
    ("RPUSH", "p", "a", "b", "a", "a", "c"),
    ("LPOS", "p", "a"), ("LPOS", "p", "a", "RANK", "2"), ("LPOS", "p", "a", "RANK", "-1"),
    ("LPOS", "p", "a", "COUNT", "0"), ("LPOS", "p", "a", "RANK", "-2", "COUNT", "2"),
    ("LPOS", "p", "a", "RANK", "2", "MAXLEN", "3"), ("LPOS", "p", "a", "MAXLEN", "1", "COUNT", "0"),
    ("LPOS", "p", "z"), ("LPOS", "p", "z", "COUNT", "2"),
    ("LPOS", "p", "a", "RANK", "-9223372036854775808"), ("LPOS", "none", "a", "COUNT", "0"),
    ("LPOS", "none", "a"), ("LPOS", "p", "a", "RANK", "0"), ("LPOS", "p", "a", "COUNT", "-1"),
    ("LPOS", "p", "a", "COUNT", "x"), ("LPOS", "p", "a", "MAXLEN", "x"),
    ("LPOS", "p", "a", "RANK", "x"), ("LPOS", "p", "a", "RANK"), ("LPOS", "p", "a", "FOO", "1"),
    ("RPUSH", "s", "a", "b", "c"),
    ("LMOVE", "s", "d", "LEFT", "RIGHT"), ("RPOPLPUSH", "s", "d"), ("LRANGE", "d", "0", "-1"),
    ("LMOVE", "s", "d", "LEFT", "LEFT"), ("EXISTS", "s"), ("LMOVE", "s", "d", "LEFT", "LEFT"),
    ("LMOVE", "s", "d", "UP", "LEFT"), ("LMOVE", "d", "d", "RIGHT", "LEFT"),
    ("LMOVE", "d", "d", "LEFT", "RIGHT"), ("LRANGE", "d", "0", "-1"),
    ("RPUSH", "one", "x"), ("LMOVE", "one", "one", "LEFT", "RIGHT"), ("LRANGE", "one", "0", "-1"),
    ("RPOPLPUSH", "one", "one"), ("RPOPLPUSH", "none", "d"),
    ("LMPOP", "2", "none", "d", "RIGHT", "COUNT", "2"), ("LMPOP", "1", "d", "LEFT", "COUNT", "9"),
    ("LMPOP", "1", "d", "LEFT"), ("LMPOP", "0", "d", "LEFT"), ("LMPOP", "2", "d", "LEFT"),
    ("LMPOP", "1", "d", "UP"), ("LMPOP", "1", "d", "LEFT", "COUNT", "0"),
    ("LMPOP", "1", "d", "LEFT", "COUNT", "x"), ("LMPOP", "x", "d", "LEFT"),
    ("LMPOP", "1", "d", "LEFT", "COUNT", "1", "COUNT", "1"),
    ("SET", "str", "v"), ("ZADD", "z", "1", "m"),
    ("LPUSH", "str", "a"), ("LRANGE", "z", "0", "1"), ("LMOVE", "one", "str", "LEFT", "LEFT"),
    ("LMOVE", "str", "one", "LEFT", "LEFT"), ("LMPOP", "2", "none", "z", "LEFT"),
    ("LMPOP", "2", "one", "z", "LEFT"), ("LPOS", "z", "a"), ("LINDEX", "str", "x"),
    ("RPUSH", "bin", "\x00\r\n", ""), ("LRANGE", "bin", "0", "-1"), ("LPOS", "bin", ""),
]


def test_tour_matches_redis(server, reference):
    assert_same(server.port, reference.port, TOUR)


def test_tour_matches_redis_resp3(server, reference):
    assert_same(server.port, reference.port, TOUR, protocol=3)


def test_basic_commands_through_redis_py(r):
    assert r.rpush("l", "a", "b", "c") == 3
    assert r.lpush("l", "z") == 4
    assert r.lrange("l", 0, -1) == ["z", "a", "b", "c"]
    assert r.lindex("l", 2) == "b"
    assert r.lset("l", 2, "B") is True
    assert r.linsert("l", "AFTER", "B", "bb") == 5
    assert r.lpos("l", "bb") == 3
    assert r.lrem("l", 0, "z") == 1
    assert r.ltrim("l", 0, 2) is True
    assert r.lrange("l", 0, -1) == ["a", "B", "bb"]
    assert r.lmove("l", "m", "RIGHT", "LEFT") == "bb"
    assert r.rpoplpush("l", "m") == "B"
    assert r.lpop("l") == "a" and r.exists("l") == 0
    assert r.rpop("m", 5) == ["bb", "B"]
    assert r.lpop("m") is None and r.lpop("m", 2) is None
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.lset("m", 0, "x")


def test_wrongtype_for_every_command(r):
    r.set("str", "v")
    r.zadd("z", {"m": 1})
    r.sadd("set", "v")
    r.hset("hash", "f", "v")
    r.rpush("ok", "v")
    for key in ("str", "z", "set", "hash"):
        cmds = [
            ("LPUSH", key, "a"), ("RPUSH", key, "a"), ("LPUSHX", key, "a"), ("RPUSHX", key, "a"),
            ("LPOP", key), ("RPOP", key, "2"), ("LLEN", key), ("LINDEX", key, "0"),
            ("LRANGE", key, "0", "1"), ("LSET", key, "0", "a"), ("LINSERT", key, "BEFORE", "a", "b"),
            ("LREM", key, "0", "a"), ("LTRIM", key, "0", "1"), ("LPOS", key, "a"),
            ("LMOVE", key, "ok", "LEFT", "LEFT"), ("LMOVE", "ok", key, "LEFT", "LEFT"),
            ("RPOPLPUSH", key, "ok"), ("RPOPLPUSH", "ok", key), ("LMPOP", "1", key, "LEFT"),
            ("BLPOP", key, "0"), ("BRPOP", key, "0"), ("BLMOVE", key, "ok", "LEFT", "LEFT", "0"),
            ("BLMOVE", "ok", key, "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "ok", key, "0"),
            ("BLMPOP", "0", "1", key, "LEFT"),
        ]
        for cmd in cmds:
            with pytest.raises(redis.ResponseError) as e:
                r.execute_command(*cmd)
            assert str(e.value) == WRONGTYPE, cmd
    assert r.lrange("ok", 0, -1) == ["v"]
    assert r.get("str") == "v" and r.zcard("z") == 1 and r.scard("set") == 1


# ---- Randomized differential runs.

ELEMS = ["a", "b", "c", "a", "", "x\ny"]
KEYS = ["l1", "l2", "l3", "z1", "str"]


def random_command(rng):
    k = rng.choice(KEYS[:3]) if rng.random() < 0.9 else rng.choice(KEYS)
    e = lambda: rng.choice(ELEMS)  # noqa: E731
    idx = lambda: str(rng.randint(-7, 7))  # noqa: E731
    end = lambda: rng.choice(["LEFT", "RIGHT", "left"])  # noqa: E731
    op = rng.randrange(20)
    if op < 4:
        return (rng.choice(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), k, *[e() for _ in range(rng.randint(1, 4))])
    if op < 6:
        return (rng.choice(["LPOP", "RPOP"]), k, *([str(rng.randint(0, 4))] if rng.random() < 0.5 else []))
    if op == 6:
        return rng.choice([("LLEN", k), ("LINDEX", k, idx())])
    if op == 7:
        return ("LRANGE", k, idx(), idx())
    if op == 8:
        return ("LSET", k, idx(), e())
    if op == 9:
        return ("LINSERT", k, rng.choice(["BEFORE", "AFTER"]), e(), e())
    if op == 10:
        return ("LREM", k, str(rng.randint(-2, 2)), e())
    if op == 11:
        return ("LTRIM", k, idx(), idx())
    if op == 12:
        opts = []
        if rng.random() < 0.4:
            opts += ["RANK", rng.choice(["1", "2", "-1", "-2", "3"])]
        if rng.random() < 0.4:
            opts += ["COUNT", str(rng.randint(0, 3))]
        if rng.random() < 0.3:
            opts += ["MAXLEN", str(rng.randint(0, 4))]
        return ("LPOS", k, e(), *opts)
    if op == 13:
        return ("LMOVE", k, rng.choice(KEYS), end(), end())
    if op == 14:
        return ("RPOPLPUSH", k, rng.choice(KEYS))
    if op == 15:
        ks = [rng.choice(KEYS) for _ in range(rng.randint(1, 3))]
        return ("LMPOP", str(len(ks)), *ks, end(), *(["COUNT", str(rng.randint(1, 4))] if rng.random() < 0.5 else []))
    if op == 16:
        return rng.choice([("DEL", k), ("TYPE", k), ("ZADD", "z1", "1", e()), ("SET", "str", "v")])
    if op == 17:
        return ("EXISTS", *[rng.choice(KEYS) for _ in range(rng.randint(1, 2))])
    return ("LRANGE", k, "0", "-1")


@pytest.mark.parametrize("protocol", [2, 3])
def test_randomized_differential(server, reference, protocol):
    base = int(os.environ.get("STARLING_ZL_SEED", time.time_ns() % 1_000_000))
    for run in range(3):
        seed = base + run
        print("seed", seed, "protocol", protocol)
        rng = random.Random(seed)
        cmds = [("FLUSHALL",)] + [random_command(rng) for _ in range(1500)]
        assert_same(server.port, reference.port, cmds, protocol=protocol)


# ---- A million elements, and a million pushed and popped.

def test_million_element_list(r):
    n = 1_000_000
    batch = 20000
    pipe = r.pipeline(transaction=False)
    for start in range(0, n, batch):
        pipe.rpush("big", *range(start, start + batch))
    assert pipe.execute()[-1] == n
    assert r.llen("big") == n
    assert r.lrange("big", 0, 99) == [str(i) for i in range(100)]
    assert r.lindex("big", n // 2) == str(n // 2)
    assert r.lindex("big", -1) == str(n - 1)
    assert r.lrange("big", 500000, 500002) == ["500000", "500001", "500002"]
    assert r.lrange("big", -3, -1) == [str(n - 3), str(n - 2), str(n - 1)]
    assert r.lset("big", 500000, "mid") is True
    assert r.lindex("big", 500000) == "mid"
    assert r.lpush("big", "head") == n + 1
    assert r.lindex("big", 500001) == "mid"
    assert r.lpos("big", "999999", maxlen=10) is None
    assert r.delete("big") == 1


def memory_used(server, r):
    """INFO memory's used_memory when the server reports it, else the process RSS."""
    info = r.info("memory")
    if "used_memory" in info:
        return int(info["used_memory"])
    with open("/proc/%d/status" % server.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no memory figure")


def test_push_and_pop_a_million_elements_keeps_memory_bounded():
    # A server of its own, so that the baseline is not what earlier tests left behind. In-memory
    # storage: LevelDB's memtables and block cache come and go by up to ~20 MB during this
    # workload, which would hide the list's own tombstones that this test is about.
    server = Server("--storage", "memory").start()
    try:
        push_and_pop_a_million(server, server.client())
    finally:
        server.cleanup()


def push_and_pop_a_million(server, r):
    r.rpush("q", "base")
    def cycle(rounds, width):
        pipe = r.pipeline(transaction=False)
        for i in range(rounds):
            vals = ["v%d" % j for j in range(width)]
            if i % 2:
                pipe.lpush("q", *vals)
                pipe.lpop("q", width)
            else:
                pipe.rpush("q", *vals)
                pipe.rpop("q", width)
            if len(pipe) >= 2000:
                pipe.execute()
        pipe.execute()
    cycle(200, 100)  # warm up allocator pools
    before = memory_used(server, r)
    cycle(9000, 100)  # 900k elements in batches
    pipe = r.pipeline(transaction=False)
    for i in range(100000):  # and 100k one by one
        if i % 2:
            pipe.lpush("q", "x%d" % i)
            pipe.lpop("q")
        else:
            pipe.rpush("q", "x%d" % i)
            pipe.rpop("q")
        if len(pipe) >= 2000:
            pipe.execute()
    pipe.execute()
    after = memory_used(server, r)
    assert r.lrange("q", 0, -1) == ["base"]
    # Kept tombstones would cost tens of bytes per element: 50+ MB here.
    assert after < 2 * before + 8 * 1024 * 1024, (before, after)
