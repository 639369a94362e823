"""Hash commands against a real starling-server: HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HLEN,
HSTRLEN, HEXISTS, HKEYS, HVALS, HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN; errors,
WRONGTYPE, RESP3 shapes (HGETALL map, HRANDFIELD WITHVALUES pairs), a 1M-field hash, and
random command sequences replayed against redis-server 7 with identical replies.

Every expected reply and error string was checked against redis-server 7.0.15 by running this
file against it (STARLING_SERVER pointing at a wrapper that starts redis-server with the same
flags); the few deliberate differences are marked starling_only.
"""
import random
import shutil
import subprocess
import threading
import time

import pytest
import redis

from conftest import WRONGTYPE, RespError, cmd, encode, err, free_port, is_starling

def pairs(flat):
    assert len(flat) % 2 == 0
    return dict(zip(flat[0::2], flat[1::2]))


def resp3(server):
    conn = server.raw()
    reply = conn.command("HELLO", "3")
    if isinstance(reply, RespError):
        conn.close()
        pytest.skip("HELLO 3 not supported: " + reply)
    return conn


def shape(conn, *args):
    """Sends a command on a raw connection; returns the reply's header line and its elements
    (an aggregate's elements parsed, a bulk's bytes)."""
    conn.send(encode(*args))
    line = conn.read_line()
    t, n = line[:1], line[1:]
    if t in (b"*", b"~", b"%") and int(n) > 0:
        return line, [conn.read_reply() for _ in range(int(n) * (2 if t == b"%" else 1))]
    if t == b"$" and int(n) >= 0:
        return line, conn.read_exact(int(n) + 2)[:-2]
    return line, None


def other_types(c):
    keys = {"str": ["SET", "str", "x"], "set": ["SADD", "set", "a"],
            "list": ["RPUSH", "list", "a"], "zset": ["ZADD", "zset", "1", "a"]}
    out = []
    for key, create in keys.items():
        try:
            cmd(c, *create)
            out.append(key)
        except redis.ResponseError as e:
            if "unknown command" not in str(e):
                raise
    assert "str" in out and "set" in out
    return out


# ---- Fields.

def test_hset_hget_hmset_hsetnx(r):
    assert cmd(r, "HSET", "h", "a", "1", "b", "2") == 2
    assert cmd(r, "HSET", "h", "a", "10", "c", "3", "c", "4") == 1  # c counted once
    assert cmd(r, "HGET", "h", "a") == "10"
    assert cmd(r, "HGET", "h", "c") == "4"  # the last value of a repeated field
    assert cmd(r, "HGET", "h", "zz") is None
    assert cmd(r, "HGET", "nokey", "a") is None
    assert err(r, "HSET", "h", "a") == "wrong number of arguments for 'hset' command"
    assert err(r, "HSET", "h", "a", "1", "b") == "wrong number of arguments for 'hset' command"
    assert err(r, "HMSET", "h", "a", "1", "b") == "wrong number of arguments for 'hmset' command"
    assert cmd(r, "HMSET", "h", "d", "5", "a", "11") == "OK"
    assert cmd(r, "HSETNX", "h", "a", "x") == 0
    assert cmd(r, "HSETNX", "h", "e", "6") == 1
    assert cmd(r, "HSETNX", "new", "e", "6") == 1
    assert err(r, "HSETNX", "h", "a") == "wrong number of arguments for 'hsetnx' command"
    assert cmd(r, "HMGET", "h", "a", "zz", "e") == ["11", None, "6"]
    assert cmd(r, "HMGET", "nokey", "a", "b") == [None, None]
    assert cmd(r, "HSET", "h", "", "") == 1  # empty field and value
    assert cmd(r, "HGET", "h", "") == ""


def test_hdel_hlen_hstrlen_hexists(r):
    r.hset("h", mapping={"a": "1", "b": "22", "c": "333"})
    assert cmd(r, "HLEN", "h") == 3
    assert cmd(r, "HLEN", "nokey") == 0
    assert cmd(r, "HSTRLEN", "h", "c") == 3
    assert cmd(r, "HSTRLEN", "h", "zz") == 0
    assert cmd(r, "HSTRLEN", "nokey", "a") == 0
    assert cmd(r, "HEXISTS", "h", "a") == 1
    assert cmd(r, "HEXISTS", "h", "zz") == 0
    assert cmd(r, "HEXISTS", "nokey", "a") == 0
    assert cmd(r, "HDEL", "h", "a", "a", "zz") == 1
    assert cmd(r, "HDEL", "h", "zz") == 0
    assert cmd(r, "HDEL", "nokey", "a") == 0
    assert err(r, "HDEL", "h") == "wrong number of arguments for 'hdel' command"
    r.expire("h", 100)
    assert cmd(r, "HSET", "h", "b", "x") == 0
    assert r.ttl("h") == 100  # HSET keeps the TTL
    assert cmd(r, "HDEL", "h", "b", "c") == 2
    assert r.exists("h") == 0  # emptied: deleted, TTL and all
    r.hset("h", "x", "y")
    assert r.ttl("h") == -1 and r.type("h") == "hash"


def test_hkeys_hvals_hgetall(r):
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    r.hincrby("h", "n", 5)
    keys, vals = cmd(r, "HKEYS", "h"), cmd(r, "HVALS", "h")
    assert sorted(keys) == ["a", "b", "c", "n"]
    assert dict(zip(keys, vals)) == {"a": "1", "b": "2", "c": "3", "n": "5"}  # same order
    assert pairs(cmd(r, "HGETALL", "h")) == {"a": "1", "b": "2", "c": "3", "n": "5"}
    assert cmd(r, "HGETALL", "nokey") == []
    assert cmd(r, "HKEYS", "nokey") == []
    assert cmd(r, "HVALS", "nokey") == []


def test_binary_fields_and_values(server, r):
    rb = server.client(decode_responses=False)
    try:
        assert cmd(rb, "HSET", "b", b"\x00f\r\n", b"\xff" * 1000, b"", b"v") == 2
        assert cmd(rb, "HGET", "b", b"\x00f\r\n") == b"\xff" * 1000
        assert cmd(rb, "HSTRLEN", "b", b"\x00f\r\n") == 1000
        assert pairs(cmd(rb, "HGETALL", "b")) == {b"\x00f\r\n": b"\xff" * 1000, b"": b"v"}
    finally:
        rb.close()


# ---- Counters.

def test_hincrby(r):
    assert cmd(r, "HINCRBY", "h", "n", "5") == 5
    assert cmd(r, "HINCRBY", "h", "n", "-7") == -2
    assert cmd(r, "HGET", "h", "n") == "-2"
    assert err(r, "HINCRBY", "h", "n", "x") == "value is not an integer or out of range"
    assert err(r, "HINCRBY", "h", "n", "1.5") == "value is not an integer or out of range"
    r.hset("h", mapping={"s": "abc", "f": "1.5", "sp": " 1", "big": "9223372036854775807"})
    assert err(r, "HINCRBY", "h", "s", "1") == "hash value is not an integer"
    assert err(r, "HINCRBY", "h", "f", "1") == "hash value is not an integer"
    assert err(r, "HINCRBY", "h", "sp", "1") == "hash value is not an integer"
    assert err(r, "HINCRBY", "h", "big", "1") == "increment or decrement would overflow"
    assert cmd(r, "HINCRBY", "h", "big", "-1") == 9223372036854775806
    assert cmd(r, "HINCRBY", "h", "low", "-9223372036854775808") == -9223372036854775808
    assert err(r, "HINCRBY", "h", "low", "-1") == "increment or decrement would overflow"
    assert cmd(r, "HSET", "h", "n", "100") == 0  # HSET replaces the counter
    assert cmd(r, "HINCRBY", "h", "n", "1") == 101
    assert cmd(r, "HDEL", "h", "n") == 1
    assert cmd(r, "HINCRBY", "h", "n", "3") == 3  # from 0 again
    assert cmd(r, "HSTRLEN", "h", "big") == 19


def test_hincrbyfloat(r):
    assert cmd(r, "HINCRBYFLOAT", "h", "x", "1.5") == "1.5"
    assert cmd(r, "HINCRBYFLOAT", "h", "x", "0.1") == "1.6"
    assert cmd(r, "HINCRBYFLOAT", "h", "x", "-1.6") == "0"
    assert cmd(r, "HINCRBYFLOAT", "h", "i", "3.0") == "3"
    assert cmd(r, "HINCRBY", "h", "i", "2") == 5
    assert cmd(r, "HINCRBYFLOAT", "h", "e", "5.0e3") == "5000"
    assert cmd(r, "HINCRBYFLOAT", "h", "y", "100.1") == "100.1"
    assert err(r, "HINCRBYFLOAT", "h", "x", "x") == "value is not a valid float"
    assert err(r, "HINCRBYFLOAT", "h", "x", "nan") == "value is not a valid float"
    assert err(r, "HINCRBYFLOAT", "h", "x", "inf") == "value is NaN or Infinity"
    assert err(r, "HINCRBYFLOAT", "h", "x", "-inf") == "value is NaN or Infinity"
    r.hset("h", mapping={"s": "abc", "sp": " 1", "huge": "1.1e4932"})
    assert err(r, "HINCRBYFLOAT", "h", "s", "1") == "hash value is not a float"
    assert err(r, "HINCRBYFLOAT", "h", "sp", "1") == "hash value is not a float"
    assert err(r, "HINCRBYFLOAT", "h", "huge", "1.1e4932") == (
        "increment would produce NaN or Infinity")
    big = cmd(r, "HINCRBYFLOAT", "h", "b", "1e308")
    big = cmd(r, "HINCRBYFLOAT", "h", "b", "1e308")  # a long double: no overflow
    assert len(big) == 309 and big.startswith("19999999999999999999")
    assert cmd(r, "HINCRBY", "h", "x", "1") == 1
    assert cmd(r, "HINCRBYFLOAT", "h", "x", "0.25") == "1.25"
    assert err(r, "HINCRBY", "h", "x", "1") == "hash value is not an integer"


# ---- HRANDFIELD.

def test_hrandfield(r):
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    assert cmd(r, "HRANDFIELD", "h") in ("a", "b", "c")
    assert cmd(r, "HRANDFIELD", "nokey") is None
    assert cmd(r, "HRANDFIELD", "nokey", "2") == []
    assert cmd(r, "HRANDFIELD", "nokey", "-2", "WITHVALUES") == []
    assert cmd(r, "HRANDFIELD", "h", "0") == []
    assert cmd(r, "HRANDFIELD", "h", "0", "WITHVALUES") == []
    assert pairs(cmd(r, "HRANDFIELD", "h", "5", "withvalues")) == {"a": "1", "b": "2", "c": "3"}
    two = cmd(r, "HRANDFIELD", "h", "2")
    assert len(set(two)) == 2 and set(two) <= {"a", "b", "c"}
    rep = cmd(r, "HRANDFIELD", "h", "-10", "WITHVALUES")
    assert len(rep) == 20
    for f, v in zip(rep[0::2], rep[1::2]):
        assert {"a": "1", "b": "2", "c": "3"}[f] == v
    assert err(r, "HRANDFIELD", "h", "2", "x") == "syntax error"
    assert err(r, "HRANDFIELD", "h", "2", "WITHVALUES", "x") == "syntax error"
    assert err(r, "HRANDFIELD", "h", "x") == "value is not an integer or out of range"
    assert err(r, "HRANDFIELD", "h", "-9223372036854775808") == (
        "value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    assert err(r, "HRANDFIELD", "h", "4611686018427387904", "WITHVALUES") == (
        "value is out of range")
    assert err(r, "HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES") == (
        "value is out of range")
    assert err(r, "HRANDFIELD", "h", "-4611686018427387904", "WITHVALUE") == "syntax error"


def test_hrandfield_huge_negative_count_is_refused(r):
    if not is_starling(r):
        pytest.skip("starling_only: redis-server builds this reply until memory runs out")
    r.hset("h", "a", "1")
    assert err(r, "HRANDFIELD", "h", "-4611686018427387903") == (
        "value is out of range, value must between -33554432 and 9223372036854775807")
    assert len(cmd(r, "HRANDFIELD", "h", "-100000", "WITHVALUES")) == 200000


def test_resp3_shapes(server, r):
    r.hset("h", mapping={"a": "1"})
    c = resp3(server)
    try:
        assert shape(c, "HGETALL", "h") == (b"%1", [b"a", b"1"])
        assert shape(c, "HGETALL", "nokey") == (b"%0", None)
        assert shape(c, "HKEYS", "h") == (b"*1", [b"a"])
        assert shape(c, "HVALS", "h") == (b"*1", [b"1"])
        assert shape(c, "HMGET", "h", "a", "z") == (b"*2", [b"1", None])
        assert shape(c, "HGET", "h", "z") == (b"_", None)
        assert shape(c, "HRANDFIELD", "h", "-2", "WITHVALUES") == (
            b"*2", [[b"a", b"1"], [b"a", b"1"]])
        assert shape(c, "HRANDFIELD", "h", "5", "WITHVALUES") == (b"*1", [[b"a", b"1"]])
        assert shape(c, "HRANDFIELD", "h", "1") == (b"*1", [b"a"])
        assert shape(c, "HRANDFIELD", "nokey", "1", "WITHVALUES") == (b"*0", None)
        assert shape(c, "HRANDFIELD", "nokey") == (b"_", None)
        assert shape(c, "HSCAN", "h", "0") == (b"*2", [b"0", [b"a", b"1"]])
        assert shape(c, "HINCRBYFLOAT", "h", "f", "1.5") == (b"$3", b"1.5")
    finally:
        c.close()


# ---- Errors across the family.

def test_wrongtype_for_every_command(r):
    for k in other_types(r):
        for args in (["HSET", k, "a", "1"], ["HSETNX", k, "a", "1"], ["HMSET", k, "a", "1"],
                     ["HGET", k, "a"], ["HMGET", k, "a"], ["HDEL", k, "a"], ["HLEN", k],
                     ["HSTRLEN", k, "a"], ["HEXISTS", k, "a"], ["HKEYS", k], ["HVALS", k],
                     ["HGETALL", k], ["HINCRBY", k, "a", "1"], ["HINCRBYFLOAT", k, "a", "1"],
                     ["HRANDFIELD", k], ["HRANDFIELD", k, "1"],
                     ["HRANDFIELD", k, "-1", "WITHVALUES"], ["HSCAN", k, "0"]):
            assert err(r, *args) == WRONGTYPE, args
    assert r.get("str") == "x"
    # Argument errors that Redis reports before looking at the key.
    assert err(r, "HINCRBY", "str", "a", "x") == "value is not an integer or out of range"
    assert err(r, "HINCRBYFLOAT", "str", "a", "x") == "value is not a valid float"
    assert err(r, "HINCRBYFLOAT", "str", "a", "inf") == "value is NaN or Infinity"
    assert err(r, "HRANDFIELD", "str", "x") == "value is not an integer or out of range"
    assert err(r, "HRANDFIELD", "str", "1", "x") == "syntax error"
    assert err(r, "HSCAN", "str", "x") == "invalid cursor"
    assert err(r, "HSET", "str", "a", "1", "b") == "wrong number of arguments for 'hset' command"


# ---- HSCAN.

def test_hscan_errors_and_small_hashes(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert err(r, "HSCAN", "h", "x") == "invalid cursor"
    assert err(r, "HSCAN", "h", "0", "COUNT", "0") == "syntax error"
    assert err(r, "HSCAN", "h", "0", "COUNT", "x") == "value is not an integer or out of range"
    assert err(r, "HSCAN", "h", "0", "MATCH") == "syntax error"
    assert err(r, "HSCAN", "h", "0", "NOVALUES") == "syntax error"
    assert err(r, "HSCAN", "h") == "wrong number of arguments for 'hscan' command"
    assert cmd(r, "HSCAN", "nokey", "0", "COUNT", "0") == ["0", []]
    assert cmd(r, "HSCAN", "h", "0", "MATCH", "b") == ["0", ["b", "2"]]
    cursor, page = cmd(r, "HSCAN", "h", "0", "COUNT", "1")  # a small hash comes whole
    assert cursor == "0" and pairs(page) == {"a": "1", "b": "2"}


def full_hscan(c, key, count):
    seen, cursor, calls = {}, "0", 0
    while True:
        cursor, page = cmd(c, "HSCAN", key, cursor, "COUNT", count)
        seen.update(pairs(page))
        calls += 1
        if cursor == "0":
            return seen, calls


# ---- A 1M-field hash.

def test_million_field_hash(server, r):
    n = 1_000_000
    pipe = r.pipeline(transaction=False)
    for base in range(0, n, 5_000):
        args = []
        for i in range(base, base + 5_000):
            args += ["f%d" % i, "v%d" % i]
        pipe.execute_command("HSET", "big", *args)
        if base % 100_000 == 95_000:
            assert sum(pipe.execute()) == 100_000
    assert cmd(r, "HLEN", "big") == n
    assert cmd(r, "HGET", "big", "f999999") == "v999999"

    start = time.monotonic()
    pipe = r.pipeline(transaction=False)
    for i in range(300):
        pipe.execute_command("HGET", "big", "f%d" % (i * 3331))
        pipe.execute_command("HINCRBY", "big", "counter", "1")
        pipe.execute_command("HRANDFIELD", "big")
        pipe.execute_command("HSET", "big", "f%d" % (i * 3331), "w%d" % i)
    out = pipe.execute()
    assert time.monotonic() - start < 20
    assert out[0::4] == ["v%d" % (i * 3331) for i in range(300)]
    assert out[1::4] == list(range(1, 301))
    assert len(set(out[2::4])) >= 290

    some = pairs(cmd(r, "HRANDFIELD", "big", "1000", "WITHVALUES"))
    assert len(some) == 1000
    for f, v in list(some.items())[:50]:
        assert cmd(r, "HGET", "big", f) == v
    assert len(cmd(r, "HRANDFIELD", "big", "-100000")) == 100000

    # A full HSCAN while another client keeps changing the hash.
    other = server.client()
    stop = threading.Event()
    changed = set()

    def writer():
        i = 0
        while not stop.is_set():
            f = "f%d" % (i * 7919 % n)
            other.hdel("big", f)
            changed.add(f)
            other.hset("big", "extra%d" % i, "x")
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        seen, calls = full_hscan(r, "big", 1000)
    finally:
        stop.set()
        t.join()
        other.close()
    assert calls > 500
    rewritten = {"f%d" % (i * 3331): "w%d" % i for i in range(300)}
    for i in range(n):
        f = "f%d" % i
        if f in changed:
            continue
        assert seen.get(f) == rewritten.get(f, "v%d" % i), f
    assert seen["counter"] == "300"
    assert len(cmd(r, "HKEYS", "big")) == cmd(r, "HLEN", "big")
    assert r.delete("big") == 1


# ---- Random command sequences, replayed against redis-server.

@pytest.fixture(scope="module")
def real_redis():
    exe = shutil.which("redis-server")
    if not exe:
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    c = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    for _ in range(200):
        try:
            c.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.02)
    yield c
    c.close()
    proc.terminate()
    proc.wait(timeout=10)


def reply_of(c, args):
    try:
        out = cmd(c, *args)
    except redis.ResponseError as e:
        return "ERR:" + str(e)
    name = args[0]
    if name in ("HKEYS", "HVALS"):
        return sorted(out)
    if name in ("HGETALL", "HRANDFIELD") and isinstance(out, list):
        return sorted(zip(out[0::2], out[1::2])) if "WITHVALUES" in args or name == "HGETALL" \
            else sorted(out)
    if name == "HSCAN":
        return [out[0], sorted(zip(out[1][0::2], out[1][1::2]))]
    return out


def random_hash_command(rnd):
    keys = ["h1", "h2", "str"]
    k = lambda: rnd.choice(keys)
    f = lambda: rnd.choice(["a", "b", "c", "d", "1", "x y"])
    v = lambda: rnd.choice(["0", "1", "-5", "12", "abc", "", "3.5", "1e3", "007", " 2"])
    inc = lambda: rnd.choice(["1", "-1", "10", "-100", "9223372036854775807", "x"])
    finc = lambda: rnd.choice(["0.5", "-1.25", "0.1", "3", "1e2", "inf", "x", "-0.75"])
    choices = [
        lambda: ["HSET", k(), f(), v()], lambda: ["HSET", k(), f(), v(), f(), v()],
        lambda: ["HSETNX", k(), f(), v()], lambda: ["HMSET", k(), f(), v()],
        lambda: ["HGET", k(), f()], lambda: ["HMGET", k(), f(), f()],
        lambda: ["HDEL", k(), f(), f()], lambda: ["HLEN", k()], lambda: ["HSTRLEN", k(), f()],
        lambda: ["HEXISTS", k(), f()], lambda: ["HKEYS", k()], lambda: ["HVALS", k()],
        lambda: ["HGETALL", k()], lambda: ["HINCRBY", k(), f(), inc()],
        lambda: ["HINCRBY", k(), f(), inc()], lambda: ["HINCRBYFLOAT", k(), f(), finc()],
        lambda: ["HINCRBYFLOAT", k(), f(), finc()],
        lambda: ["HRANDFIELD", k(), "100", "WITHVALUES"], lambda: ["HRANDFIELD", k(), "100"],
        lambda: ["HRANDFIELD", k(), "0"], lambda: ["HSCAN", k(), "0", "COUNT", "100"],
        lambda: ["HSCAN", k(), "0", "MATCH", "[a-c]"], lambda: ["SET", "str", "x"],
        lambda: ["DEL", k()], lambda: ["TYPE", k()], lambda: ["EXISTS", k()],
    ]
    return rnd.choice(choices)()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_random_sequences_match_redis(r, real_redis, seed):
    rnd = random.Random(seed)
    real_redis.flushall()
    for step in range(400):
        args = random_hash_command(rnd)
        ours, theirs = reply_of(r, args), reply_of(real_redis, args)
        assert ours == theirs, "seed %d step %d: %r" % (seed, step, args)
    for key in ("h1", "h2", "str"):
        assert reply_of(r, ["HGETALL", key]) == reply_of(real_redis, ["HGETALL", key])
