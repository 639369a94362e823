"""Sorted sets, black-box: redis-py and raw RESP against a real starling-server, most of it
side by side with redis-server 7.0.15 (identical bytes expected).

The randomized differential runs print their seed; rerun one with
    STARLING_ZL_SEED=<seed> ... pytest tests/test_zsets.py -k differential
"""
import os
import random
import time

import pytest
import redis

from conftest import WRONGTYPE, RawConn, encode
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
        n = int(line[1:])
        if t in (b"%", b"|"):
            n *= 2
        for _ in range(max(n, 0)):
            out += read_raw(conn)
    return out


def run_raw(conn, commands):
    """Pipelines the commands; returns each reply's bytes."""
    conn.send(b"".join(encode(*c) for c in commands))
    return [read_raw(conn) for _ in commands]


def assert_same(ours, theirs, commands, protocol=2):
    """Runs commands on both servers (fresh connections) and compares reply bytes."""
    a, b = RawConn(ours), RawConn(theirs)
    try:
        if protocol == 3:
            run_raw(a, [("HELLO", "3")])
            run_raw(b, [("HELLO", "3")])
        ra, rb = run_raw(a, commands), run_raw(b, commands)
    finally:
        a.close()
        b.close()
    for cmd, x, y in zip(commands, ra, rb):
        assert x == y, "%r: starling %r, redis %r" % (cmd, x, y)


# A curated tour of every command, its options, errors and edge cases.
TOUR = [
    ("FLUSHALL",),
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"),
    ("ZADD", "z", "NX", "9", "a", "4", "d"),
    ("ZADD", "z", "XX", "CH", "5", "a", "7", "new"),
    ("ZADD", "z", "GT", "CH", "4", "a", "10", "b"),
    ("ZADD", "z", "LT", "CH", "0", "a", "20", "b", "1", "e"),
    ("ZADD", "z", "CH", "1", "m", "2", "m"),
    ("ZADD", "z", "NX", "XX", "1", "a"),
    ("ZADD", "z", "NX", "GT", "1", "a"),
    ("ZADD", "z", "GT", "LT", "1", "a"),
    ("ZADD", "z", "INCR", "1", "a", "2", "b"),
    ("ZADD", "z", "1", "a", "2"),
    ("ZADD", "z", "CH"),
    ("ZADD", "z", "nan", "a"),
    ("ZADD", "z", "1e-400", "a"),
    ("ZADD", "z", "1e-310", "tiny"),
    ("ZADD", "z", "1e400", "a"),
    ("ZADD", "z", "0x10", "hex"),
    ("ZADD", "z", "-0.0", "negzero"),
    ("ZADD", "z", "INCR", "inf", "big"),
    ("ZADD", "z", "INCR", "-inf", "big"),
    ("ZADD", "none", "XX", "1", "a"),
    ("ZADD", "z", "XX", "INCR", "1", "missing"),
    ("ZADD", "z", "GT", "INCR", "-1", "a"),
    ("ZINCRBY", "z", "0.1", "f"), ("ZINCRBY", "z", "0.1", "f"), ("ZINCRBY", "z", "0.1", "f"),
    ("ZINCRBY", "z", "2.2", "e"), ("ZINCRBY", "z", "x", "e"), ("ZINCRBY", "z", "1"),
    ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    ("ZSCORE", "z", "a"), ("ZSCORE", "z", "nope"), ("ZSCORE", "none", "a"),
    ("ZMSCORE", "z", "a", "nope", "b"), ("ZMSCORE", "none", "a"),
    ("ZCARD", "z"), ("ZCARD", "none"),
    ("ZRANK", "z", "b"), ("ZREVRANK", "z", "b"), ("ZRANK", "z", "nope"), ("ZRANK", "none", "a"),
    ("ZCOUNT", "z", "(1", "5"), ("ZCOUNT", "z", "-inf", "+inf"), ("ZCOUNT", "z", "x", "1"),
    ("ZRANGE", "z", "1", "-2"), ("ZRANGE", "z", "-100", "100", "REV"), ("ZRANGE", "z", "3", "1"),
    ("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"), ("ZRANGE", "z", "0", "-1", "LIMIT", "5", "-1"),
    ("ZRANGE", "z", "(1", "5", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES"),
    ("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "3"),
    ("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"),
    ("ZRANGE", "z", "a", "b", "BYSCORE"), ("ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"),
    ("ZRANGE", "z", "0", "x"), ("ZRANGE", "none", "0", "-1"),
    ("ZREVRANGE", "z", "0", "2", "WITHSCORES"), ("ZREVRANGE", "z", "0", "2", "LIMIT", "0", "1"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "2", "3"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "3"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "2", "0"),
    ("ZRANGEBYSCORE", "z", "", "1"), ("ZRANGEBYSCORE", "z", "(", "+inf"),
    ("ZRANGEBYSCORE", "z", " 1", "4"), ("ZRANGEBYSCORE", "z", "0x1", "4"),
    ("ZRANGEBYSCORE", "z", "nan", "1"), ("ZRANGEBYSCORE", "z", "0", "1", "REV"),
    ("ZREVRANGEBYSCORE", "z", "(5", "1", "WITHSCORES", "LIMIT", "1", "5"),
    ("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"),
    ("ZRANGEBYLEX", "lex", "[b", "(d"), ("ZRANGEBYLEX", "lex", "-", "+", "LIMIT", "2", "10"),
    ("ZREVRANGEBYLEX", "lex", "+", "(b"), ("ZREVRANGEBYLEX", "lex", "(d", "-", "LIMIT", "1", "1"),
    ("ZRANGEBYLEX", "lex", "+", "-"), ("ZRANGEBYLEX", "lex", "a", "+"),
    ("ZRANGEBYLEX", "lex", "-", "+x"), ("ZRANGEBYLEX", "lex", "", "+"),
    ("ZRANGE", "lex", "[d", "[b", "BYLEX", "REV", "LIMIT", "1", "1"),
    ("ZLEXCOUNT", "lex", "(a", "+"), ("ZLEXCOUNT", "lex", "[c", "[c"),
    ("ZLEXCOUNT", "lex", "(c", "[c"), ("ZLEXCOUNT", "lex", "-", "-"), ("ZLEXCOUNT", "none", "-", "+"),
    ("ZADD", "mixed", "1", "b", "2", "a", "3", "d", "4", "c"),
    ("ZRANGEBYLEX", "mixed", "[a", "[c"), ("ZREVRANGEBYLEX", "mixed", "[c", "[a"),
    ("ZLEXCOUNT", "mixed", "[b", "[c"), ("ZREMRANGEBYLEX", "mixed", "[a", "[b"),
    ("ZRANGE", "mixed", "0", "-1"),
    ("ZRANGESTORE", "dst", "z", "0", "2"), ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
    ("ZRANGESTORE", "dst", "z", "(1", "5", "BYSCORE", "REV", "LIMIT", "0", "2"),
    ("ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"),
    ("ZRANGESTORE", "dst", "z", "50", "60"), ("EXISTS", "dst"),
    ("ZRANGESTORE", "dst", "none", "0", "-1"),
    ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "2"), ("ZPOPMIN", "z", "0"), ("ZPOPMIN", "none"),
    ("ZPOPMIN", "z", "-1"), ("ZPOPMIN", "z", "x"), ("ZPOPMIN", "z", "1", "2"),
    ("ZMPOP", "2", "none", "z", "MAX", "COUNT", "2"), ("ZMPOP", "1", "none", "MIN"),
    ("ZMPOP", "0", "z", "MIN"), ("ZMPOP", "2", "z", "MIN"), ("ZMPOP", "1", "z", "UP"),
    ("ZMPOP", "1", "z", "MIN", "COUNT", "0"), ("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "2"),
    ("ZMPOP", "x", "z", "MIN"),
    ("ZRANDMEMBER", "none"), ("ZRANDMEMBER", "none", "5"), ("ZRANDMEMBER", "z", "0"),
    ("ZRANDMEMBER", "z", "1000", "WITHSCORES"), ("ZRANDMEMBER", "z", "x"),
    ("ZRANDMEMBER", "z", "1", "WITHSCORES", "x"), ("ZRANDMEMBER", "z", "1", "foo"),
    ("ZRANDMEMBER", "z", "-9223372036854775808"),
    ("ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"),
    ("ZREMRANGEBYRANK", "z", "-1", "-1"), ("ZREMRANGEBYRANK", "z", "5", "9"),
    ("ZREMRANGEBYRANK", "z", "x", "1"), ("ZREMRANGEBYSCORE", "z", "(4", "+inf"),
    ("ZREMRANGEBYSCORE", "z", "x", "1"), ("ZREMRANGEBYLEX", "lex", "(a", "[c"),
    ("ZREMRANGEBYLEX", "lex", "x", "+"), ("ZREMRANGEBYLEX", "none", "-", "+"),
    ("ZREM", "z", "a", "a", "nope"), ("ZREM", "z", "nope"), ("ZREM", "none", "a"),
    ("ZSCAN", "z", "0"), ("ZSCAN", "z", "0", "MATCH", "*e*"), ("ZSCAN", "z", "0", "COUNT", "0"),
    ("ZSCAN", "z", "0", "FOO"), ("ZSCAN", "z", "x"), ("ZSCAN", "none", "0", "COUNT", "0"),
    ("ZADD", "a", "1", "x", "2", "y", "3", "z"), ("ZADD", "b", "10", "y", "20", "z", "30", "w"),
    ("SADD", "s", "x", "q"),
    ("ZUNION", "2", "a", "b", "WITHSCORES"), ("ZUNION", "3", "a", "b", "s", "WITHSCORES"),
    ("ZINTER", "2", "a", "b", "WEIGHTS", "2", "1", "AGGREGATE", "MAX", "WITHSCORES"),
    ("ZINTER", "2", "a", "s", "AGGREGATE", "MIN", "WITHSCORES"),
    ("ZINTER", "2", "a", "a", "WEIGHTS", "1", "2", "WITHSCORES"),
    ("ZDIFF", "2", "a", "b", "WITHSCORES"), ("ZDIFF", "2", "b", "a"), ("ZDIFF", "2", "a", "s"),
    ("ZINTERCARD", "2", "a", "b"), ("ZINTERCARD", "2", "a", "b", "LIMIT", "1"),
    ("ZINTERCARD", "2", "a", "a", "LIMIT", "0"), ("ZINTERCARD", "1", "a", "LIMIT", "-1"),
    ("ZINTERCARD", "1", "a", "LIMIT", "x"), ("ZINTERCARD", "0", "a"), ("ZINTERCARD", "2", "a"),
    ("ZINTERCARD", "1", "a", "WITHSCORES"),
    ("ZUNIONSTORE", "d", "3", "a", "b", "none", "AGGREGATE", "MIN"),
    ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
    ("ZINTERSTORE", "d", "2", "a", "none"), ("EXISTS", "d"),
    ("ZDIFFSTORE", "a2", "2", "a", "b"), ("ZRANGE", "a2", "0", "-1", "WITHSCORES"),
    ("ZUNIONSTORE", "d", "0", "a"), ("ZUNION", "0", "a"), ("ZUNION", "x", "a"),
    ("ZUNION", "3", "a"), ("ZUNION", "1", "a", "WEIGHTS", "x"), ("ZUNION", "1", "a", "WEIGHTS"),
    ("ZUNION", "1", "a", "AGGREGATE", "AVG"), ("ZDIFF", "1", "a", "WEIGHTS", "1"),
    ("ZUNIONSTORE", "d", "1", "a", "WITHSCORES"),
    ("ZADD", "p", "inf", "m"), ("ZADD", "q", "-inf", "m"),
    ("ZUNION", "2", "p", "q", "WITHSCORES"), ("ZUNION", "1", "p", "WEIGHTS", "0", "WITHSCORES"),
    ("ZUNION", "1", "a", "WEIGHTS", "-1", "WITHSCORES"),
    ("ZUNIONSTORE", "neg", "1", "a", "WEIGHTS", "-0.5"), ("ZRANGE", "neg", "0", "-1", "WITHSCORES"),
    ("SET", "str", "v"),
    ("ZUNION", "2", "a", "str", "WEIGHTS", "x"),
    ("ZADD", "f", "0.1", "x", "0.2", "y"), ("ZADD", "g", "0.7", "x", "0.3", "y"),
    ("ZUNIONSTORE", "fg", "2", "f", "g", "WEIGHTS", "0.3", "3.1"),
    ("ZRANGE", "fg", "0", "-1", "WITHSCORES"),
    ("ZINTER", "2", "g", "f", "WEIGHTS", "1.1", "0.7", "WITHSCORES"),
]


def test_tour_matches_redis(server, reference):
    assert_same(server.port, reference.port, TOUR)


def test_tour_matches_redis_resp3(server, reference):
    assert_same(server.port, reference.port, TOUR, protocol=3)


def test_basic_commands_through_redis_py(r):
    assert r.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert r.zadd("z", {"a": 5}, xx=True, ch=True) == 1
    assert r.zincrby("z", 0.5, "b") == 2.5
    assert r.zscore("z", "a") == 5.0
    assert r.zrange("z", 0, -1, withscores=True) == [("b", 2.5), ("c", 3.0), ("a", 5.0)]
    assert r.zrangebyscore("z", "(2.5", "+inf") == ["c", "a"]
    assert r.zrevrangebyscore("z", "+inf", "-inf", start=1, num=1) == ["c"]
    assert r.zcard("z") == 3
    assert r.zrank("z", "a") == 2 and r.zrevrank("z", "a") == 0
    assert r.zcount("z", 3, 5) == 2
    assert r.zpopmin("z") == [("b", 2.5)]
    assert r.zpopmax("z", 5) == [("a", 5.0), ("c", 3.0)]
    assert r.exists("z") == 0
    with pytest.raises(redis.ResponseError, match="not compatible"):
        r.execute_command("ZADD", "z", "NX", "XX", "1", "a")
    with pytest.raises(redis.ResponseError, match="min or max is not a float"):
        r.zrangebyscore("z", "x", "1")


def test_resp3_shapes(server):
    c = server.raw()
    c.command("FLUSHALL")
    assert isinstance(c.command("HELLO", "3"), dict)
    c.command("ZADD", "z", "1", "a", "2.5", "b")
    c.send(encode("ZSCORE", "z", "b"))
    assert c.read_line() == b",2.5"
    c.send(encode("ZRANGE", "z", "0", "-1", "WITHSCORES"))
    assert read_raw(c) == b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"
    c.send(encode("ZPOPMIN", "z"))
    assert read_raw(c) == b"*2\r\n$1\r\na\r\n,1\r\n"
    c.send(encode("ZPOPMIN", "z", "1"))
    assert read_raw(c) == b"*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"
    c.send(encode("ZMPOP", "1", "z", "MIN"))
    assert read_raw(c) == b"_\r\n"
    c.send(encode("ZSCORE", "z", "b"))
    assert read_raw(c) == b"_\r\n"
    c.close()


def test_wrongtype_for_every_command(r):
    r.set("str", "v")
    r.rpush("list", "v")
    r.sadd("set", "v")
    r.hset("hash", "f", "v")
    for key in ("str", "list", "hash"):
        cmds = [
            ("ZADD", key, "1", "a"), ("ZINCRBY", key, "1", "a"), ("ZREM", key, "a"),
            ("ZSCORE", key, "a"), ("ZMSCORE", key, "a"), ("ZCARD", key), ("ZRANK", key, "a"),
            ("ZREVRANK", key, "a"), ("ZCOUNT", key, "0", "1"), ("ZLEXCOUNT", key, "-", "+"),
            ("ZRANGE", key, "0", "1"), ("ZRANGEBYSCORE", key, "0", "1"),
            ("ZREVRANGEBYSCORE", key, "1", "0"), ("ZRANGEBYLEX", key, "-", "+"),
            ("ZREVRANGEBYLEX", key, "+", "-"), ("ZREVRANGE", key, "0", "1"), ("ZPOPMIN", key),
            ("ZPOPMAX", key, "2"), ("ZRANDMEMBER", key), ("ZRANDMEMBER", key, "2"),
            ("ZREMRANGEBYRANK", key, "0", "1"), ("ZREMRANGEBYSCORE", key, "0", "1"),
            ("ZREMRANGEBYLEX", key, "-", "+"), ("ZRANGESTORE", "d", key, "0", "1"),
            ("ZUNIONSTORE", "d", "1", key), ("ZINTERSTORE", "d", "1", key),
            ("ZDIFFSTORE", "d", "1", key), ("ZUNION", "1", key), ("ZINTER", "1", key),
            ("ZDIFF", "1", key), ("ZINTERCARD", "1", key), ("ZSCAN", key, "0"),
            ("ZMPOP", "1", key, "MIN"), ("BZPOPMIN", key, "0"), ("BZPOPMAX", key, "0"),
            ("BZMPOP", "0", "1", key, "MAX"),
        ]
        for cmd in cmds:
            with pytest.raises(redis.ResponseError) as e:
                r.execute_command(*cmd)
            assert str(e.value) == WRONGTYPE, cmd
    # A set is a valid input of the set operations, and the wrong type for the rest.
    for cmd in (("ZADD", "set", "1", "a"), ("ZCARD", "set"), ("ZRANGE", "set", "0", "1")):
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            r.execute_command(*cmd)
    assert r.execute_command("ZUNION", "1", "set", "WITHSCORES") == ["v", "1"]
    assert r.get("str") == "v" and r.llen("list") == 1 and r.hget("hash", "f") == "v"


# ---- Randomized differential runs.

MEMBERS = ["a", "b", "c", "d", "e", "f", "g", "h", "", "\xff"]
SCORES = ["0", "1", "-1", "2", "2.5", "0.1", "-0.75", "10", "1e3", "3.3", "inf", "-inf", "7"]
BOUNDS = ["-inf", "+inf", "0", "1", "(1", "2.5", "(2.5", "5", "(10", "-1", "(0.1"]
LEX = ["-", "+", "[a", "(a", "[c", "(d", "[e", "(h", "[", "(\xff"]
KEYS = ["z1", "z2", "z3", "s1", "str"]


def random_command(rng):
    k = rng.choice(KEYS[:3]) if rng.random() < 0.9 else rng.choice(KEYS)
    m = lambda: rng.choice(MEMBERS)  # noqa: E731
    s = lambda: rng.choice(SCORES)  # noqa: E731
    b = lambda: rng.choice(BOUNDS)  # noqa: E731
    lx = lambda: rng.choice(LEX)  # noqa: E731
    idx = lambda: str(rng.randint(-6, 6))  # noqa: E731
    keys = lambda: [rng.choice(KEYS) for _ in range(rng.randint(1, 3))]  # noqa: E731
    op = rng.randrange(32)
    if op < 6:
        flags = [f for f in ("NX", "XX", "GT", "LT", "CH") if rng.random() < 0.15]
        if rng.random() < 0.15:
            return ("ZADD", k, *flags, "INCR", s(), m())
        pairs = []
        for _ in range(rng.randint(1, 4)):
            pairs += [s(), m()]
        return ("ZADD", k, *flags, *pairs)
    if op == 6:
        return ("ZINCRBY", k, rng.choice(["0.1", "1", "-2.5", "0.3", "1e-3", "inf"]), m())
    if op == 7:
        return ("ZREM", k, *[m() for _ in range(rng.randint(1, 3))])
    if op == 8:
        return rng.choice([("ZSCORE", k, m()), ("ZMSCORE", k, m(), m()), ("ZCARD", k)])
    if op == 9:
        return (rng.choice(["ZRANK", "ZREVRANK"]), k, m())
    if op == 10:
        return ("ZCOUNT", k, b(), b())
    if op == 11:
        return ("ZLEXCOUNT", k, lx(), lx())
    if op in (12, 13):
        extra = []
        kind = rng.choice(["", "BYSCORE", "BYLEX"])
        lo, hi = {"": (idx(), idx()), "BYSCORE": (b(), b()), "BYLEX": (lx(), lx())}[kind]
        if kind:
            extra.append(kind)
        if rng.random() < 0.4:
            extra.append("REV")
        if kind and rng.random() < 0.4:
            extra += ["LIMIT", str(rng.randint(-1, 3)), str(rng.randint(-1, 4))]
        if kind != "BYLEX" and rng.random() < 0.5:
            extra.append("WITHSCORES")
        return ("ZRANGE", k, lo, hi, *extra)
    if op == 14:
        extra = ["WITHSCORES"] if rng.random() < 0.5 else []
        if rng.random() < 0.3:
            extra += ["LIMIT", str(rng.randint(0, 3)), str(rng.randint(-1, 3))]
        return (rng.choice(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]), k, b(), b(), *extra)
    if op == 15:
        extra = ["LIMIT", str(rng.randint(0, 3)), str(rng.randint(-1, 3))] if rng.random() < 0.3 else []
        return (rng.choice(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), k, lx(), lx(), *extra)
    if op == 16:
        return ("ZREVRANGE", k, idx(), idx(), *(["WITHSCORES"] if rng.random() < 0.5 else []))
    if op == 17:
        return (rng.choice(["ZPOPMIN", "ZPOPMAX"]), k, *([str(rng.randint(0, 3))] if rng.random() < 0.5 else []))
    if op == 18:
        ks = keys()
        return ("ZMPOP", str(len(ks)), *ks, rng.choice(["MIN", "MAX"]), *(["COUNT", str(rng.randint(1, 3))] if rng.random() < 0.5 else []))
    if op == 19:
        return ("ZREMRANGEBYRANK", k, idx(), idx())
    if op == 20:
        return ("ZREMRANGEBYSCORE", k, b(), b())
    if op == 21:
        return ("ZREMRANGEBYLEX", k, lx(), lx())
    if op == 22:
        kind = rng.choice(["", "BYSCORE"])
        lo, hi = (idx(), idx()) if not kind else (b(), b())
        return ("ZRANGESTORE", rng.choice(KEYS[:3]), k, lo, hi, *([kind] if kind else []))
    if op in (23, 24):
        ks = keys()
        cmd = rng.choice(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZUNION", "ZINTER", "ZDIFF"])
        extra = []
        if "DIFF" not in cmd:
            if rng.random() < 0.5:
                extra += ["WEIGHTS", *[rng.choice(["1", "2", "-1", "0.5", "0", "3.1"]) for _ in ks]]
            if rng.random() < 0.5:
                extra += ["AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])]
        if not cmd.endswith("STORE") and rng.random() < 0.5:
            extra.append("WITHSCORES")
        head = (cmd, rng.choice(KEYS[:3])) if cmd.endswith("STORE") else (cmd,)
        return (*head, str(len(ks)), *ks, *extra)
    if op == 25:
        ks = keys()
        return ("ZINTERCARD", str(len(ks)), *ks, *(["LIMIT", str(rng.randint(0, 2))] if rng.random() < 0.5 else []))
    if op == 26:
        return ("ZRANDMEMBER", k, rng.choice(["0", "100"]), *(["WITHSCORES"] if rng.random() < 0.5 else []))
    if op == 27:
        return ("ZSCAN", k, "0", *(["MATCH", rng.choice(["*", "[a-c]", "?"])] if rng.random() < 0.5 else []))
    if op == 28:
        return rng.choice([("SADD", "s1", m()), ("SET", "str", "x"), ("DEL", k), ("TYPE", k)])
    if op == 29:
        return ("ZRANGE", k, "0", "-1", "WITHSCORES")
    if op == 30:
        return ("ZADD", k, "0", m(), "0", m())
    return ("EXISTS", k)


@pytest.mark.parametrize("protocol", [2, 3])
def test_randomized_differential(server, reference, protocol):
    base = int(os.environ.get("STARLING_ZL_SEED", time.time_ns() % 1_000_000))
    for run in range(3):
        seed = base + run
        print("seed", seed, "protocol", protocol)
        rng = random.Random(seed)
        cmds = [("FLUSHALL",)] + [random_command(rng) for _ in range(1500)]
        assert_same(server.port, reference.port, cmds, protocol=protocol)


# ---- A million members.

def test_million_member_sorted_set(server):
    # Removing half a million members takes seconds on a loaded 2-core machine.
    r = server.client(socket_timeout=120)
    n = 1_000_000
    batch = 20000
    pipe = r.pipeline(transaction=False)
    for start in range(0, n, batch):
        pipe.zadd("big", {"m%07d" % i: i for i in range(start, start + batch)})
    assert sum(pipe.execute()) == n
    assert r.zcard("big") == n
    mid = n // 2
    assert r.zrange("big", mid, mid + 2) == ["m0500000", "m0500001", "m0500002"]
    assert r.zrange("big", -mid - 1, -mid + 1) == ["m0499999", "m0500000", "m0500001"]
    assert r.zrangebyscore("big", "(499999", 500001, withscores=True) == [
        ("m0500000", 500000.0), ("m0500001", 500001.0)]
    assert r.zrevrangebyscore("big", 500000, "-inf", start=10, num=2) == ["m0499990", "m0499989"]
    assert r.zrank("big", "m0654321") == 654321
    assert r.zcount("big", 250000, "(750000") == 500000
    assert r.execute_command("ZRANGE", "big", "(700000", "+inf", "BYSCORE", "LIMIT", "5", "2") == [
        "m0700006", "m0700007"]
    assert r.zremrangebyrank("big", 0, mid - 1) == mid
    assert r.zrange("big", 0, 0, withscores=True) == [("m0500000", 500000.0)]
    assert r.delete("big") == 1
