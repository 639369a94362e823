"""Connection commands against a real starling-server: PING, ECHO, HELLO, AUTH, SELECT, QUIT,
RESET and CLIENT (ID, GETNAME, SETNAME, SETINFO, INFO, LIST, KILL, NO-EVICT, NO-TOUCH, HELP),
the AUTH flow of a server started with --requirepass, and maxclients.

Expected replies and error strings are redis-server 7.0.15's: the error-string table at the
end is run against both servers side by side when redis-server is installed. Starling has
one database (SELECT 1 fails), one user (`default`) and 7.2's CLIENT SETINFO / NO-TOUCH.
"""
import socket
import time

import pytest
import redis

from conftest import RawConn, Server
from redis_reference import norm, reference, replies  # noqa: F401 (fixture)


def client_fields(line):
    return [kv.split("=", 1) for kv in line.strip().split(" ")]


# ---- PING, ECHO, SELECT, QUIT.

def test_ping_and_echo(server):
    c = server.raw()
    assert c.command("PING") == "PONG"
    assert c.command("PING", "hello") == b"hello"
    assert c.command("PING", "a", "b") == "ERR wrong number of arguments for 'ping' command"
    assert c.command("ECHO", "x\r\ny") == b"x\r\ny"
    assert c.command("ECHO") == "ERR wrong number of arguments for 'echo' command"
    c.send(b"PING\r\n")
    assert c.read_line() == b"+PONG"


def test_select(r):
    assert r.execute_command("SELECT", 0)
    with pytest.raises(redis.ResponseError, match="^DB index is out of range$"):
        r.execute_command("SELECT", 1)
    with pytest.raises(redis.ResponseError, match="^DB index is out of range$"):
        r.execute_command("SELECT", -1)
    with pytest.raises(redis.ResponseError, match="^value is not an integer or out of range$"):
        r.execute_command("SELECT", "abc")
    with pytest.raises(redis.ResponseError, match="^value is out of range, value must between "
                                                  "-2147483648 and 2147483647$"):
        r.execute_command("SELECT", "99999999999")


def test_quit_replies_then_closes(server):
    c = server.raw()
    c.send(b"*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n")
    assert c.read_line() == b"+OK"
    assert c.closed_by_server()
    assert c.buf == b""  # the pipelined PING never ran
    c2 = server.raw()
    assert c2.command("QUIT", "extra") == "OK"  # arity -1, as Redis
    assert c2.closed_by_server()


# ---- HELLO.

def test_hello_2_and_3(server):
    c = server.raw()
    my_id = c.command("CLIENT", "ID")
    assert c.command("HELLO") == [b"server", b"redis", b"version", b"7.0.15", b"proto", 2,
                                  b"id", my_id, b"mode", b"standalone", b"role", b"master",
                                  b"modules", []]
    c.send(b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n")
    head = c.read_line()
    assert head == b"%7"  # the reply to HELLO 3 is already RESP3
    c.buf = b"%7\r\n" + c.buf
    reply = c.read_reply()
    assert reply == {"server": b"redis", "version": b"7.0.15", "proto": 3, "id": my_id,
                     "mode": b"standalone", "role": b"master", "modules": []}
    assert c.command("HELLO")["proto"] == 3
    assert isinstance(c.command("HELLO", "2"), list)
    assert c.command("CLIENT", "GETNAME") is None
    c.send(b"*2\r\n$6\r\nCLIENT\r\n$7\r\nGETNAME\r\n")
    assert c.read_line() == b"$-1"  # back to RESP2


def test_hello_errors(server):
    c = server.raw()
    assert c.command("HELLO", "4") == "NOPROTO unsupported protocol version"
    assert c.command("HELLO", "1") == "NOPROTO unsupported protocol version"
    assert c.command("HELLO", "abc") == "ERR Protocol version is not an integer or out of range"
    assert c.command("HELLO", "2", "FOO") == "ERR Syntax error in HELLO option 'FOO'"
    assert c.command("HELLO", "2", "AUTH", "default") == \
        "ERR Syntax error in HELLO option 'AUTH'"
    assert c.command("HELLO", "2", "SETNAME", "a b") == \
        "ERR Client names cannot contain spaces, newlines or special characters."
    assert isinstance(c.command("HELLO", "2", "SETNAME", "worker"), list)
    assert c.command("CLIENT", "GETNAME") == b"worker"
    # No password configured: the default user takes any password.
    assert isinstance(c.command("HELLO", "2", "AUTH", "default", "anything"), list)
    assert c.command("HELLO", "2", "AUTH", "bob", "x") == \
        "WRONGPASS invalid username-password pair or user is disabled."


# ---- AUTH.

def test_auth_without_requirepass(server):
    c = server.raw()
    assert c.command("AUTH", "x") == (
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?")
    assert c.command("AUTH", "default", "x") == "OK"
    assert c.command("AUTH", "u", "p") == \
        "WRONGPASS invalid username-password pair or user is disabled."
    assert c.command("AUTH", "a", "b", "c") == "ERR syntax error"
    assert c.command("AUTH") == "ERR wrong number of arguments for 'auth' command"


@pytest.fixture(scope="module")
def secured():
    s = Server("--requirepass", "s3cret").start()
    yield s
    s.cleanup()


def test_auth_flow_with_requirepass(secured):
    c = secured.raw()
    assert c.command("PING") == "NOAUTH Authentication required."
    assert c.command("CLIENT", "ID") == "NOAUTH Authentication required."
    # Unknown commands and arity are checked before authentication, as in Redis.
    assert c.command("NOSUCH").startswith("ERR unknown command 'NOSUCH'")
    assert c.command("GET") == "ERR wrong number of arguments for 'get' command"
    assert c.command("HELLO").startswith("NOAUTH HELLO must be called with the client already "
                                         "authenticated, otherwise the HELLO AUTH")
    assert c.command("AUTH", "wrong") == \
        "WRONGPASS invalid username-password pair or user is disabled."
    assert c.command("AUTH", "default", "wrong") == \
        "WRONGPASS invalid username-password pair or user is disabled."
    assert c.command("AUTH", "bob", "s3cret") == \
        "WRONGPASS invalid username-password pair or user is disabled."
    assert c.command("PING") == "NOAUTH Authentication required."
    assert c.command("AUTH", "s3cret") == "OK"
    assert c.command("PING") == "PONG"
    # RESET forgets the authentication.
    assert c.command("RESET") == "RESET"
    assert c.command("PING") == "NOAUTH Authentication required."
    assert c.command("AUTH", "default", "s3cret") == "OK"
    assert c.command("PING") == "PONG"


def test_hello_auth_with_requirepass(secured):
    c = secured.raw()
    assert c.command("HELLO", "3", "AUTH", "default", "wrong") == \
        "WRONGPASS invalid username-password pair or user is disabled."
    c.send(b"*7\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$6\r\ns3cret\r\n"
           b"$7\r\nSETNAME\r\n$2\r\nme\r\n")
    reply = c.read_reply()
    assert reply["proto"] == 3
    assert c.command("CLIENT", "GETNAME") == b"me"
    assert c.command("RESET") == "RESET"
    assert c.command("PING") == "NOAUTH Authentication required."


def test_redis_py_with_password(secured):
    with pytest.raises(redis.AuthenticationError):
        secured.client().ping()
    c = secured.client(password="s3cret")
    assert c.ping()
    assert c.client_setname("py") and c.client_getname() == "py"


def test_requirepass_set_at_run_time(server):
    admin = server.client()
    before = server.raw()
    try:
        assert admin.config_set("requirepass", "later")
        fresh = server.raw()
        assert fresh.command("PING") == "NOAUTH Authentication required."
        assert before.command("PING") == "PONG"  # already connected clients stay in
        assert fresh.command("AUTH", "later") == "OK"
    finally:
        admin.execute_command("AUTH", "later")
        admin.config_set("requirepass", "")
    # With the password gone, everyone is in (Redis's nopass default user).
    third = server.raw()
    assert third.command("PING") == "PONG"


# ---- RESET.

def test_reset(server):
    c = server.raw()
    c.command("CLIENT", "SETNAME", "n1")
    c.command("HELLO", "3")
    assert c.command("RESET") == "RESET"
    c.send(b"*2\r\n$6\r\nCLIENT\r\n$7\r\nGETNAME\r\n")
    assert c.read_line() == b"$-1"  # RESP2 again, name cleared
    assert c.command("RESET", "x") == "ERR wrong number of arguments for 'reset' command"


# ---- CLIENT.

def test_client_id_name_setinfo(server):
    c = server.raw()
    cid = c.command("CLIENT", "ID")
    assert isinstance(cid, int) and cid > 0
    assert server.raw().command("CLIENT", "ID") > cid
    assert c.command("CLIENT", "GETNAME") is None
    assert c.command("CLIENT", "SETNAME", "a b") == \
        "ERR Client names cannot contain spaces, newlines or special characters."
    assert c.command("CLIENT", "SETNAME", "caf\xe9") == \
        "ERR Client names cannot contain spaces, newlines or special characters."
    assert c.command("CLIENT", "SETNAME", "job-1") == "OK"
    assert c.command("CLIENT", "GETNAME") == b"job-1"
    assert c.command("CLIENT", "SETNAME", "") == "OK"
    assert c.command("CLIENT", "GETNAME") is None
    assert c.command("CLIENT", "SETNAME") == \
        "ERR wrong number of arguments for 'client|setname' command"
    assert c.command("CLIENT", "SETINFO", "LIB-NAME", "redis-py") == "OK"
    assert c.command("CLIENT", "SETINFO", "lib-ver", "4.3.4") == "OK"
    assert c.command("CLIENT", "SETINFO", "lib-name", "a b") == \
        "ERR lib-name cannot contain spaces, newlines or special characters."
    assert c.command("CLIENT", "SETINFO", "color", "x") == "ERR Unrecognized option 'color'"
    info = c.command("CLIENT", "INFO").decode()
    assert " lib-name=redis-py lib-ver=4.3.4\n" in info
    assert c.command("CLIENT", "NO-EVICT", "on") == "OK"
    assert c.command("CLIENT", "NO-EVICT", "OFF") == "OK"
    assert c.command("CLIENT", "NO-EVICT", "maybe") == "ERR syntax error"
    assert c.command("CLIENT", "NO-TOUCH", "on") == "OK"
    assert c.command("CLIENT", "FOO") == "ERR unknown subcommand 'FOO'. Try CLIENT HELP."
    assert c.command("CLIENT") == "ERR wrong number of arguments for 'client' command"
    help_lines = c.command("CLIENT", "HELP")
    assert help_lines[0].startswith("CLIENT <subcommand>") and "KILL <ip:port>" in help_lines


STARLING_CLIENT_FIELDS = [
    "id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
    "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
    "tot-mem", "events", "cmd", "user", "redir", "resp", "lib-name", "lib-ver"]


def test_client_info_and_list_fields(server):
    c = server.raw()
    c.command("CLIENT", "SETNAME", "lister")
    cid = c.command("CLIENT", "ID")
    line = c.command("CLIENT", "INFO").decode()
    assert line.endswith("\n") and line.count("\n") == 1
    fields = client_fields(line)
    assert [k for k, _ in fields] == STARLING_CLIENT_FIELDS
    d = dict(fields)
    local = c.sock.getsockname()
    assert d["id"] == str(cid)
    assert d["addr"] == "%s:%d" % local
    assert d["laddr"] == "127.0.0.1:%d" % server.port
    assert d["name"] == "lister"
    assert d["flags"] == "N" and d["db"] == "0" and d["multi"] == "-1"
    assert d["cmd"] == "client|info" and d["user"] == "default" and d["resp"] == "2"
    assert d["argv-mem"] == "10"  # "client" + "info", as Redis counts it
    other = server.raw()
    other_id = str(other.command("CLIENT", "ID"))
    other.command("PING")
    listing = c.command("CLIENT", "LIST").decode()
    assert listing.endswith("\n")
    by_id = {}
    for line in listing[:-1].split("\n"):
        d = dict(client_fields(line))
        by_id[d["id"]] = d
    assert by_id[str(cid)]["cmd"] == "client|list"
    assert by_id[other_id]["cmd"] == "ping"
    assert by_id[other_id]["argv-mem"] == "0"
    only = c.command("CLIENT", "LIST", "ID", cid, 0, -5, 999999).decode()
    assert only.count("\n") == 1 and only.startswith("id=%d " % cid)
    assert c.command("CLIENT", "LIST", "TYPE", "normal").decode().count("\n") >= 2
    assert c.command("CLIENT", "LIST", "TYPE", "master") == b""
    assert c.command("CLIENT", "LIST", "TYPE", "pubsub") == b""
    assert c.command("CLIENT", "LIST", "TYPE", "foo") == "ERR Unknown client type 'foo'"
    assert c.command("CLIENT", "LIST", "ID", "1", "abc") == "ERR Invalid client ID"
    assert c.command("CLIENT", "LIST", "ID") == "ERR syntax error"
    assert c.command("CLIENT", "LIST", "foo") == "ERR syntax error"


def test_client_list_age_and_idle(server):
    c = server.raw()
    c.command("PING")
    time.sleep(2.1)
    d = dict(client_fields(server.raw().command("CLIENT", "LIST", "ID",
                                                c.command("CLIENT", "ID")).decode()))
    assert int(d["age"]) >= 2
    assert int(d["idle"]) == 0  # the CLIENT ID just above
    time.sleep(1.1)
    d = dict(client_fields(server.raw().command("CLIENT", "LIST", "ID", d["id"]).decode()))
    assert int(d["idle"]) >= 1


def test_client_list_field_order_matches_redis(reference, server):
    ref = dict(client_fields(RawConn(reference.port).command("CLIENT", "INFO").decode()))
    ours = [k for k, _ in client_fields(server.raw().command("CLIENT", "INFO").decode())]
    # Redis 7.2 added lib-name and lib-ver at the end; the rest is 7.0.15's order.
    assert ours[:len(ref)] == list(ref.keys())
    assert ours[len(ref):] in ([], ["lib-name", "lib-ver"])


def test_client_kill(server):
    victim = server.raw()
    victim.command("PING")
    killer = server.raw()
    vaddr = "%s:%d" % victim.sock.getsockname()
    assert killer.command("CLIENT", "KILL", vaddr) == "OK"
    assert victim.closed_by_server()
    assert killer.command("CLIENT", "KILL", vaddr) == "ERR No such client"

    v2 = server.raw()
    v2_id = v2.command("CLIENT", "ID")
    assert killer.command("CLIENT", "KILL", "ID", v2_id) == 1
    assert v2.closed_by_server()
    assert killer.command("CLIENT", "KILL", "ID", v2_id) == 0

    v3 = server.raw()
    v3.command("PING")
    v3addr = "%s:%d" % v3.sock.getsockname()
    assert killer.command("CLIENT", "KILL", "ADDR", v3addr, "LADDR",
                          "127.0.0.1:%d" % server.port, "USER", "default",
                          "TYPE", "normal") == 1
    assert v3.closed_by_server()
    # Killing oneself: SKIPME yes (the default) spares the caller...
    my_id = killer.command("CLIENT", "ID")
    assert killer.command("CLIENT", "KILL", "ID", my_id) == 0
    assert killer.command("CLIENT", "KILL", "ID", my_id, "SKIPME", "yes") == 0
    # ...SKIPME no replies first, then closes.
    assert killer.command("CLIENT", "KILL", "ID", my_id, "SKIPME", "no") == 1
    assert killer.closed_by_server()


def test_client_kill_errors(server):
    c = server.raw()
    assert c.command("CLIENT", "KILL", "ID", "abc") == "ERR client-id should be greater than 0"
    assert c.command("CLIENT", "KILL", "ID", "0") == "ERR client-id should be greater than 0"
    assert c.command("CLIENT", "KILL", "ID") == "ERR No such client"  # old form: addr "ID"
    assert c.command("CLIENT", "KILL", "foo", "bar") == "ERR syntax error"
    assert c.command("CLIENT", "KILL", "ID", "5", "SKIPME") == "ERR syntax error"
    assert c.command("CLIENT", "KILL", "SKIPME", "maybe") == "ERR syntax error"
    assert c.command("CLIENT", "KILL", "USER", "nobody") == "ERR No such user 'nobody'"
    assert c.command("CLIENT", "KILL", "TYPE", "foo") == "ERR Unknown client type 'foo'"
    assert c.command("CLIENT", "KILL", "TYPE", "master") == 0
    assert c.command("CLIENT", "KILL") == "ERR wrong number of arguments for 'client|kill' command"
    assert c.command("PING") == "PONG"


# ---- maxclients.

def test_maxclients(server):
    admin = server.client()
    held = []
    try:
        time.sleep(0.3)  # let connections of earlier tests finish closing
        connected = int(admin.info("clients")["connected_clients"])
        rejected = int(admin.info("stats")["rejected_connections"])
        assert admin.config_set("maxclients", connected + 2)
        refusal = None
        for _ in range(10):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.settimeout(0.5)
            try:
                refusal = s.recv(4096)  # a refused client is told at once
            except socket.timeout:
                s.settimeout(5)
                s.sendall(b"PING\r\n")
                assert s.recv(64) == b"+PONG\r\n"
                held.append(s)
                continue
            assert s.recv(64) == b""  # then closed
            s.close()
            break
        assert refusal == b"-ERR max number of clients reached\r\n"
        assert len(held) >= 2
        assert int(admin.info("clients")["connected_clients"]) <= connected + 2
        assert int(admin.info("stats")["rejected_connections"]) == rejected + 1
    finally:
        for h in held:
            h.close()
        admin.config_set("maxclients", 10000)
    assert server.raw().command("PING") == "PONG"


# ---- The same error strings as redis-server, side by side.

SAME_AS_REDIS = [
    ("PING", "a", "b"), ("ECHO",), ("HELLO", "4"), ("HELLO", "abc"), ("HELLO", "2", "FOO"),
    ("HELLO", "2", "AUTH", "default"), ("HELLO", "2", "SETNAME", "a b"), ("AUTH", "x"),
    ("AUTH", "u", "p"), ("AUTH", "a", "b", "c"), ("SELECT", "abc"), ("SELECT", "-1"),
    ("SELECT", "99999999999"), ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", "a b"),
    ("CLIENT", "SETNAME", "x"), ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME"),
    ("CLIENT", "LIST", "TYPE", "foo"), ("CLIENT", "LIST", "ID", "1", "abc"),
    ("CLIENT", "LIST", "ID"), ("CLIENT", "LIST", "ID", "0"), ("CLIENT", "LIST", "foo"),
    ("CLIENT", "LIST", "TYPE", "master"), ("CLIENT", "KILL", "1.2.3.4:5"),
    ("CLIENT", "KILL", "ID", "999"), ("CLIENT", "KILL", "ID", "abc"), ("CLIENT", "KILL", "ID"),
    ("CLIENT", "KILL", "foo", "bar"), ("CLIENT", "KILL", "SKIPME", "maybe"),
    ("CLIENT", "KILL", "SKIPME", "yes"), ("CLIENT", "KILL", "USER", "nobody"),
    ("CLIENT", "KILL", "USER", "default"), ("CLIENT", "KILL", "TYPE", "foo"),
    ("CLIENT", "KILL", "MAXAGE", "1"), ("CLIENT", "KILL", "ID", "5", "SKIPME"),
    ("CLIENT", "NO-EVICT", "on"), ("CLIENT", "NO-EVICT", "maybe"), ("CLIENT", "NO-EVICT", "off"),
    ("CLIENT", "FOO"), ("CLIENT",), ("CLIENT", "HELP", "x"), ("RESET", "x"), ("QUIT", "x"),
]


def test_errors_match_redis(reference, server):
    ours = replies(server.port, SAME_AS_REDIS)
    theirs = replies(reference.port, SAME_AS_REDIS)
    for cmd, a, b in zip(SAME_AS_REDIS, ours, theirs):
        assert norm(a) == norm(b), cmd
