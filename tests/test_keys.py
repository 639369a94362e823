"""Generic key commands against a real starling-server: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN,
RANDOMKEY, RENAME, RENAMENX, COPY, TOUCH, OBJECT, the EXPIRE family, TTL, PTTL, EXPIRETIME,
PEXPIRETIME and PERSIST.

Every expected reply and error string was checked against redis-server 7.0.15 by running
this file against it (STARLING_SERVER pointing at a wrapper that starts redis-server with
the same flags); the few places where Starling differs on purpose say so.
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
    """A client that keeps bytes (binary keys and values)."""
    c = server.client(decode_responses=False)
    flush(c)
    yield c
    c.close()


def err(fn, *args):
    with pytest.raises(redis.ResponseError) as e:
        fn(*args)
    return str(e.value)


def registered(c, *probe):
    """True if the server knows the command (families arrive one by one)."""
    try:
        c.execute_command(*probe)
    except redis.ResponseError as e:
        return "unknown command" not in str(e)
    return True


def make_collections(c):
    """Creates one key per collection type the server supports; returns {type: key}."""
    made = {}
    for typ, cmd in (("set", ("SADD", "c:set", "a", "b")), ("list", ("RPUSH", "c:list", "a", "b")),
                     ("hash", ("HSET", "c:hash", "f", "v")), ("zset", ("ZADD", "c:zset", "1", "a"))):
        if registered(c, *cmd):
            made[typ] = cmd[1]
    return made


# ---- DEL, UNLINK, EXISTS, TOUCH, TYPE

def test_del_counts_deleted_keys(r):
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.delete("a", "b", "nokey", "a") == 2
    assert r.exists("a", "b") == 0
    assert r.get("c") == "3"
    assert r.delete("nokey") == 0
    assert err(r.execute_command, "DEL") == "wrong number of arguments for 'del' command"


def test_unlink_is_del(r):
    r.mset({"a": 1, "b": 2})
    assert r.unlink("a", "b", "c") == 2
    assert r.exists("a", "b") == 0
    assert err(r.execute_command, "UNLINK") == "wrong number of arguments for 'unlink' command"


def test_exists_counts_repeats(r):
    r.set("k", "v")
    assert r.exists("k") == 1
    assert r.exists("k", "k", "nokey", "k") == 3
    assert r.exists("nokey") == 0
    assert err(r.execute_command, "EXISTS") == "wrong number of arguments for 'exists' command"


def test_touch_counts_existing(r):
    r.set("k", "v")
    assert r.touch("k", "k", "nokey") == 2
    assert r.touch("nokey") == 0


def test_type(r):
    r.set("s", "v")
    assert r.type("s") == "string"
    assert r.type("nokey") == "none"
    r.incr("n")
    assert r.type("n") == "string"
    for typ, key in make_collections(r).items():
        assert r.type(key) == typ
    assert err(r.execute_command, "TYPE", "a", "b") == "wrong number of arguments for 'type' command"


def test_deleted_key_is_gone_for_every_reader(r):
    r.set("k", "v", ex=100)
    r.delete("k")
    assert r.get("k") is None
    assert r.ttl("k") == -2
    assert r.type("k") == "none"
    assert r.keys("*") == []
    assert r.randomkey() is None
    r.set("k", "new")
    assert r.ttl("k") == -1  # the old TTL does not come back


# ---- KEYS

def test_keys_patterns(r):
    for k in ("hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "other"):
        r.set(k, 1)
    assert sorted(r.keys("*")) == sorted(["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "other"])
    assert sorted(r.keys("h?llo")) == ["h*llo", "hallo", "hello", "hxllo"]
    assert sorted(r.keys("h*llo")) == ["h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"]
    assert sorted(r.keys("h[ae]llo")) == ["hallo", "hello"]
    assert sorted(r.keys("h[^e]llo")) == ["h*llo", "hallo", "hxllo"]
    assert sorted(r.keys("h[a-b]llo")) == ["hallo"]
    assert r.keys("h\\*llo") == ["h*llo"]
    assert r.keys("nomatch*") == []
    assert err(r.execute_command, "KEYS") == "wrong number of arguments for 'keys' command"


def test_keys_skips_expired(r):
    r.set("live", 1)
    r.set("dying", 1, px=30)
    time.sleep(0.08)
    assert r.keys("*") == ["live"]


def test_binary_keys(rb):
    k = b"bin\x00key\r\n\xff"
    rb.set(k, b"v\x00")
    assert rb.keys(b"bin*") == [k]
    assert rb.exists(k) == 1
    assert rb.type(k) == b"string"
    assert rb.rename(k, b"new\x00name")
    assert rb.get(b"new\x00name") == b"v\x00"
    assert rb.copy(b"new\x00name", k) == 1
    cur, keys = rb.scan(0, match=b"*\x00*", count=100)
    assert sorted(keys) == sorted([k, b"new\x00name"])
    assert rb.delete(k, b"new\x00name") == 2


# ---- SCAN

def full_scan(c, **kw):
    cursor, seen, calls = 0, [], 0
    while True:
        cursor, keys = c.scan(cursor, **kw)
        seen.extend(keys)
        calls += 1
        assert calls < 100000
        if cursor == 0:
            return seen, calls


def test_scan_returns_every_key(r):
    keys = ["key:%d" % i for i in range(1000)]
    r.mset({k: 1 for k in keys})
    seen, calls = full_scan(r, count=10)
    assert sorted(seen) == sorted(keys)
    assert calls > 50  # COUNT is honoured: about 10 keys per call
    seen, _ = full_scan(r, count=5000)
    assert sorted(seen) == sorted(keys)


def test_scan_match_count_type(r):
    r.mset({"user:%d" % i: 1 for i in range(50)})
    r.mset({"item:%d" % i: 1 for i in range(50)})
    seen, _ = full_scan(r, match="user:*", count=7)
    assert sorted(seen) == sorted("user:%d" % i for i in range(50))
    seen, _ = full_scan(r, _type="string")
    assert len(seen) == 100
    seen, _ = full_scan(r, _type="STRING", match="item:1*")
    assert sorted(seen) == sorted(["item:1"] + ["item:%d" % i for i in range(10, 20)])
    assert full_scan(r, _type="list")[0] == []
    assert full_scan(r, _type="nosuchtype")[0] == []
    made = make_collections(r)
    for typ, key in made.items():
        assert full_scan(r, _type=typ)[0] == [key]


def test_scan_reply_shape_and_cursor_syntax(server, r):
    r.set("k", "v")
    raw = server.raw()
    assert raw.command("SCAN", "0") == [b"0", [b"k"]]
    # Redis parses the cursor with strtoul: "" and "+0" are 0, "-1" is the largest cursor.
    assert raw.command("SCAN", "") == [b"0", [b"k"]]
    assert raw.command("SCAN", "+0") == [b"0", [b"k"]]
    # Starling's cursors stop at 2^63: a larger one is past the last key.
    assert raw.command("SCAN", "-1")[0] == b"0"
    assert raw.command("SCAN", "18446744073709551615")[0] == b"0"
    for bad in ("abc", "1 ", " 1", "0x1", "18446744073709551616", "1.5"):
        assert raw.command("SCAN", bad) == "ERR invalid cursor", bad
    raw.close()


def test_scan_option_errors(r):
    def scan(*args):
        return r.execute_command("SCAN", *args)
    assert err(scan, "0", "COUNT", "0") == "syntax error"
    assert err(scan, "0", "COUNT", "-1") == "syntax error"
    assert err(scan, "0", "COUNT", "abc") == "value is not an integer or out of range"
    assert err(scan, "0", "COUNT", "99999999999999999999") == "value is not an integer or out of range"
    assert err(scan, "0", "COUNT") == "syntax error"
    assert err(scan, "0", "MATCH") == "syntax error"
    assert err(scan, "0", "TYPE") == "syntax error"
    assert err(scan, "0", "FOO", "bar") == "syntax error"
    assert err(scan, "x", "FOO") == "invalid cursor"  # the cursor is checked first
    assert err(scan) == "wrong number of arguments for 'scan' command"
    # Repeated options: the last one wins.
    r.set("k", "v")
    assert scan("0", "MATCH", "zz*", "MATCH", "*") == (0, ["k"])
    assert scan("0", "TYPE", "list", "TYPE", "string") == (0, ["k"])


def test_scan_skips_expired_keys(r):
    r.mset({"live:%d" % i: 1 for i in range(20)})
    for i in range(20):
        r.set("dying:%d" % i, 1, px=30)
    time.sleep(0.08)
    seen, _ = full_scan(r, count=3)
    assert sorted(seen) == sorted("live:%d" % i for i in range(20))


def test_scan_completeness_under_churn(r):
    """Keys present for the whole iteration are all returned, while others come and go."""
    stable = ["stable:%d" % i for i in range(2000)]
    doomed = ["doomed:%d" % i for i in range(500)]
    r.mset({k: 1 for k in stable})
    r.mset({k: 1 for k in doomed})
    writer = redis.Redis(connection_pool=r.connection_pool)
    cursor, seen, calls, n = 0, [], 0, 0
    churn = []
    while True:
        cursor, keys = r.scan(cursor, count=25)
        seen.extend(keys)
        calls += 1
        # Between calls: add new keys, delete some of them and some of the doomed ones.
        p = writer.pipeline(transaction=False)
        for _ in range(30):
            churn.append("churn:%d" % n)
            p.set(churn[-1], 1)
            n += 1
        p.delete(*churn[-30:-15])
        if doomed:
            p.delete(*[doomed.pop() for _ in range(min(10, len(doomed)))])
        p.execute()
        if cursor == 0:
            break
        assert calls < 10000
    assert calls > 20
    seen_set = set(seen)
    missing = [k for k in stable if k not in seen_set]
    assert missing == []
    # Keys never move in Starling's key order, so no key is returned twice either.
    assert len(seen) == len(seen_set)
    assert all(k.split(":")[0] in ("stable", "doomed", "churn") for k in seen_set)


# ---- RANDOMKEY

def test_randomkey(r):
    assert r.randomkey() is None
    r.set("only", 1)
    assert r.randomkey() == "only"
    keys = {"k%d" % i for i in range(5)}
    r.mset({k: 1 for k in keys})
    seen = {r.randomkey() for _ in range(300)}
    assert seen == keys | {"only"}
    assert err(r.execute_command, "RANDOMKEY", "x") == "wrong number of arguments for 'randomkey' command"


def test_randomkey_skips_expired_and_deleted(r):
    for i in range(50):
        r.set("dying:%d" % i, 1, px=30)
    r.set("live", 1)
    for i in range(50):
        r.set("deleted:%d" % i, 1)
        r.delete("deleted:%d" % i)
    time.sleep(0.08)
    for _ in range(30):
        assert r.randomkey() == "live"
    r.delete("live")
    assert r.randomkey() is None


# ---- RENAME, RENAMENX

def test_rename(r):
    r.set("a", "1")
    assert r.rename("a", "b")
    assert r.get("a") is None and r.get("b") == "1"
    assert err(r.rename, "nokey", "x") == "no such key"
    r.set("c", "other")
    assert r.rename("b", "c")  # overwrites
    assert r.get("c") == "1"
    assert r.exists("b") == 0
    assert err(r.execute_command, "RENAME", "a") == "wrong number of arguments for 'rename' command"


def test_rename_same_name(r):
    assert err(r.rename, "nokey", "nokey") == "no such key"
    r.set("k", "v", ex=100)
    assert r.rename("k", "k")
    assert r.get("k") == "v"
    assert 99 <= r.ttl("k") <= 100
    assert r.renamenx("k", "k") == 0
    assert err(r.renamenx, "nokey", "nokey") == "no such key"


def test_rename_moves_ttl(r):
    r.set("a", "1", px=100000)
    r.set("b", "2", ex=5)
    r.rename("a", "b")
    assert 99000 < r.pttl("b") <= 100000
    r.set("c", "3")
    r.rename("b", "c")  # a destination's own TTL is not kept either
    assert r.ttl("c") > 90
    r.set("d", "4")
    r.set("e", "5", ex=100)
    r.rename("d", "e")
    assert r.ttl("e") == -1


def test_rename_counter_keeps_counting(r):
    r.incrby("n", 41)
    r.rename("n", "m")
    assert r.incr("m") == 42
    assert r.incr("n") == 1


def test_renamenx(r):
    r.set("a", "1")
    r.set("b", "2")
    assert r.renamenx("a", "b") == 0
    assert r.get("a") == "1" and r.get("b") == "2"
    assert r.renamenx("a", "c") == 1
    assert r.get("c") == "1" and r.exists("a") == 0
    assert err(r.renamenx, "nokey", "d") == "no such key"


def test_rename_after_expiry_is_no_such_key(r):
    r.set("a", "1", px=30)
    time.sleep(0.08)
    assert err(r.rename, "a", "b") == "no such key"
    assert r.exists("b") == 0


# ---- COPY

def test_copy(r):
    r.set("a", "1")
    assert r.copy("a", "b") == 1
    assert r.get("b") == "1"
    r.set("a", "2")
    assert r.get("b") == "1"  # an independent value
    assert r.copy("a", "b") == 0
    assert r.get("b") == "1"
    assert r.copy("a", "b", replace=True) == 1
    assert r.get("b") == "2"
    assert r.copy("nokey", "b") == 0
    assert r.copy("nokey", "b", replace=True) == 0
    assert r.get("b") == "2"


def test_copy_ttl_and_counters(r):
    r.set("a", "v", px=100000)
    r.copy("a", "b")
    assert 99000 < r.pttl("b") <= 100000
    assert r.pexpiretime("b") == r.pexpiretime("a")
    r.set("c", "x", ex=100)
    r.set("d", "y")
    r.copy("d", "c", replace=True)
    assert r.ttl("c") == -1
    r.incrby("n", 10)
    r.incrbyfloat("f", 1.5)
    r.copy("n", "n2")
    r.copy("f", "f2")
    assert r.incr("n2") == 11
    assert r.get("n") == "10"
    assert r.incrbyfloat("f2", 1) == 2.5


def test_copy_options_and_errors(r):
    r.set("a", "1")

    def copy(*args):
        return r.execute_command("COPY", *args)
    assert copy("a", "b", "DB", "0") == 1
    assert copy("a", "b", "REPLACE", "DB", "0") == 1
    assert copy("a", "b", "db", "0", "replace") == 1
    assert err(copy, "a", "a") == "source and destination objects are the same"
    assert err(copy, "nokey", "nokey") == "source and destination objects are the same"
    assert err(copy, "a", "b", "FOO") == "syntax error"
    assert err(copy, "a", "b", "DB") == "syntax error"
    assert err(copy, "a", "b", "DB", "abc") == "value is not an integer or out of range"
    assert err(copy, "a", "b", "DB", "99999999999") == \
        "value is out of range, value must between -2147483648 and 2147483647"
    assert err(copy, "a", "b", "DB", "-1") == "DB index is out of range"
    assert err(copy, "a", "b", "DB", "16") == "DB index is out of range"
    assert err(copy, "a") == "wrong number of arguments for 'copy' command"


def test_copy_to_another_db_is_out_of_range(r):
    # Deliberate difference: Starling has one database (as a Redis with `databases 1`), so
    # DB 1 is out of range where a default redis-server copies to database 1.
    r.set("a", "1")
    assert err(r.execute_command, "COPY", "a", "b", "DB", "1") == "DB index is out of range"
    assert r.exists("b") == 0


def test_rename_and_copy_collections(r):
    made = make_collections(r)
    if not made:
        pytest.skip("no collection command registered yet (sets, lists, hashes, zsets)")
    for typ, key in made.items():
        assert r.copy(key, key + ":copy") == 1
        assert r.type(key + ":copy") == typ
        r.set(key + ":renamed", "a string that the rename replaces")
        assert r.rename(key, key + ":renamed")
        assert r.type(key + ":renamed") == typ
        assert r.exists(key) == 0
    if "set" in made:
        assert r.smembers("c:set:copy") == {"a", "b"}
    if "list" in made:
        assert r.lrange("c:list:renamed", 0, -1) == ["a", "b"]
    if "hash" in made:
        assert r.hgetall("c:hash:copy") == {"f": "v"}
    if "zset" in made:
        assert r.zrange("c:zset:renamed", 0, -1, withscores=True) == [("a", 1.0)]


# ---- OBJECT

def test_object_encoding_strings(r):
    cases = {"12345": "int", "-9223372036854775808": "int", "9223372036854775808": "embstr",
             "012": "embstr", " 1": "embstr", "": "embstr", "a" * 44: "embstr", "a" * 45: "raw"}
    for i, (value, enc) in enumerate(cases.items()):
        r.set("k%d" % i, value)
        assert r.object("encoding", "k%d" % i) == enc, value
    r.incrby("n", 5)
    assert r.object("encoding", "n") == "int"
    assert r.object("encoding", "nokey") is None


def test_object_encoding_collections(r):
    made = make_collections(r)
    if not made:
        pytest.skip("no collection command registered yet (sets, lists, hashes, zsets)")
    # Small collections: the compact encodings. Starling answers with Redis 7.2's rules
    # (7.0.15 would say quicklist for every list and hashtable for a set of strings).
    expected = {"set": "listpack", "list": "listpack", "hash": "listpack", "zset": "listpack"}
    for typ, key in made.items():
        assert r.object("encoding", key) == expected[typ]
    if "set" in made:
        r.sadd("ints", *range(10))
        assert r.object("encoding", "ints") == "intset"
        r.sadd("ints", *range(600))
        assert r.object("encoding", "ints") == "hashtable"
        r.sadd("long", "x" * 65)
        assert r.object("encoding", "long") == "hashtable"
    if "hash" in made:
        r.hset("bighash", mapping={"f%d" % i: i for i in range(200)})
        assert r.object("encoding", "bighash") == "hashtable"
    if "zset" in made:
        r.zadd("bigz", {"m%d" % i: i for i in range(200)})
        assert r.object("encoding", "bigz") == "skiplist"
    if "list" in made:
        r.rpush("biglist", *["x" * 100] * 100)
        assert r.object("encoding", "biglist") == "quicklist"


def test_object_refcount_idletime_freq(r):
    r.set("small", "100")
    r.set("large", "100000")
    r.set("s", "text")
    assert r.object("refcount", "small") == 2147483647  # Redis's shared integers
    assert r.object("refcount", "large") == 1
    assert r.object("refcount", "s") == 1
    assert r.object("refcount", "nokey") is None
    assert r.object("idletime", "s") == 0
    assert r.object("idletime", "nokey") is None
    assert err(r.object, "freq", "s") == (
        "An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time "
        "to adjust.")
    assert r.object("freq", "nokey") is None


def test_object_freq_and_idletime_under_lfu(r):
    if not registered(r, "CONFIG", "GET", "maxmemory-policy"):
        pytest.skip("CONFIG is not registered yet")
    r.set("k", "v")
    r.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        assert isinstance(r.object("freq", "k"), int)
        assert err(r.object, "idletime", "k") == (
            "An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
            "switching between policies at runtime LRU and LFU data will take some time to "
            "adjust.")
    finally:
        r.config_set("maxmemory-policy", "noeviction")


def test_object_help_and_errors(server, r):
    raw = server.raw()
    help_lines = raw.command("OBJECT", "HELP")  # status lines, exactly as Redis 7.0.15
    raw.close()
    assert help_lines[0] == "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert help_lines[1:5] == [
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>"]
    assert help_lines[-2:] == ["HELP", "    Prints this help."]
    assert len(help_lines) == 15
    assert err(r.execute_command, "OBJECT") == "wrong number of arguments for 'object' command"
    assert err(r.execute_command, "OBJECT", "foo") == "unknown subcommand 'foo'. Try OBJECT HELP."
    assert err(r.execute_command, "OBJECT", "ENCODING") == \
        "wrong number of arguments for 'object|encoding' command"
    assert err(r.execute_command, "OBJECT", "encoding", "a", "b") == \
        "wrong number of arguments for 'object|encoding' command"
    assert err(r.execute_command, "OBJECT", "HELP", "x") == \
        "wrong number of arguments for 'object|help' command"


# ---- EXPIRE family, TTL, PERSIST

def test_expire_and_ttl(r):
    assert r.ttl("nokey") == -2
    assert r.pttl("nokey") == -2
    assert r.expire("nokey", 100) is False
    r.set("k", "v")
    assert r.ttl("k") == -1 and r.pttl("k") == -1
    assert r.expire("k", 100) is True
    assert r.ttl("k") == 100  # rounded to the nearest second
    assert 99000 < r.pttl("k") <= 100000
    assert r.pexpire("k", 5500) is True
    assert r.ttl("k") in (5, 6)
    assert 5000 < r.pttl("k") <= 5500
    assert r.get("k") == "v"


def test_expireat_and_expiretime(r):
    r.set("k", "v")
    assert r.expiretime("k") == -1 and r.pexpiretime("k") == -1
    assert r.expiretime("nokey") == -2 and r.pexpiretime("nokey") == -2
    assert r.execute_command("EXPIREAT", "k", 4102444800) == 1
    assert r.expiretime("k") == 4102444800
    assert r.pexpiretime("k") == 4102444800000
    assert r.execute_command("PEXPIREAT", "k", 4102444800123) == 1
    assert r.pexpiretime("k") == 4102444800123
    assert r.expiretime("k") == 4102444800
    assert r.execute_command("PEXPIREAT", "k", 4102444800600) == 1
    assert r.expiretime("k") == 4102444801  # rounded, as Redis does
    now = int(time.time())
    r.expire("k", 1000)
    assert abs(r.expiretime("k") - (now + 1000)) <= 1


def test_expire_in_the_past_deletes(r):
    for cmd, t in (("EXPIRE", -1), ("PEXPIRE", 0), ("EXPIREAT", 1), ("PEXPIREAT", 1000),
                   ("EXPIRE", -9223372036854775)):
        r.set("k", "v")
        assert r.execute_command(cmd, "k", t) == 1, cmd
        assert r.exists("k") == 0, cmd
        assert r.ttl("k") == -2
    assert r.execute_command("EXPIRE", "k", -1) == 0  # no key, nothing to delete


def test_expire_options(r):
    def expire(*args):
        return r.execute_command("EXPIRE", "k", *args)
    r.set("k", "v")
    assert expire(100, "XX") == 0           # no TTL yet
    assert expire(100, "GT") == 0           # no TTL counts as infinite
    assert expire(100, "LT") == 1           # ... so any time is less
    assert expire(50, "NX") == 0
    assert expire(200, "GT") == 1
    assert expire(150, "gt") == 0
    assert expire(150, "lt") == 1
    assert expire(300, "LT") == 0
    assert expire(120, "xx") == 1
    assert expire(130, "XX", "GT") == 1
    assert expire(125, "XX", "GT") == 0
    assert r.ttl("k") == 130
    r.persist("k")
    assert expire(10, "NX") == 1
    assert expire(-1, "LT") == 1           # in the past: deleted
    assert r.exists("k") == 0
    r.set("k", "v")
    assert expire(-1, "GT") == 0 and expire(-1, "XX") == 0
    assert r.exists("k") == 1
    # Repeated options are fine.
    assert expire(10, "nx", "nx") == 1


def test_expire_errors(r):
    r.set("k", "v")

    def expire(cmd, *args):
        return r.execute_command(cmd, "k", *args)
    assert err(expire, "EXPIRE", 10, "NX", "XX") == \
        "NX and XX, GT or LT options at the same time are not compatible"
    assert err(expire, "EXPIRE", 10, "NX", "GT") == \
        "NX and XX, GT or LT options at the same time are not compatible"
    assert err(expire, "PEXPIRE", 10, "LT", "NX") == \
        "NX and XX, GT or LT options at the same time are not compatible"
    assert err(expire, "EXPIREAT", 10, "GT", "LT") == \
        "GT and LT options at the same time are not compatible"
    assert err(expire, "EXPIRE", 10, "foo") == "Unsupported option foo"
    assert err(expire, "EXPIRE", "abc", "foo") == "Unsupported option foo"  # options first
    assert err(expire, "EXPIRE", "abc", "NX", "XX") == \
        "NX and XX, GT or LT options at the same time are not compatible"
    assert err(expire, "EXPIRE", "abc") == "value is not an integer or out of range"
    assert err(expire, "EXPIRE", "1.5") == "value is not an integer or out of range"
    assert err(expire, "EXPIRE", 9223372036854775807) == "invalid expire time in 'expire' command"
    assert err(expire, "EXPIRE", 9223372036854776) == "invalid expire time in 'expire' command"
    assert err(expire, "EXPIRE", -9223372036854776) == "invalid expire time in 'expire' command"
    assert err(expire, "PEXPIRE", 9223372036854775807) == "invalid expire time in 'pexpire' command"
    assert err(expire, "EXPIREAT", 9223372036854776) == "invalid expire time in 'expireat' command"
    assert err(r.execute_command, "EXPIRE", "k") == "wrong number of arguments for 'expire' command"
    assert err(r.execute_command, "TTL") == "wrong number of arguments for 'ttl' command"
    # The largest accepted times.
    assert expire("EXPIREAT", 9223372036854775) == 1
    assert expire("PEXPIREAT", 9223372036854775807) == 1
    assert r.pexpiretime("k") == 9223372036854775807
    assert r.expiretime("k") == 9223372036854776
    assert r.get("k") == "v"


def test_persist(r):
    assert r.persist("nokey") is False
    r.set("k", "v")
    assert r.persist("k") is False
    r.expire("k", 100)
    assert r.persist("k") is True
    assert r.ttl("k") == -1
    assert r.persist("k") is False
    r.expire("k", 100)  # an expiry after PERSIST applies again
    assert r.ttl("k") == 100


def test_lazy_expiry_for_key_commands(r):
    r.set("k", "v", px=50)
    assert r.exists("k") == 1
    time.sleep(0.1)
    assert r.exists("k") == 0
    assert r.type("k") == "none"
    assert r.ttl("k") == -2
    assert r.expire("k", 100) == 0
    assert r.persist("k") == 0
    assert r.copy("k", "k2") == 0
    assert r.object("encoding", "k") is None


def test_active_expiry_without_access(r):
    if not registered(r, "DBSIZE"):
        pytest.skip("DBSIZE is not registered yet (server family)")
    r.set("live", 1)
    p = r.pipeline(transaction=False)
    for i in range(100):
        p.set("dying:%d" % i, 1, px=400)
    p.execute()
    assert r.dbsize() == 101
    deadline = time.time() + 5
    while r.dbsize() > 1 and time.time() < deadline:
        time.sleep(0.05)
    assert r.dbsize() == 1


def test_concurrent_expire_and_get(server, r):
    """Many clients setting TTLs and reading: no crash, every reply well formed."""
    errors = []

    def worker(n):
        c = server.client()
        try:
            for i in range(100):
                k = "k%d" % (i % 10)
                c.set(k, n, px=5 + i % 20)
                c.get(k)
                c.pttl(k)
                c.expire(k, 100, gt=True)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert server.alive()
