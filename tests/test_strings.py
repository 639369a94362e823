"""String and counter commands against a real starling-server: GET, SET and every option,
SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX, MGET, MSET, MSETNX, APPEND, STRLEN, GETRANGE,
SUBSTR, SETRANGE, INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT; expiry, binary data, pipelining
and many concurrent clients.

Every expected reply and error string was checked against redis-server 7.0.15 by running
this file against it (STARLING_SERVER pointing at a wrapper that starts redis-server with
the same flags).
"""
import threading
import time

import pytest
import redis


def flush(c):
    try:
        c.flushall()
    except redis.ResponseError as e:  # FLUSHALL belongs to the server family
        if "unknown command" not in str(e):
            raise
        keys = c.keys("*")
        if keys:
            c.delete(*keys)


@pytest.fixture
def r(server):
    c = server.client()
    flush(c)
    yield c
    c.close()


@pytest.fixture
def rb(server):
    c = server.client(decode_responses=False)
    flush(c)
    yield c
    c.close()


def err(fn, *args, **kw):
    with pytest.raises(redis.ResponseError) as e:
        fn(*args, **kw)
    return str(e.value)


def cmd(c, *args):
    """Runs a command and returns the reply as sent (no redis-py reply callbacks)."""
    conn = c.connection_pool.get_connection(args[0])
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        c.connection_pool.release(conn)


def registered(c, *probe):
    try:
        c.execute_command(*probe)
    except redis.ResponseError as e:
        return "unknown command" not in str(e)
    return True


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


# ---- GET / SET

def test_get_set(r):
    assert r.get("k") is None
    assert r.set("k", "v") is True
    assert r.get("k") == "v"
    assert r.set("k", "") is True
    assert r.get("k") == ""
    assert err(cmd, r, "GET") == "wrong number of arguments for 'get' command"
    assert err(cmd, r, "GET", "a", "b") == "wrong number of arguments for 'get' command"
    assert err(cmd, r, "SET", "k") == "wrong number of arguments for 'set' command"


def test_set_nx_xx(r):
    assert r.set("k", "1", nx=True) is True
    assert r.set("k", "2", nx=True) is None
    assert r.get("k") == "1"
    assert r.set("k", "3", xx=True) is True
    assert r.get("k") == "3"
    assert r.set("nokey", "x", xx=True) is None
    assert r.exists("nokey") == 0
    assert err(cmd, r, "SET", "k", "v", "NX", "XX") == "syntax error"
    assert err(cmd, r, "SET", "k", "v", "xx", "nx") == "syntax error"
    assert cmd(r, "SET", "k", "v", "nx", "NX") is None  # repeating an option is fine


def test_set_get_option(r):
    assert cmd(r, "SET", "k", "v1", "GET") is None
    assert cmd(r, "SET", "k", "v2", "GET") == "v1"
    assert cmd(r, "SET", "k", "v3", "GET", "GET") == "v2"
    # NX GET (allowed since 7.0): the old value, and no write when the key exists.
    assert cmd(r, "SET", "k", "v4", "NX", "GET") == "v3"
    assert r.get("k") == "v3"
    assert cmd(r, "SET", "new", "n", "NX", "GET") is None
    assert r.get("new") == "n"
    assert cmd(r, "SET", "k", "v5", "XX", "GET") == "v3"
    assert cmd(r, "SET", "nokey", "x", "XX", "GET") is None
    assert r.exists("nokey") == 0


def test_set_expire_options(r):
    r.set("k", "v", ex=100)
    assert r.ttl("k") == 100
    r.set("k", "v", px=100000)
    assert 99000 < r.pttl("k") <= 100000
    at = int(time.time()) + 1000
    r.set("k", "v", exat=at)
    assert r.expiretime("k") == at
    r.set("k", "v", pxat=at * 1000 + 123)
    assert r.pexpiretime("k") == at * 1000 + 123
    cmd(r, "SET", "k", "v", "ex", "50")  # lower case
    assert r.ttl("k") == 50
    cmd(r, "SET", "k", "v", "EXAT", "9223372036854775")
    cmd(r, "SET", "k", "v", "PXAT", "9223372036854775807")
    assert r.pexpiretime("k") == 9223372036854775807


def test_set_keepttl_and_plain_set_clears_ttl(r):
    r.set("k", "v", ex=100)
    r.set("k", "v2", keepttl=True)
    assert r.ttl("k") == 100
    assert r.get("k") == "v2"
    r.set("k", "v3")
    assert r.ttl("k") == -1
    r.set("nokey", "v", keepttl=True)
    assert r.ttl("nokey") == -1


def test_set_expire_in_the_past_deletes(r):
    assert cmd(r, "SET", "k", "v", "PXAT", "1") == "OK"
    assert r.get("k") is None
    r.set("k", "old")
    assert cmd(r, "SET", "k", "v", "EXAT", "1", "GET") == "old"
    assert r.exists("k") == 0


def test_set_option_errors(r):
    def s(*opts):
        return cmd(r, "SET", "k", "v", *opts)
    expire_err = "invalid expire time in 'set' command"
    assert err(s, "EX", "0") == expire_err
    assert err(s, "EX", "-5") == expire_err
    assert err(s, "PX", "0") == expire_err
    assert err(s, "EXAT", "0") == expire_err
    assert err(s, "PXAT", "-1") == expire_err
    assert err(s, "EX", "9223372036854775807") == expire_err
    assert err(s, "EX", "9223372036854775") == expire_err  # overflows once now is added
    assert err(s, "PX", "abc") == "value is not an integer or out of range"
    assert err(s, "EX", "1.5") == "value is not an integer or out of range"
    assert err(s, "EX") == "syntax error"
    assert err(s, "EX", "10", "PX", "100") == "syntax error"
    assert err(s, "EX", "10", "KEEPTTL") == "syntax error"
    assert err(s, "KEEPTTL", "EX", "10") == "syntax error"
    assert err(s, "PXAT", "10", "EXAT", "10") == "syntax error"
    assert err(s, "FOO") == "syntax error"
    assert err(s, "NX", "XX") == "syntax error"
    assert err(s, "EX", "abc", "PX", "1") == "syntax error"  # syntax is checked first
    assert err(s, "EX", "abc", "FOO") == "syntax error"
    assert r.exists("k") == 0  # no error wrote anything
    # The same expiry option twice: the last time wins (even after an invalid one).
    assert s("EX", "0", "EX", "20") == "OK"
    assert r.ttl("k") == 20
    assert s("PXAT", "1", "PXAT", "4102444800000") == "OK"
    assert r.pexpiretime("k") == 4102444800000


def test_setnx_setex_psetex(r):
    assert r.setnx("k", "1") is True
    assert r.setnx("k", "2") is False
    assert r.get("k") == "1"
    assert r.setex("k", 100, "v") is True
    assert r.get("k") == "v" and r.ttl("k") == 100
    assert r.psetex("p", 100000, "v") is True
    assert 99000 < r.pttl("p") <= 100000
    assert err(cmd, r, "SETEX", "k", "0", "v") == "invalid expire time in 'setex' command"
    assert err(cmd, r, "SETEX", "k", "-1", "v") == "invalid expire time in 'setex' command"
    assert err(cmd, r, "SETEX", "k", "9223372036854775807", "v") == \
        "invalid expire time in 'setex' command"
    assert err(cmd, r, "PSETEX", "k", "-1", "v") == "invalid expire time in 'psetex' command"
    assert err(cmd, r, "SETEX", "k", "abc", "v") == "value is not an integer or out of range"
    assert err(cmd, r, "SETEX", "k", "10") == "wrong number of arguments for 'setex' command"
    assert err(cmd, r, "SETNX", "k") == "wrong number of arguments for 'setnx' command"


def test_getset_getdel(r):
    assert r.getset("k", "1") is None
    r.expire("k", 100)
    assert r.getset("k", "2") == "1"
    assert r.ttl("k") == -1  # GETSET is a SET: the TTL goes
    assert r.getdel("k") == "2"
    assert r.exists("k") == 0
    assert r.getdel("k") is None


def test_getex(r):
    assert r.getex("nokey") is None
    # Redis checks the time only once it has found the key.
    assert cmd(r, "GETEX", "nokey", "EX", "0") is None
    assert cmd(r, "GETEX", "nokey", "PX", "abc") is None
    assert err(cmd, r, "GETEX", "nokey", "EX") == "syntax error"
    r.set("k", "v")
    assert r.getex("k") == "v"
    assert r.ttl("k") == -1
    assert r.getex("k", ex=100) == "v"
    assert r.ttl("k") == 100
    assert r.getex("k", px=50000) == "v"
    assert 49000 < r.pttl("k") <= 50000
    at = int(time.time()) + 1000
    assert r.getex("k", exat=at) == "v"
    assert r.expiretime("k") == at
    assert r.getex("k", pxat=at * 1000 + 5) == "v"
    assert r.pexpiretime("k") == at * 1000 + 5
    assert r.getex("k", persist=True) == "v"
    assert r.ttl("k") == -1
    assert cmd(r, "GETEX", "k", "PXAT", "1") == "v"  # in the past: deleted
    assert r.exists("k") == 0


def test_getex_errors(r):
    r.set("k", "v")
    assert err(cmd, r, "GETEX", "k", "EX", "0") == "invalid expire time in 'getex' command"
    assert err(cmd, r, "GETEX", "k", "PX", "-1") == "invalid expire time in 'getex' command"
    assert err(cmd, r, "GETEX", "k", "PERSIST", "EX", "10") == "syntax error"
    assert err(cmd, r, "GETEX", "k", "EX", "10", "PERSIST") == "syntax error"
    assert err(cmd, r, "GETEX", "k", "EX", "10", "PX", "10") == "syntax error"
    assert err(cmd, r, "GETEX", "k", "FOO") == "syntax error"
    assert err(cmd, r, "GETEX", "k", "EX") == "syntax error"
    assert err(cmd, r, "GETEX", "k", "EX", "abc") == "value is not an integer or out of range"
    assert err(cmd, r, "GETEX", "k", "NX") == "syntax error"  # SET's options are not GETEX's
    assert err(cmd, r, "GETEX", "k", "KEEPTTL") == "syntax error"
    assert err(cmd, r, "SET", "k", "v", "PERSIST") == "syntax error"
    assert r.ttl("k") == -1
    assert cmd(r, "GETEX", "k", "EX", "0", "EX", "30") == "v"
    assert r.ttl("k") == 30
    assert cmd(r, "GETEX", "k", "PERSIST", "PERSIST") == "v"
    assert r.ttl("k") == -1


def test_mget_mset_msetnx(r):
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.mget("a", "b", "c", "a") == ["1", "2", None, "1"]
    assert err(cmd, r, "MSET", "a") == "wrong number of arguments for 'mset' command"
    assert err(cmd, r, "MSET", "a", "1", "b") == "wrong number of arguments for 'mset' command"
    assert err(cmd, r, "MSETNX", "a", "1", "b") == "wrong number of arguments for 'msetnx' command"
    assert err(cmd, r, "MGET") == "wrong number of arguments for 'mget' command"
    assert r.msetnx({"c": "3", "a": "x"}) is False
    assert r.mget("a", "c") == ["1", None]  # all or nothing
    assert r.msetnx({"c": "3", "d": "4"}) is True
    assert r.mget("c", "d") == ["3", "4"]
    assert cmd(r, "MSET", "e", "1", "e", "2") == "OK"  # the last value wins
    assert r.get("e") == "2"
    r.set("t", "v", ex=100)
    r.mset({"t": "w"})
    assert r.ttl("t") == -1


def test_append_strlen(r):
    assert r.append("k", "ab") == 2
    assert r.append("k", "cd") == 4
    assert r.get("k") == "abcd"
    assert r.strlen("k") == 4
    assert r.strlen("nokey") == 0
    r.set("t", "x", ex=100)
    r.append("t", "y")
    assert r.ttl("t") == 100  # APPEND keeps the TTL
    r.incr("n")
    assert r.append("n", "0") == 2
    assert r.incr("n") == 11


def test_getrange(r):
    r.set("k", "This is a string")
    cases = [((0, 3), "This"), ((-3, -1), "ing"), ((0, -1), "This is a string"),
             ((10, 100), "string"), ((5, 3), ""), ((-1, -5), ""), ((-100, 3), "This"),
             ((100, 200), ""), ((-100, -50), "T"), ((3, -100), ""), ((0, 0), "T"),
             ((-1, -1), "g"), ((15, 15), "g"), ((16, 16), "")]
    for (a, b), want in cases:
        assert r.getrange("k", a, b) == want, (a, b)
    assert cmd(r, "SUBSTR", "k", "0", "3") == "This"
    assert r.getrange("nokey", 0, -1) == ""
    r.set("e", "")
    assert r.getrange("e", 0, -1) == ""
    assert err(cmd, r, "GETRANGE", "k", "a", "1") == "value is not an integer or out of range"
    assert err(cmd, r, "GETRANGE", "k", "0") == "wrong number of arguments for 'getrange' command"


def test_setrange(rb):
    assert rb.setrange("k", 5, b"x") == 6
    assert rb.get("k") == b"\x00" * 5 + b"x"
    assert rb.setrange("k", 0, b"ab") == 6
    assert rb.get("k") == b"ab\x00\x00\x00x"
    assert rb.setrange("k", 4, b"LONGER") == 10
    assert rb.get("k") == b"ab\x00\x00LONGER"
    assert rb.setrange("nokey", 10, b"") == 0
    assert rb.exists("nokey") == 0
    assert rb.setrange("k", 100, b"") == 10  # an empty piece changes nothing
    assert err(rb.setrange, "k", -1, b"x") == "offset is out of range"
    assert err(rb.setrange, "k", 536870912, b"x") == \
        "string exceeds maximum allowed size (proto-max-bulk-len)"
    # An offset near 2^63 overflows offset + length: too long, not a crash.
    assert err(rb.setrange, "k", 9223372036854775807, b"inf") == \
        "string exceeds maximum allowed size (proto-max-bulk-len)"
    assert err(rb.setrange, "nokey", 9223372036854775806, b"xy") == \
        "string exceeds maximum allowed size (proto-max-bulk-len)"
    assert rb.exists("nokey") == 0
    assert err(cmd, rb, "SETRANGE", "k", "abc", "x") == "value is not an integer or out of range"
    rb.set("t", b"v", ex=100)
    rb.setrange("t", 0, b"w")
    assert rb.ttl("t") == 100


def test_incr_decr(r):
    assert r.incr("n") == 1
    assert r.incr("n") == 2
    assert r.decr("n") == 1
    assert r.incrby("n", 100) == 101
    assert r.decrby("n", 1000) == -899
    assert r.incrby("n", -1) == -900
    assert r.get("n") == "-900"
    assert r.decr("m") == -1
    r.set("s", "41")
    assert r.incr("s") == 42
    r.set("t", "10", ex=100)
    r.incr("t")
    assert r.ttl("t") == 100  # INCR keeps the TTL


def test_incr_errors_and_overflow(r):
    not_int = "value is not an integer or out of range"
    for v in ("abc", " 1", "1 ", "1.0", "012", "+1", "", "9223372036854775808"):
        r.set("k", v)
        assert err(r.incr, "k") == not_int, v
        assert r.get("k") == v
    r.set("n", "9223372036854775807")
    assert err(r.incr, "n") == "increment or decrement would overflow"
    assert r.incrby("n", 0) == 9223372036854775807
    assert err(r.incrby, "n", 1) == "increment or decrement would overflow"
    r.set("n", "-9223372036854775808")
    assert err(r.decr, "n") == "increment or decrement would overflow"
    assert err(r.decrby, "n", 1) == "increment or decrement would overflow"
    assert err(r.decrby, "n", -9223372036854775808) == "decrement would overflow"
    r.set("n", "0")
    assert err(r.decrby, "n", -9223372036854775808) == "decrement would overflow"
    assert err(cmd, r, "INCRBY", "n", "9223372036854775808") == not_int
    assert err(cmd, r, "INCRBY", "n", "1.5") == not_int
    assert err(cmd, r, "DECRBY", "n", "abc") == not_int
    assert r.incrby("n", -9223372036854775808) == -9223372036854775808
    assert err(cmd, r, "INCR") == "wrong number of arguments for 'incr' command"


def test_incrbyfloat(r):
    r.set("f", "10.50")
    assert cmd(r, "INCRBYFLOAT", "f", "0.1") == "10.6"
    assert cmd(r, "INCRBYFLOAT", "f", "-5.0e3") == "-4989.39999999999999991"
    r.set("g", "3")
    assert cmd(r, "INCRBYFLOAT", "g", "1.5e1") == "18"
    assert cmd(r, "INCRBYFLOAT", "new", "0x10") == "16"
    assert cmd(r, "INCRBYFLOAT", "new", "-0") == "16"
    assert cmd(r, "INCRBYFLOAT", "z", "-1.5") == "-1.5"
    assert r.incr("new") == 17  # an integral result is an integer again
    r.set("e", "5.0e3")
    assert cmd(r, "INCRBYFLOAT", "e", "200") == "5200"
    r.set("t", "1", ex=100)
    r.incrbyfloat("t", 1)
    assert r.ttl("t") == 100


def test_incrbyfloat_result_is_the_stored_value(r):
    # The value after INCRBYFLOAT is the number in canonical form, even when the increments
    # since the last SET add up to zero.
    r.set("f", "3.0")
    assert cmd(r, "INCRBYFLOAT", "f", "0") == "3"
    assert r.get("f") == "3"
    r.set("g", "1e3")
    assert cmd(r, "INCRBYFLOAT", "g", "1.5") == "1001.5"
    assert cmd(r, "INCRBYFLOAT", "g", "-1.5") == "1000"
    assert r.get("g") == "1000"
    assert r.strlen("g") == 4
    r.set("h", "5.50")
    r.incrbyfloat("h", 0.25)
    r.incrbyfloat("h", -0.25)
    assert r.get("h") == "5.5"


def test_incrbyfloat_after_set_reads_back_exactly(r):
    # An increment after a SET that absorbed the whole counter starts a fresh run, so the
    # value is exactly SET value + increment (it used to net against a long-double total).
    cmd(r, "INCRBYFLOAT", "f", "87.52")
    cmd(r, "INCRBYFLOAT", "f", "147.88")
    r.set("f", "-974")
    assert cmd(r, "INCRBYFLOAT", "f", "462.37") == "-511.63"
    assert r.get("f") == "-511.63"


def test_incrbyfloat_reply_is_what_get_reads(r):
    import random
    rnd = random.Random(7)
    for i in range(300):
        if rnd.random() < 0.2:
            r.set("g", str(rnd.randint(-1000, 1000)))
        reply = cmd(r, "INCRBYFLOAT", "g", "%.2f" % rnd.uniform(-500, 500))
        assert r.get("g") == reply


def test_incrbyfloat_errors(r):
    r.set("f", "1.5")
    for bad in ("abc", "nan", " 1", "1e", ""):
        assert err(cmd, r, "INCRBYFLOAT", "f", bad) == "value is not a valid float", bad
    assert err(cmd, r, "INCRBYFLOAT", "f", "inf") == "increment would produce NaN or Infinity"
    assert err(cmd, r, "INCRBYFLOAT", "f", "-inf") == "increment would produce NaN or Infinity"
    r.set("s", "abc")
    assert err(cmd, r, "INCRBYFLOAT", "s", "1") == "value is not a valid float"
    r.set("f", "1.5")
    assert err(r.incr, "f") == "value is not an integer or out of range"
    # Past the long double range: Redis's float overflow error.
    r.set("big", "1e4932")
    assert err(cmd, r, "INCRBYFLOAT", "big", "1e4932") == "increment would produce NaN or Infinity"
    assert r.get("big") == "1e4932"
    # Large but finite long doubles are fine (and printed in full, as Redis does).
    r.set("d", "17976931348623157e292")
    got = cmd(r, "INCRBYFLOAT", "d", "17976931348623157e292")
    assert got.startswith("3595386269724631") and len(got) == 309 and "." not in got


def test_wrongtype(r):
    made = {}
    for typ, probe in (("set", ("SADD", "coll", "a")), ("list", ("RPUSH", "coll", "a")),
                       ("hash", ("HSET", "coll", "f", "v")), ("zset", ("ZADD", "coll", "1", "a"))):
        if registered(r, *probe):
            made[typ] = probe
            break
    if not made:
        pytest.skip("no collection command registered yet: WRONGTYPE needs a non-string key")
    for call in (("GET", "coll"), ("GETSET", "coll", "v"), ("GETDEL", "coll"), ("GETEX", "coll"),
                 ("SET", "coll", "v", "GET"), ("APPEND", "coll", "x"), ("STRLEN", "coll"),
                 ("GETRANGE", "coll", "0", "1"), ("SETRANGE", "coll", "0", "x"),
                 ("INCR", "coll"), ("DECR", "coll"), ("INCRBY", "coll", "1"),
                 ("DECRBY", "coll", "1"), ("INCRBYFLOAT", "coll", "1")):
        assert "WRONGTYPE " + err(cmd, r, *call).split(" ", 1)[1] == WRONGTYPE, call
    assert r.mget("coll", "nokey") == [None, None]
    assert r.setnx("coll", "v") is False
    assert r.msetnx({"coll": "v", "other": "w"}) is False
    assert r.set("coll", "v", nx=True) is None
    assert r.set("coll", "now a string") is True  # SET replaces any type
    assert r.type("coll") == "string"


# ---- expiry

def test_lazy_expiry(r):
    r.set("k", "v", px=50)
    assert r.get("k") == "v"
    time.sleep(0.1)
    assert r.get("k") is None
    assert r.ttl("k") == -2
    assert r.incr("k") == 1  # starts again from nothing
    assert r.ttl("k") == -1


def test_active_expiry(r):
    if not registered(r, "DBSIZE"):
        pytest.skip("DBSIZE is not registered yet (server family)")
    p = r.pipeline(transaction=False)
    for i in range(50):
        p.set("dying:%d" % i, "v", px=400)
    p.execute()
    r.set("live", "v")
    assert r.dbsize() == 51
    deadline = time.time() + 5
    while r.dbsize() > 1 and time.time() < deadline:
        time.sleep(0.05)  # no command touches the keys: only active expiry removes them
    assert r.dbsize() == 1


def test_ttl_values(r):
    r.set("k", "v", ex=100)
    assert r.ttl("k") == 100
    assert 99000 < r.pttl("k") <= 100000
    r.set("p", "v", px=1500)
    assert r.ttl("p") in (1, 2)
    assert 1000 < r.pttl("p") <= 1500
    r.set("n", "v")
    assert r.ttl("n") == -1 and r.pttl("n") == -1
    assert r.ttl("nokey") == -2 and r.pttl("nokey") == -2


# ---- binary safety

def test_binary_keys_and_values(rb):
    key = b"k\x00e\r\ny\xff"
    value = bytes(range(256)) * 4
    assert rb.set(key, value) is True
    assert rb.get(key) == value
    assert rb.strlen(key) == 1024
    assert rb.append(key, b"\x00\x00") == 1026
    assert rb.getrange(key, 1024, -1) == b"\x00\x00"
    assert rb.mget([key, b"nokey\x00"]) == [value + b"\x00\x00", None]
    assert rb.getdel(key) == value + b"\x00\x00"
    rb.set(b"\x00", b"\x00")
    assert rb.get(b"\x00") == b"\x00"
    assert rb.get(b"\x00\x00") is None
    rb.set(b"", b"empty key")
    assert rb.get(b"") == b"empty key"
    big = b"\x00\r\n" * 100000
    rb.set(b"big", big)
    assert rb.get(b"big") == big


# ---- pipelining and concurrency

def test_pipeline_of_10000_commands(r):
    p = r.pipeline(transaction=False)
    for i in range(5000):
        p.set("p:%d" % i, i)
        p.incr("counter")
    replies = p.execute()
    assert len(replies) == 10000
    assert replies[0::2] == [True] * 5000
    assert replies[1::2] == list(range(1, 5001))
    p = r.pipeline(transaction=False)
    for i in range(10000):
        p.get("p:%d" % (i % 5000))
    assert p.execute() == [str(i % 5000) for i in range(10000)]


def test_200_concurrent_clients(server, r):
    n_clients, n_ops = 200, 50
    errors = []
    start = threading.Barrier(n_clients)

    def client(n):
        c = server.client()
        try:
            start.wait()
            for i in range(n_ops):
                c.incr("shared")
                c.set("own:%d" % n, "%d:%d" % (n, i))
                got = c.get("own:%d" % n)
                if got != "%d:%d" % (n, i):
                    errors.append((n, i, got))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert r.get("shared") == str(n_clients * n_ops)
    assert r.mget(["own:%d" % n for n in range(n_clients)]) == \
        ["%d:%d" % (n, n_ops - 1) for n in range(n_clients)]
