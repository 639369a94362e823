"""Malformed and hostile client input over raw sockets.

For each input: the exact reply (Redis's protocol error text where Redis sends one), the
connection closed where Redis closes it, other clients unaffected, and the server still
answering PING on a new connection. Every expectation was checked against redis-server
7.0.15 by running this file against it (STARLING_SERVER pointing at a wrapper that starts
redis-server with the same flags).
"""
import time

import pytest

from conftest import RawConn, Server, encode

PASSWORD = "s3cret"


def answers_ping(port, password=None):
    c = RawConn(port)
    try:
        if password is not None:
            c.send(encode("AUTH", password))
            if c.read_line() != b"+OK":
                return False
        c.send(b"PING\r\n")
        return c.read_line() == b"+PONG"
    finally:
        c.close()


@pytest.fixture
def other(server):
    """A well-behaved client connected before the bad input, checked after it."""
    c = server.raw()
    assert c.command("SET", "other:key", "still here") == "OK"
    yield c
    assert c.command("GET", "other:key") == b"still here"
    assert c.command("EXISTS", "other:key", "nokey") == 1
    c.close()
    assert answers_ping(server.port)


def protocol_error(server, payload, text, before=()):
    """Sends payload on a new connection; expects the replies `before`, then
    `-ERR Protocol error: <text>`, then the server closing the connection."""
    c = server.raw()
    try:
        c.send(payload)
        for want in before:
            assert c.read_reply() == want
        assert c.read_line() == b"-ERR Protocol error: " + text
        assert c.closed_by_server()
        assert c.buf == b""  # nothing after the error
    finally:
        c.close()


# ---- multibulk and bulk lengths

def test_negative_multibulk_count_is_skipped(server, other):
    c = server.raw()
    c.send(b"*-1\r\n*0\r\n*-10\r\n" + encode("EXISTS", "other:key"))
    assert c.read_reply() == 1  # the empty frames are skipped; the command runs
    assert c.command("EXISTS", "other:key") == 1  # and the connection stays open
    c.close()


def test_huge_multibulk_count(server, other):
    protocol_error(server, b"*4294967295\r\n", b"invalid multibulk length")
    protocol_error(server, b"*abc\r\n", b"invalid multibulk length")
    protocol_error(server, b"*1\r\n$2\r\nxx\r\n*2147483648\r\n", b"invalid multibulk length",
                   before=["ERR unknown command 'xx', with args beginning with: "])


def test_negative_bulk_length(server, other):
    protocol_error(server, b"*1\r\n$-5\r\n", b"invalid bulk length")
    protocol_error(server, b"*1\r\n$-1\r\n", b"invalid bulk length")


def test_oversized_bulk_length(server, other):
    protocol_error(server, b"*2\r\n$3\r\nGET\r\n$600000000\r\n", b"invalid bulk length")
    protocol_error(server, b"*1\r\n$536870913\r\n", b"invalid bulk length")


def test_expected_dollar(server, other):
    protocol_error(server, b"*1\r\nGET\r\n", b"expected '$', got 'G'")


def test_commands_before_the_error_run(server, other):
    # As in Redis, complete commands ahead of the bad frame in the same read still run.
    protocol_error(server, encode("SET", "before:error", "1") + b"*1\r\n$-5\r\n",
                   b"invalid bulk length", before=["OK"])
    c = server.raw()
    assert c.command("GET", "before:error") == b"1"
    c.close()


# ---- over-long header lines

@pytest.mark.parametrize("payload,text", [
    (b"*" + b"1" * 100000, b"too big mbulk count string"),
    (b"*1\r\n$" + b"1" * 100000, b"too big bulk count string"),
    (b"GET " + b"a" * 100000, b"too big inline request"),
], ids=["multibulk-count", "bulk-count", "inline"])
def test_100kb_line_without_crlf(server, other, payload, text):
    protocol_error(server, payload, text)


def test_long_inline_line_that_fits(server, other):
    c = server.raw()
    c.send(b"SET inline:key " + b"v" * 60000 + b"\r\n")
    assert c.read_line() == b"+OK"
    assert c.command("STRLEN", "inline:key") == 60000
    c.close()


# ---- framing

def test_frame_split_mid_crlf(server, other):
    c = server.raw()
    payload = encode("SET", b"split\x00key", b"value\r\nwith\x00crlf")
    pieces = payload.split(b"\r")
    for i, piece in enumerate(pieces):
        c.send(piece if i == len(pieces) - 1 else piece + b"\r")  # each CR sent alone
        time.sleep(0.02)
    assert c.read_line() == b"+OK"
    get = encode("GET", b"split\x00key")
    c.send(get[:3])
    time.sleep(0.1)
    c.send(get[3:])
    assert c.read_reply() == b"value\r\nwith\x00crlf"
    for b in encode("STRLEN", b"split\x00key"):  # one byte per write
        c.send(bytes([b]))
    assert c.read_reply() == 16
    c.close()


def test_pipeline_in_one_write(server, other):
    c = server.raw()
    c.send(b"".join(encode("INCR", "pipe:counter") for _ in range(1000)))
    assert [c.read_reply() for _ in range(1000)] == list(range(1, 1001))
    c.close()


def test_binary_keys_with_nul(server, other):
    c = server.raw()
    assert c.command("SET", b"nul\x00key", b"a") == "OK"
    assert c.command("SET", b"nul", b"b") == "OK"
    assert c.command("SET", b"\x00", b"\x00\x00") == "OK"
    assert c.command("GET", b"nul\x00key") == b"a"
    assert c.command("GET", b"nul") == b"b"
    assert c.command("GET", b"\x00") == b"\x00\x00"
    assert c.command("GET", b"nul\x00") is None
    assert sorted(c.command("KEYS", b"nul*")) == [b"nul", b"nul\x00key"]
    assert c.command("DEL", b"nul\x00key", b"\x00") == 2
    assert c.command("GET", b"nul") == b"b"
    c.close()


# ---- inline commands

def test_inline_quotes(server, other):
    c = server.raw()
    c.send(b'SET "inline key" "v\\x41\\n"\r\n')
    assert c.read_line() == b"+OK"
    assert c.command("GET", "inline key") == b"vA\n"
    c.send(b"SET 'single q' 'it\\'s'\r\n")
    assert c.read_line() == b"+OK"
    assert c.command("GET", "single q") == b"it's"
    c.close()


@pytest.mark.parametrize("line", [b'SET "abc def\r\n', b"SET 'abc\r\n", b'GET "abc"d\r\n',
                                  b"GET 'a'b\r\n", b'GET "abc\\\r\n'],
                         ids=["double", "single", "double-then-char", "single-then-char",
                              "escaped-close"])
def test_inline_unbalanced_quotes(server, other, line):
    protocol_error(server, line, b"unbalanced quotes in request")


# ---- CONFIG SET proto-max-bulk-len

def config_registered(server):
    c = server.raw()
    try:
        reply = c.command("CONFIG", "GET", "proto-max-bulk-len")
        return not (isinstance(reply, str) and "unknown command" in reply)
    finally:
        c.close()


def test_lowered_proto_max_bulk_len(server, other):
    if not config_registered(server):
        pytest.skip("CONFIG is not registered yet (server family): cannot lower proto-max-bulk-len")
    admin = server.raw()
    assert admin.command("CONFIG", "SET", "proto-max-bulk-len", "1048576") == "OK"
    try:
        protocol_error(server, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n", b"invalid bulk length")
        c = server.raw()
        assert c.command("SET", "big", b"x" * 1048576) == "OK"  # exactly the limit is fine
        assert c.command("APPEND", "big", "y") == \
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        assert c.command("SETRANGE", "big", "1048576", "y") == \
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        assert c.command("STRLEN", "big") == 1048576
        c.close()
    finally:
        assert admin.command("CONFIG", "SET", "proto-max-bulk-len", "536870912") == "OK"
        admin.close()


# ---- before AUTH

@pytest.fixture(scope="module")
def auth_server():
    s = Server("--requirepass", PASSWORD).start()
    yield s
    s.cleanup()


def auth_registered(s):
    c = s.raw()
    try:
        reply = c.command("AUTH", PASSWORD)
        return reply == "OK"
    finally:
        c.close()


def test_unauthenticated_multibulk_limit(auth_server):
    protocol_error(auth_server, b"*11\r\n", b"unauthenticated multibulk length")
    protocol_error(auth_server, b"*1\r\n$16385\r\n", b"unauthenticated bulk length")
    # The invalid-length errors are checked first.
    protocol_error(auth_server, b"*abc\r\n", b"invalid multibulk length")
    protocol_error(auth_server, b"*1\r\n$600000000\r\n", b"invalid bulk length")
    assert auth_server.proc.poll() is None


def test_unauthenticated_within_limits(auth_server):
    c = auth_server.raw()
    assert c.command("GET", "k") == "NOAUTH Authentication required."
    c.send(encode("DEL", *["k%d" % i for i in range(9)]))  # 10 arguments: allowed
    assert c.read_reply() == "NOAUTH Authentication required."
    assert c.command("GET", b"x" * 16384) == "NOAUTH Authentication required."
    c.send(b"GET " + b"x" * 20000 + b"\r\n")  # inline requests have no extra limit
    assert c.read_reply() == "NOAUTH Authentication required."
    c.close()


def test_limits_lifted_after_auth(auth_server):
    if not auth_registered(auth_server):
        pytest.skip("AUTH is not registered yet (connection family)")
    c = auth_server.raw()
    assert c.command("AUTH", "wrong") == \
        "WRONGPASS invalid username-password pair or user is disabled."
    protocol_error(auth_server, encode("AUTH", "wrong") + b"*11\r\n",
                   b"unauthenticated multibulk length",
                   before=["WRONGPASS invalid username-password pair or user is disabled."])
    assert c.command("AUTH", PASSWORD) == "OK"
    assert c.command("DEL", *["k%d" % i for i in range(20)]) == 0
    assert c.command("SET", "big", b"x" * 100000) == "OK"
    assert c.command("STRLEN", "big") == 100000
    # AUTH pipelined with a big command: the limits apply when the header is parsed.
    d = auth_server.raw()
    d.send(encode("AUTH", PASSWORD) + encode("SET", "big2", b"y" * 50000))
    assert d.read_reply() == "OK"
    assert d.read_reply() == "OK"
    d.close()
    c.close()
    assert answers_ping(auth_server.port, PASSWORD)
