"""Blocking pops, black-box: several clients on one starling-server. Scripted scenarios run
on starling-server and on redis-server 7.0.15 and must produce the same bytes; the rest
checks timing, pipelining behind a blocked command and disconnects with redis-py.
"""
import socket
import threading
import time

import pytest
import redis

from conftest import RawConn, encode
from redis_reference import reference  # noqa: F401 (fixture)

SETTLE = 0.1  # seconds for the server to take a command sent without waiting for its reply


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


def nothing_pending(conn, wait=SETTLE):
    """True if no reply arrives within `wait` seconds."""
    if conn.buf:
        return False
    conn.sock.settimeout(wait)
    try:
        chunk = conn.sock.recv(65536)
    except (socket.timeout, TimeoutError):
        return True
    finally:
        conn.sock.settimeout(10)
    conn.buf += chunk
    return False


def play(port, script):
    """Runs a scenario on one server; returns its transcript.

    Steps: ("cmd", c, *args) sends and reads the reply; ("send", c, *args) sends without
    reading (a command expected to block); ("read", c) reads one pending reply;
    ("quiet", c) records whether client c has no reply pending; ("setup", c, *args) sends and
    reads a reply that is not recorded; ("sleep", s).
    """
    conns = {}
    out = []
    try:
        for step in script:
            kind = step[0]
            if kind == "sleep":
                time.sleep(step[1])
                continue
            c = conns.get(step[1])
            if c is None:
                c = conns[step[1]] = RawConn(port)
            if kind == "cmd":
                c.send(encode(*step[2:]))
                out.append((step, read_raw(c)))
            elif kind == "send":
                c.send(encode(*step[2:]))
                time.sleep(SETTLE)
            elif kind == "setup":  # reply not compared (HELLO carries the client id)
                c.send(encode(*step[2:]))
                read_raw(c)
            elif kind == "read":
                out.append((step, read_raw(c)))
            elif kind == "quiet":
                out.append((step, nothing_pending(c)))
    finally:
        for c in conns.values():
            c.close()
    return out


SCENARIOS = {
    "blpop served by a push": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLPOP", "k", "0"), ("quiet", 1),
        ("cmd", 2, "LPUSH", "k", "a", "b"), ("read", 1), ("cmd", 2, "LRANGE", "k", "0", "-1"),
        ("send", 1, "BRPOP", "none", "k", "0"), ("read", 1), ("cmd", 2, "EXISTS", "k")],
    "waiters served in arrival order": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLPOP", "k", "0"), ("send", 2, "BRPOP", "k", "0"),
        ("send", 3, "BLPOP", "k", "0"), ("cmd", 4, "RPUSH", "k", "x", "y"), ("read", 1),
        ("read", 2), ("quiet", 3), ("cmd", 4, "RPUSH", "k", "z"), ("read", 3)],
    "a write of another type leaves waiters waiting": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLPOP", "k", "0"), ("send", 2, "BZPOPMIN", "k", "0"),
        ("cmd", 4, "SET", "k", "s"), ("quiet", 1), ("quiet", 2), ("cmd", 4, "DEL", "k"),
        ("cmd", 4, "ZADD", "k", "1", "m"), ("read", 2), ("quiet", 1),
        ("cmd", 4, "RPUSH", "k", "v"), ("read", 1)],
    "several keys": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLPOP", "a", "b", "0"),
        ("cmd", 2, "RPUSH", "b", "x"), ("read", 1), ("cmd", 2, "RPUSH", "a", "1"),
        ("cmd", 2, "RPUSH", "b", "2"), ("cmd", 1, "BLPOP", "b", "a", "0")],
    "blmove feeds a blpop": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"),
        ("send", 2, "BLPOP", "dst", "0"), ("cmd", 3, "RPUSH", "src", "v1", "v2"), ("read", 1),
        ("read", 2), ("cmd", 3, "LRANGE", "src", "0", "-1"), ("cmd", 3, "EXISTS", "dst"),
        ("send", 1, "BRPOPLPUSH", "src2", "dst2", "0"), ("cmd", 3, "LPUSH", "src2", "w"),
        ("read", 1), ("cmd", 3, "LRANGE", "dst2", "0", "-1")],
    "lmove into a waited key": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLPOP", "dst", "0"),
        ("cmd", 2, "RPUSH", "src", "x"), ("cmd", 2, "LMOVE", "src", "dst", "LEFT", "LEFT"),
        ("read", 1)],
    "blmove to a destination of another type": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLMOVE", "src", "s", "LEFT", "LEFT", "0"),
        ("cmd", 2, "SET", "s", "x"), ("cmd", 2, "RPUSH", "src", "v"), ("read", 1),
        ("cmd", 2, "LLEN", "src")],
    "sorted-set pops": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BZPOPMIN", "z", "0"), ("send", 2, "BZPOPMAX", "z", "0"),
        ("send", 3, "BZMPOP", "0", "2", "y", "z", "MIN", "COUNT", "5"),
        ("cmd", 4, "ZADD", "z", "1", "a", "2", "b", "3", "c", "4.5", "d"), ("read", 1), ("read", 2),
        ("read", 3), ("cmd", 4, "EXISTS", "z"), ("cmd", 4, "ZADD", "z", "1", "a"),
        ("cmd", 1, "BZPOPMIN", "none", "z", "0")],
    "blmpop with a count": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLMPOP", "0", "2", "p", "q", "RIGHT", "COUNT", "2"),
        ("cmd", 2, "RPUSH", "q", "1", "2", "3"), ("read", 1), ("cmd", 2, "LRANGE", "q", "0", "-1"),
        ("cmd", 1, "BLMPOP", "0", "1", "q", "LEFT", "COUNT", "9")],
    "timeouts": [
        ("cmd", 0, "FLUSHALL"), ("cmd", 1, "BLPOP", "none", "0.05"),
        ("cmd", 1, "BLMOVE", "none", "d", "LEFT", "LEFT", "0.05"),
        ("cmd", 1, "BRPOPLPUSH", "none", "d", "0.05"), ("cmd", 1, "BLMPOP", "0.05", "1", "n", "LEFT"),
        ("cmd", 1, "BZPOPMAX", "none", "0.05"), ("cmd", 1, "BZMPOP", "0.05", "1", "n", "MAX"),
        ("setup", 2, "HELLO", "3"), ("cmd", 2, "BLPOP", "none", "0.05"),
        ("cmd", 2, "BLMOVE", "none", "d", "LEFT", "LEFT", "0.05"),
        ("cmd", 2, "BZPOPMIN", "none", "0.05")],
    "pipelined commands wait for the blocked one": [
        ("cmd", 0, "FLUSHALL"), ("send", 1, "BLPOP", "k", "0"), ("send", 1, "SET", "after", "1"),
        ("send", 1, "INCR", "after"), ("cmd", 2, "GET", "after"), ("quiet", 1),
        ("cmd", 2, "RPUSH", "k", "v"), ("read", 1), ("read", 1), ("read", 1),
        ("cmd", 2, "GET", "after")],
    "argument errors": [
        ("cmd", 0, "FLUSHALL"), ("cmd", 1, "SET", "s", "v"), ("cmd", 1, "RPUSH", "l", "v"),
        ("cmd", 1, "BLPOP", "k", "abc"), ("cmd", 1, "BLPOP", "k", " 1"), ("cmd", 1, "BLPOP", "k", "-1"),
        ("cmd", 1, "BLPOP", "k", "inf"), ("cmd", 1, "BLPOP", "k", "9.3e15"),
        ("cmd", 1, "BLPOP", "k"), ("cmd", 1, "BZPOPMIN", "k", "nan"), ("cmd", 1, "BLPOP", "s", "0"),
        ("cmd", 1, "BLPOP", "none", "s", "0"), ("cmd", 1, "BLPOP", "s", "x"),
        ("cmd", 1, "BZPOPMIN", "l", "0"), ("cmd", 1, "BLMOVE", "l", "s", "LEFT", "LEFT", "0"),
        ("cmd", 1, "BLMOVE", "a", "b", "UP", "LEFT", "0"), ("cmd", 1, "BLMOVE", "a", "b", "LEFT", "LEFT", "x"),
        ("cmd", 1, "BRPOPLPUSH", "l", "s", "0"), ("cmd", 1, "BLMPOP", "abc", "1", "k", "UP"),
        ("cmd", 1, "BLMPOP", "abc", "1", "k", "LEFT"), ("cmd", 1, "BLMPOP", "0", "0", "k", "LEFT"),
        ("cmd", 1, "BLMPOP", "0", "2", "k", "LEFT"), ("cmd", 1, "BLMPOP", "0", "1", "s", "LEFT"),
        ("cmd", 1, "BZMPOP", "0", "1", "k", "MIN", "COUNT", "0"),
        ("cmd", 1, "BZMPOP", "abc", "1", "k", "MIN"), ("cmd", 1, "BZMPOP", "0", "1", "l", "MIN"),
        ("cmd", 1, "BLPOP", "l", "-0.0001"), ("cmd", 1, "LLEN", "l")],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_matches_redis(server, reference, name):
    ours = play(server.port, SCENARIOS[name])
    theirs = play(reference.port, SCENARIOS[name])
    for (step, x), (_, y) in zip(ours, theirs):
        assert x == y, "%s: %r: starling %r, redis %r" % (name, step, x, y)
    assert len(ours) == len(theirs)


def test_blpop_served_by_lpush_from_another_client(server, r):
    waiter = server.client()
    got = {}
    t = threading.Thread(target=lambda: got.setdefault("v", waiter.blpop(["q1", "q2"], timeout=0)))
    t.start()
    time.sleep(SETTLE)
    assert t.is_alive()
    assert r.lpush("q2", "hello") == 1
    t.join(5)
    assert got["v"] == ("q2", "hello")
    assert r.exists("q2") == 0
    waiter.close()


def test_timeout_returns_none_in_about_the_requested_time(r):
    for call in (lambda: r.blpop("none", timeout=0.5),
                 lambda: r.brpop(["a", "b"], timeout=0.5),
                 lambda: r.blmove("none", "d", 0.5, "LEFT", "RIGHT"),
                 lambda: r.bzpopmin("none", timeout=0.5)):
        t0 = time.monotonic()
        assert call() is None
        elapsed = time.monotonic() - t0
        assert 0.45 <= elapsed < 5, elapsed
    t0 = time.monotonic()
    assert r.execute_command("BLPOP", "none", "0.01") is None
    assert time.monotonic() - t0 < 5


def test_disconnected_blocked_client_breaks_nothing(server, r):
    gone = RawConn(server.port)
    gone.send(encode("BLPOP", "k", "0"))
    timed = RawConn(server.port)
    timed.send(encode("BRPOP", "k", "0.3"))
    time.sleep(SETTLE)
    gone.close()
    timed.close()
    time.sleep(0.5)  # the closed client's deadline passes
    assert r.lpush("k", "v") == 1
    assert r.lrange("k", 0, -1) == ["v"]
    # Another waiter is still served normally, and the server is healthy.
    stays = RawConn(server.port)
    stays.send(encode("BLPOP", "k2", "0"))
    time.sleep(SETTLE)
    assert r.rpush("k2", "w") == 1
    assert stays.read_reply() == [b"k2", b"w"]
    stays.close()
    assert server.alive()


def test_many_waiters_and_many_pushes(server, r):
    n = 50
    conns = [RawConn(server.port) for _ in range(n)]
    for i, c in enumerate(conns):
        c.send(encode("BLPOP", "k%d" % (i % 5), "0"))
    time.sleep(0.3)
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        pipe.rpush("k%d" % (i % 5), "v%d" % i)
    pipe.execute()
    replies = sorted(c.read_reply()[1].decode() for c in conns)
    assert replies == sorted("v%d" % i for i in range(n))
    for c in conns:
        c.close()
    assert all(r.exists("k%d" % j) == 0 for j in range(5))


def test_redis_py_blocking_helpers(r):
    r.rpush("src", "a", "b")
    assert r.blmove("src", "dst", 1, "LEFT", "RIGHT") == "a"
    assert r.brpoplpush("src", "dst", 1) == "b"
    assert r.lrange("dst", 0, -1) == ["b", "a"]
    assert r.execute_command("BLMPOP", "1", "1", "dst", "RIGHT", "COUNT", "5") == ["dst", ["a", "b"]]
    r.zadd("z", {"m": 1, "n": 2})
    assert r.bzpopmax("z", 1) == ("z", "n", 2.0)
    assert r.execute_command("BZMPOP", "1", "1", "z", "MIN") == ["z", [["m", "1"]]]
    with pytest.raises(redis.ResponseError, match="timeout is negative"):
        r.blpop("x", timeout=-1)
