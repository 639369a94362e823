"""Server commands against a real starling-server: INFO, CONFIG GET/SET/RESETSTAT/REWRITE/HELP,
COMMAND (COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP), DBSIZE, FLUSHALL, FLUSHDB,
TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, DEBUG and SLOWLOG, plus redis-cli and
redis-benchmark talking to it.

Replies and error strings are redis-server 7.0.15's; where redis-server is installed the
tests compare with it side by side (error strings, INFO field names, COMMAND INFO and
COMMAND DOCS shapes, and the hints redis-cli builds from COMMAND DOCS).
"""
import os
import re
import shutil
import subprocess
import time

import pytest
import redis

from conftest import RawConn, Server, encode
from redis_reference import norm, reference, replies  # noqa: F401 (fixture)


def info_dict(text):
    out = {}
    for line in text.decode().split("\r\n"):
        if line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def headers(text):
    return [l[2:] for l in text.decode().split("\r\n") if l.startswith("# ")]


# ---- INFO.

DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                    "Modules", "Errorstats", "Cluster", "Keyspace"]


def test_info_sections(server):
    c = server.raw()
    assert headers(c.command("INFO")) == DEFAULT_SECTIONS
    assert headers(c.command("INFO", "default")) == DEFAULT_SECTIONS
    everything = DEFAULT_SECTIONS[:8] + ["Commandstats"] + DEFAULT_SECTIONS[8:]
    assert headers(c.command("INFO", "all")) == everything
    assert headers(c.command("INFO", "everything")) == everything
    assert headers(c.command("INFO", "CPU", "server")) == ["Server", "CPU"]
    assert headers(c.command("INFO", "commandstats")) == ["Commandstats"]
    assert c.command("INFO", "nosuch") == b""
    text = c.command("INFO", "server", "clients")
    assert b"\r\n\r\n# Clients\r\n" in text and not text.endswith(b"\r\n\r\n")


def test_info_fields(server, r):
    info = info_dict(server.raw().command("INFO", "everything"))
    for field in ["redis_version", "redis_mode", "os", "arch_bits", "process_id", "tcp_port",
                  "uptime_in_seconds", "uptime_in_days", "hz", "executable", "config_file",
                  "run_id", "connected_clients", "maxclients", "used_memory",
                  "used_memory_human", "used_memory_rss", "used_memory_peak", "maxmemory",
                  "mem_allocator", "loading", "rdb_changes_since_last_save",
                  "rdb_last_save_time", "aof_enabled", "total_connections_received",
                  "total_commands_processed", "instantaneous_ops_per_sec",
                  "total_net_input_bytes", "keyspace_hits", "keyspace_misses", "expired_keys",
                  "evicted_keys", "rejected_connections", "total_error_replies", "role",
                  "connected_slaves", "used_cpu_sys", "used_cpu_user", "cluster_enabled"]:
        assert field in info, field
    assert info["redis_version"] == "7.0.15"
    assert info["starling_version"] == "0.1.0"
    assert info["redis_mode"] == "standalone" and info["role"] == "master"
    assert info["tcp_port"] == str(server.port)
    assert info["process_id"] == str(server.proc.pid)
    assert os.path.samefile(info["executable"], server.proc.args[0])
    assert len(info["run_id"]) == 40 and int(info["run_id"], 16) >= 0
    assert info["arch_bits"] == "64" and info["os"].startswith("Linux")
    assert int(info["used_memory"]) > 0 and int(info["used_memory_rss"]) > 0
    assert int(info["used_memory_peak"]) >= int(info["used_memory"])
    # LevelDB (the default storage) logs every write: Redis's AOF is the nearest match.
    assert info["maxclients"] == "10000" and info["aof_enabled"] == "1"
    # A fresh server may not have used a clock tick (10 ms) of CPU yet: give it work first.
    pipe = r.pipeline(transaction=False)
    for i in range(20000):
        pipe.set("cpu:%d" % (i % 100), i)
    pipe.execute()
    info = r.info()
    assert float(info["used_cpu_user"]) + float(info["used_cpu_sys"]) > 0


def info_sections(text):
    out, section = {}, None
    for line in text.decode().split("\r\n"):
        if line.startswith("# "):
            section = out.setdefault(line[2:], set())
        elif line:
            section.add(line.split(":", 1)[0])
    return out


def test_info_field_names_are_redis_names(reference, server):
    """In the sections redis-server 7.0 has, every field Starling reports is one Redis
    reports too, or Starling's own (starling_*)."""
    ours = info_sections(server.raw().command("INFO", "everything"))
    theirs = info_sections(RawConn(reference.port).command("INFO", "everything"))
    assert set(DEFAULT_SECTIONS) <= set(theirs)
    for name in DEFAULT_SECTIONS:
        if name in ("Commandstats", "Errorstats", "Keyspace"):
            continue  # per-command, per-error and per-database lines
        extra = {f for f in ours[name] - theirs[name] if not f.startswith("starling_")}
        assert extra == set(), name
    assert "starling_version" in ours["Server"]


def test_info_keyspace_stats_and_resetstat(server, r):
    c = server.raw()
    assert c.command("CONFIG", "RESETSTAT") == "OK"
    assert b"# Keyspace\r\n" in c.command("INFO", "keyspace")
    assert info_dict(c.command("INFO", "keyspace")) == {}
    r.set("a", 1, ex=100)
    r.set("b", 2)
    assert info_dict(c.command("INFO", "keyspace"))["db0"] == "keys=2,expires=1,avg_ttl=0"
    r.get("a")
    r.get("nosuch")
    with pytest.raises(redis.ResponseError):
        r.execute_command("GET")
    with pytest.raises(redis.ResponseError):
        r.execute_command("INCR", "nosuch-but", "extra")
    stats = info_dict(c.command("INFO", "stats"))
    assert int(stats["keyspace_hits"]) >= 1 and int(stats["keyspace_misses"]) >= 1
    cmd = info_dict(c.command("INFO", "commandstats"))
    assert cmd["cmdstat_get"].startswith("calls=2,usec=")
    assert cmd["cmdstat_get"].endswith(",rejected_calls=1,failed_calls=0")
    assert "usec_per_call=" in cmd["cmdstat_set"]
    assert info_dict(c.command("INFO", "errorstats"))["errorstat_ERR"].startswith("count=")
    assert c.command("CONFIG", "RESETSTAT") == "OK"
    stats = info_dict(c.command("INFO", "stats"))
    assert stats["keyspace_hits"] == "0" and stats["total_error_replies"] == "0"
    assert int(stats["total_commands_processed"]) <= 1
    assert "cmdstat_get" not in info_dict(c.command("INFO", "commandstats"))
    assert info_dict(c.command("INFO", "errorstats")) == {}


def test_info_failed_and_rejected_calls(server, r):
    c = server.raw()
    c.command("CONFIG", "RESETSTAT")
    c.command("SET", "s", "x")
    assert c.command("INCR", "s") == "ERR value is not an integer or out of range"
    assert c.command("ECHO") == "ERR wrong number of arguments for 'echo' command"
    assert c.command("NOSUCH").startswith("ERR unknown command")
    assert c.command("CLIENT", "NOSUCH").startswith("ERR unknown subcommand")
    cmd = info_dict(c.command("INFO", "commandstats"))
    assert cmd["cmdstat_incr"].endswith("rejected_calls=0,failed_calls=1")
    assert cmd["cmdstat_echo"] == "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0"
    assert info_dict(c.command("INFO", "errorstats")) == {"errorstat_ERR": "count=4"}
    assert info_dict(c.command("INFO", "stats"))["total_error_replies"] == "4"


def test_instantaneous_ops_per_sec(server):
    c = server.raw()
    deadline = time.time() + 1.2
    batch = b"*1\r\n$4\r\nPING\r\n" * 200
    while time.time() < deadline:
        c.send(batch)
        for _ in range(200):
            c.read_line()
    ops = int(info_dict(c.command("INFO", "stats"))["instantaneous_ops_per_sec"])
    assert ops > 1000
    assert float(info_dict(c.command("INFO", "stats"))["instantaneous_input_kbps"]) > 0


# ---- CONFIG.

def test_config_get(server):
    c = server.raw()
    assert c.command("CONFIG", "GET", "maxclients") == [b"maxclients", b"10000"]
    assert c.command("CONFIG", "GET", "MAXCLIENTS") == [b"maxclients", b"10000"]
    got = c.command("CONFIG", "GET", "maxclient*", "hz", "hz", "nosuch")
    assert dict(zip(got[::2], got[1::2])) == {b"maxclients": b"10000", b"hz": b"10"}
    assert len(got) == 4
    assert c.command("CONFIG", "GET", "nosuch") == []
    assert len(c.command("CONFIG", "GET", "*")) > 100
    assert c.command("CONFIG", "GET", "save") == [b"save", b"3600 1 300 100 60 10000"]
    assert c.command("CONFIG", "GET", "appendonly") == [b"appendonly", b"no"]
    assert c.command("CONFIG", "GET") == "ERR wrong number of arguments for 'config|get' command"


def test_config_set(server):
    c = server.raw()
    assert c.command("CONFIG", "SET", "hz", "20", "maxmemory", "100mb") == "OK"
    assert c.command("CONFIG", "GET", "hz") == [b"hz", b"20"]
    assert c.command("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"104857600"]
    # All or nothing: the bad second value leaves hz as it was.
    assert c.command("CONFIG", "SET", "hz", "15", "maxclients", "abc") == (
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
        "couldn't be parsed into an integer")
    assert c.command("CONFIG", "GET", "hz") == [b"hz", b"20"]
    assert c.command("CONFIG", "SET", "hz", "10", "maxmemory", "0") == "OK"
    assert c.command("CONFIG", "SET", "foo", "1") == \
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
    assert c.command("CONFIG", "SET", "hz", "10", "foo", "1") == \
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
    assert c.command("CONFIG", "SET", "maxclients", "0") == (
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be "
        "between 1 and 4294967295 inclusive")
    assert c.command("CONFIG", "SET", "maxclients", "10", "MAXCLIENTS", "20") == (
        "ERR CONFIG SET failed (possibly related to argument 'MAXCLIENTS') - duplicate "
        "parameter")
    assert c.command("CONFIG", "SET", "daemonize", "yes") == (
        "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
        "immutable config")
    assert c.command("CONFIG", "SET", "hz", "10", "timeout") == "ERR syntax error"
    assert c.command("CONFIG", "SET", "hz") == \
        "ERR wrong number of arguments for 'config|set' command"
    assert c.command("CONFIG", "GET", "maxclients") == [b"maxclients", b"10000"]


def test_config_rewrite_help_unknown(server):
    c = server.raw()
    assert c.command("CONFIG", "REWRITE") == "ERR The server is running without a config file"
    lines = c.command("CONFIG", "HELP")
    assert lines[0] == "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert "RESETSTAT" in lines and lines[-1] == "    Prints this help."
    assert c.command("CONFIG", "FOO") == "ERR unknown subcommand 'FOO'. Try CONFIG HELP."


# ---- Keyspace, time, persistence.

def test_dbsize_flush(r):
    assert r.dbsize() == 0
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.dbsize() == 3
    assert r.flushdb(asynchronous=True) and r.dbsize() == 0
    r.set("a", 1)
    assert r.execute_command("FLUSHALL", "SYNC") and r.dbsize() == 0
    r.set("a", 1)
    assert r.flushall() and r.dbsize() == 0
    for bad in (["FLUSHALL", "foo"], ["FLUSHALL", "ASYNC", "SYNC"], ["FLUSHDB", "x"]):
        with pytest.raises(redis.ResponseError, match="^syntax error$"):
            r.execute_command(*bad)
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'dbsize'"):
        r.execute_command("DBSIZE", "x")


def test_time_and_lastsave(server, r):
    c = server.raw()
    secs, micros = c.command("TIME")
    assert abs(int(secs) + int(micros) / 1e6 - time.time()) < 2
    assert 0 <= int(micros) < 1_000_000
    last = r.lastsave()
    assert abs(last.timestamp() - time.time()) < 3600
    r.set("k", "v")
    assert int(r.info("persistence")["rdb_changes_since_last_save"]) >= 1
    time.sleep(1.05)
    assert c.command("SAVE") == "OK"
    assert r.lastsave() > last
    assert r.info("persistence")["rdb_changes_since_last_save"] == 0
    assert c.command("BGSAVE") == "Background saving started"
    assert c.command("BGSAVE", "SCHEDULE") == "Background saving started"
    assert c.command("BGSAVE", "foo") == "ERR syntax error"
    assert c.command("TIME", "x") == "ERR wrong number of arguments for 'time' command"


def test_slowlog_and_debug(server):
    c = server.raw()
    assert c.command("SLOWLOG", "GET") == []
    assert c.command("SLOWLOG", "GET", "5") == []
    assert c.command("SLOWLOG", "GET", "-1") == []
    assert c.command("SLOWLOG", "GET", "-2") == "ERR count should be greater than or equal to -1"
    assert c.command("SLOWLOG", "GET", "x") == "ERR count should be greater than or equal to -1"
    assert c.command("SLOWLOG", "LEN") == 0
    assert c.command("SLOWLOG", "RESET") == "OK"
    assert c.command("SLOWLOG", "HELP")[0].startswith("SLOWLOG <subcommand>")
    assert c.command("DEBUG", "SLEEP", "0").startswith("ERR DEBUG command not allowed.")


def test_shutdown_errors(server):
    c = server.raw()
    assert c.command("SHUTDOWN", "ABORT") == "ERR No shutdown in progress."
    assert c.command("SHUTDOWN", "ABORT", "NOW") == "ERR syntax error"
    assert c.command("SHUTDOWN", "SAVE", "NOSAVE") == "ERR syntax error"
    assert c.command("SHUTDOWN", "FOO") == "ERR syntax error"
    assert server.alive()


@pytest.mark.parametrize("args", [[], ["NOSAVE"], ["SAVE", "NOW", "FORCE"]])
def test_shutdown_exits_cleanly(args):
    s = Server().start()
    try:
        c = s.raw()
        c.command("SET", "k", "v")
        c.send(encode("SHUTDOWN", *args))
        assert c.closed_by_server()  # no reply: the server is gone
        assert c.buf == b""
        assert s.proc.wait(timeout=10) == 0
    finally:
        s.cleanup()


# ---- COMMAND.

def test_command_count_list_info(server):
    c = server.raw()
    everything = c.command("COMMAND")
    count = c.command("COMMAND", "COUNT")
    assert len(everything) == count > 40
    names = [e[0] for e in everything]
    listed = c.command("COMMAND", "LIST")
    assert [n for n in listed if b"|" not in n] == names
    assert b"client|kill" in listed and b"config|get" in listed
    for name in (b"ping", b"info", b"config", b"command", b"client", b"get", b"set"):
        assert name in names
    info = {e[0]: e for e in everything}
    assert info[b"get"][:6] == [b"get", 2, ["readonly", "fast"], 1, 1, 1]
    assert info[b"hello"][2] == ["noscript", "loading", "stale", "fast", "no_auth",
                                 "allow_busy"]
    assert [s[0] for s in info[b"config"][9]] == [b"config|get", b"config|set",
                                                 b"config|resetstat", b"config|rewrite",
                                                 b"config|help"]
    assert c.command("COMMAND", "INFO", "nosuch", "GET") == [None, info[b"get"]]
    assert c.command("COMMAND", "INFO", "client|kill")[0][:2] == [b"client|kill", -3]
    assert c.command("COMMAND", "INFO") == everything
    assert c.command("COMMAND", "COUNT", "x") == \
        "ERR wrong number of arguments for 'command|count' command"
    assert c.command("COMMAND", "FOO") == "ERR unknown subcommand 'FOO'. Try COMMAND HELP."
    assert c.command("COMMAND", "HELP")[0].startswith("COMMAND <subcommand>")


def test_command_list_filters(server):
    c = server.raw()
    assert c.command("COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*") == [
        b"config|get", b"config|set", b"config|resetstat", b"config|rewrite", b"config|help"]
    conn = c.command("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection")
    assert b"ping" in conn and b"client|list" in conn and b"get" not in conn
    assert b"get" in c.command("COMMAND", "LIST", "FILTERBY", "ACLCAT", "READ")
    assert c.command("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch") == []
    assert c.command("COMMAND", "LIST", "FILTERBY", "MODULE", "x") == []
    for bad in (("FILTERBY", "FOO", "x"), ("FOO",), ("FILTERBY", "PATTERN")):
        assert c.command("COMMAND", "LIST", *bad) == "ERR syntax error"


def test_command_getkeys(server):
    c = server.raw()
    assert c.command("COMMAND", "GETKEYS", "get", "a") == [b"a"]
    assert c.command("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2") == [b"a", b"b"]
    assert c.command("COMMAND", "GETKEYS", "set", "k", "v", "EX", "1") == [b"k"]
    assert c.command("COMMAND", "GETKEYSANDFLAGS", "get", "a") == [[b"a", ["RO", "access"]]]
    assert c.command("COMMAND", "GETKEYS", "nosuch", "a") == "ERR Invalid command specified"
    assert c.command("COMMAND", "GETKEYS", "echo", "a") == \
        "ERR The command has no key arguments"
    assert c.command("COMMAND", "GETKEYS", "get", "a", "b") == \
        "ERR Invalid number of arguments specified for command"
    assert c.command("COMMAND", "GETKEYS", "get") == \
        "ERR wrong number of arguments for 'command|getkeys' command"


SAME_AS_REDIS = [
    ("CONFIG", "SET", "foo", "1"), ("CONFIG", "SET", "maxclients", "abc"),
    ("CONFIG", "SET", "maxclients", "0"), ("CONFIG", "SET", "maxclients", "10", "maxclients", "2"),
    ("CONFIG", "SET", "daemonize", "yes"), ("CONFIG", "SET", "hz", "10", "foo", "2"),
    ("CONFIG", "SET", "hz"), ("CONFIG", "SET", "hz", "10", "timeout"),
    ("CONFIG", "SET", "appendfsync", "bad"), ("CONFIG", "SET", "maxmemory", "1xb"),
    ("CONFIG", "REWRITE"), ("CONFIG", "GET"), ("CONFIG", "GET", "nosuch"),
    ("CONFIG", "GET", "maxclients"), ("CONFIG", "GET", "appendonly"), ("CONFIG", "FOO"),
    ("CONFIG", "HELP"), ("CONFIG", "HELP", "x"), ("DBSIZE", "x"), ("FLUSHALL", "foo"),
    ("FLUSHALL", "ASYNC", "SYNC"), ("FLUSHDB", "SYNC"), ("SHUTDOWN", "ABORT"),
    ("SHUTDOWN", "ABORT", "NOW"), ("SHUTDOWN", "FOO"), ("SHUTDOWN", "SAVE", "NOSAVE"),
    ("SLOWLOG", "GET", "abc"), ("SLOWLOG", "GET", "-2"), ("SLOWLOG", "GET", "5"),
    ("SLOWLOG", "LEN"), ("SLOWLOG", "RESET"), ("SLOWLOG", "FOO"), ("SLOWLOG", "HELP"),
    ("BGSAVE", "foo"), ("TIME", "x"), ("LASTSAVE", "x"), ("DEBUG", "SLEEP", "0"),
    ("INFO", "nosuch"), ("COMMAND", "GETKEYS", "get", "a"), ("COMMAND", "GETKEYS", "ping"),
    ("COMMAND", "GETKEYS", "mset", "a", "b", "c"), ("COMMAND", "GETKEYS", "nosuch", "a"),
    ("COMMAND", "GETKEYS", "get", "a", "b"), ("COMMAND", "GETKEYS", "echo", "a"),
    ("COMMAND", "GETKEYSANDFLAGS", "get", "a"), ("COMMAND", "LIST", "FILTERBY", "FOO", "x"),
    ("COMMAND", "LIST", "FOO"), ("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"),
    ("COMMAND", "INFO", "nosuch"), ("COMMAND", "DOCS", "nosuch"), ("COMMAND", "COUNT", "x"),
    ("COMMAND", "FOO"),
]


def test_errors_match_redis(reference, server):
    ours = replies(server.port, SAME_AS_REDIS)
    theirs = replies(reference.port, SAME_AS_REDIS)
    for cmd, a, b in zip(SAME_AS_REDIS, ours, theirs):
        assert norm(a) == norm(b), cmd


# COMMAND INFO entries equal to redis-server's except for what the table does not hold:
# tips (element 7), and key-spec notes and finer flags (element 8).
SAME_INFO = ["get", "mget", "ping", "echo", "hello", "auth", "select", "quit", "reset", "time",
             "dbsize", "flushall", "client", "config", "slowlog", "command", "set", "getex"]


def test_command_info_matches_redis(reference, server):
    ours = replies(server.port, [("COMMAND", "INFO", n) for n in SAME_INFO])
    theirs = replies(reference.port, [("COMMAND", "INFO", n) for n in SAME_INFO])

    def shape(entry, subs_of=None):
        name, arity, flags, first, last, step, cats, _tips, specs, subs = entry
        specs = [dict(zip(s[::2], s[1::2])) for s in specs]
        for s in specs:
            s.pop(b"notes", None)
            s.pop(b"flags")
        return (name, arity, sorted(flags), first, last, step, specs,
                sorted(shape(s) for s in subs if subs_of is None or s[0] in subs_of))

    for name, a, b in zip(SAME_INFO, ours, theirs):
        a, b = a[0], b[0]
        both = {s[0] for s in a[9]} & {s[0] for s in b[9]}  # 7.2's or unimplemented aside
        assert shape(a, both) == shape(b, both), name
        assert set(a[6]) <= set(b[6]) | {"@connection"}, name  # derived categories


def cli_params(arguments):
    """The parameter hint redis-cli 7 builds from COMMAND DOCS arguments (cliAddArgument)."""
    def add(arg):
        d = dict(zip(arg[::2], arg[1::2]))
        t = d[b"type"].decode()
        flags = d.get(b"flags", [])
        token = d.get(b"token", b"").decode()
        if t in ("oneof", "block"):
            repeat = ("|" if t == "oneof" else " ").join(add(a) for a in d[b"arguments"])
        elif t == "pure-token":
            repeat = ""
        else:
            repeat = d[b"name"].decode()
        token_part = token + " " if token and t != "pure-token" else token
        out = "[" if "optional" in flags else ""
        out += token_part + repeat
        if "multiple" in flags:
            out += " [" + (token_part if "multiple_token" in flags else "") + repeat + " ...]"
        return out + ("]" if "optional" in flags else "")
    return " ".join(add(a) for a in arguments)


def docs(port, name):
    reply = RawConn(port).command("COMMAND", "DOCS", name)
    return {k: dict(zip(v[::2], v[1::2])) for k, v in zip(reply[::2], reply[1::2])}


# Commands whose syntax rows follow Redis's argument names (group names aside).
SAME_HINTS = ["get", "set", "getex", "mget", "mset", "echo", "ping", "select", "auth",
              "dbsize", "time", "info", "flushall", "shutdown", "client|setname",
              "client|no-evict", "client|getname", "config|get", "config|set", "command|info",
              "command|docs", "command|count", "slowlog|get", "incrbyfloat", "getrange"]


def test_command_docs_hints_match_redis(reference, server):
    for name in SAME_HINTS:
        ours, theirs = docs(server.port, name), docs(reference.port, name)
        key = name.encode()
        assert list(ours) == [key] and list(theirs) == [key], name
        a, b = ours[key], theirs[key]
        assert cli_params(a.get(b"arguments", [])) == cli_params(b.get(b"arguments", [])), name
        assert a[b"group"] == b[b"group"] and a[b"since"] == b[b"since"], name


def test_command_docs_shape(server):
    d = docs(server.port, "client")[b"client"]
    assert d[b"group"] == b"connection" and b"summary" in d
    subs = dict(zip(d[b"subcommands"][::2], d[b"subcommands"][1::2]))
    assert b"client|kill" in subs and b"client|list" in subs
    everything = RawConn(server.port).command("COMMAND", "DOCS")
    assert len(everything) == 2 * RawConn(server.port).command("COMMAND", "COUNT")


# ---- redis-cli and redis-benchmark.

def cli_tool(name):
    exe = shutil.which(name)
    if exe is None:
        pytest.skip(name + " is not installed")
    return exe


def test_redis_cli(server):
    cli = cli_tool("redis-cli")
    run = lambda *a: subprocess.run([cli, "-p", str(server.port)] + list(a),
                                    capture_output=True, text=True, timeout=30)
    out = run("PING")
    assert out.returncode == 0 and out.stdout.strip() == "PONG"
    out = run("COMMAND", "DOCS", "set")
    assert out.returncode == 0 and "arguments" in out.stdout and "KEEPTTL" in out.stdout
    out = run("INFO", "server")
    assert "redis_version:7.0.15" in out.stdout
    out = run("--no-raw", "CONFIG", "GET", "maxclients")
    assert out.stdout.split() == ['1)', '"maxclients"', '2)', '"10000"']
    # Interactive mode reads COMMAND DOCS at start; `help <command>` shows what it built.
    out = subprocess.run([cli, "-p", str(server.port)], input="help GETEX\n",
                         capture_output=True, text=True, timeout=30)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout)  # colours
    assert "GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|" in text


def test_redis_benchmark(server):
    bench = cli_tool("redis-benchmark")
    out = subprocess.run([bench, "-p", str(server.port), "-n", "2000", "-c", "4", "-q", "-t",
                          "ping,set,get"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "WARNING" not in out.stdout + out.stderr
    assert "requests per second" in out.stdout
