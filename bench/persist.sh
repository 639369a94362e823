#!/usr/bin/env bash
# Persistence benchmark (issue 5): starling-server on LevelDB against redis-server with
# AOF, in the same run, on the same disk.
#
#   bench/persist.sh [BUILD_DIR]                       (default: build)
#   ROUNDS=3 N=100000 N_ALWAYS=20000 MODES="always everysec no" KEYS=1000000 bench/persist.sh
#   MODES= bench/persist.sh                           (recovery only)
#
# 1. Write throughput: for each appendfsync mode, starling-server --appendfsync MODE against
#    redis-server --appendonly yes --appendfsync MODE, redis-benchmark SET and SADD at
#    -c 50, -P 1 and -P 16, alternating server by server, ROUNDS times; prints the median
#    requests per second and the ratio starling/redis. (`always` uses N_ALWAYS requests:
#    every reply waits for an fsync.) Keys and members are random in RANGE (-r): without
#    -r every SADD re-adds one member, which Redis skips (no AOF write) while Starling
#    stores it (a re-add takes a new dot), so the test would compare different work.
# 2. Recovery: KEYS keys of mixed types (60% strings, 10% each sets, hashes, sorted sets,
#    lists of 5 elements) written to both servers, then the time from starting the process
#    to the first PONG, starling (LevelDB) against redis loading its AOF (no rewrite, so a
#    pure command log) and, after BGREWRITEAOF, its AOF with an RDB preamble. Caches are
#    warm for both (the files were just written). Set KEYS=0 to skip.
# These machines are noisy: compare ratios, not absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
N=${N:-100000}
N_ALWAYS=${N_ALWAYS:-20000}
MODES=${MODES-"always everysec no"}
KEYS=${KEYS:-1000000}
RANGE=${RANGE:-100000}
PY=/usr/bin/python3

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/starling-persist.XXXXXX")
SPID=""
RP=""
stop_all() {
  [ -n "$RP" ] && redis-cli -p "$RP" shutdown nosave >/dev/null 2>&1 || true
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
  SPID=""
  RP=""
}
trap 'stop_all; rm -rf "$TMP"' EXIT

wait_ping() {
  for _ in $(seq 400); do
    [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  return 1
}

start_pair() {  # MODE: starts starling on $SP and redis on $RP, both empty
  local mode=$1
  SP=$(free_port)
  RP=$(free_port)
  rm -rf "$TMP/starling" "$TMP/redis"
  mkdir -p "$TMP/redis"
  "$BUILD/starling-server" --port "$SP" --bind 127.0.0.1 --data-dir "$TMP/starling" \
    --appendfsync "$mode" --log-level warn >"$TMP/starling.log" 2>&1 &
  SPID=$!
  redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync "$mode" \
    --auto-aof-rewrite-percentage 0 --daemonize yes --dir "$TMP/redis" \
    --logfile "$TMP/redis.log"
  wait_ping "$SP"
  wait_ping "$RP"
}

echo "== write throughput (redis-benchmark -c $CLIENTS, rounds: $ROUNDS)"
OUT="$TMP/results.csv"
: >"$OUT"
for mode in $MODES; do
  start_pair "$mode"
  for round in $(seq "$ROUNDS"); do
    for P in 1 16; do
      n=$N
      [ "$mode" = always ] && n=$N_ALWAYS
      [ "$P" -gt 1 ] && n=$((n * 4))
      for server in starling redis; do
        port=$SP
        [ "$server" = redis ] && port=$RP
        redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -P "$P" -n "$n" -r "$RANGE" -t set,sadd \
          --csv 2>/dev/null | tail -n +2 | sed "s/^/$mode,$server,$P,$round,/" >>"$OUT"
      done
    done
  done
  stop_all
done

$PY - "$OUT" <<'PY'
import csv, statistics, sys
rows = {}
for r in csv.reader(open(sys.argv[1])):
    mode, server, p, test, rps = r[0], r[1], int(r[2]), r[4], float(r[5])
    rows.setdefault((mode, test, p), {}).setdefault(server, []).append(rps)
order = {"always": 0, "everysec": 1, "no": 2}
print("%-9s %-5s %4s %14s %14s %8s" % ("fsync", "test", "-P", "starling rps", "redis rps", "ratio"))
for (mode, test, p) in sorted(rows, key=lambda k: (order.get(k[0], 9), k[2], k[1])):
    d = rows[(mode, test, p)]
    s = statistics.median(d.get("starling", [0]))
    r = statistics.median(d.get("redis", [0]))
    print("%-9s %-5s %4d %14.0f %14.0f %8.2f" % (mode, test, p, s, r, s / r if r else 0))
PY

[ "$KEYS" -gt 0 ] || exit 0
echo
echo "== recovery: $KEYS keys of mixed types"
$PY - "$KEYS" "$TMP/load.resp" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
def cmd(*a):
    parts = [b"*%d\r\n" % len(a)]
    for x in a:
        x = x if isinstance(x, bytes) else str(x).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(x), x))
    return b"".join(parts)
with open(path, "wb") as f:
    for i in range(n):
        k = i % 10
        if k < 6:
            f.write(cmd("SET", "str:%d" % i, "value-%d-xxxxxxxxxxxxxxxx" % i))
        elif k == 6:
            f.write(cmd("SADD", "set:%d" % i, *["m%d" % j for j in range(5)]))
        elif k == 7:
            f.write(cmd("HSET", "hash:%d" % i, *sum([["f%d" % j, "v%d" % j] for j in range(5)], [])))
        elif k == 8:
            f.write(cmd("ZADD", "zset:%d" % i, *sum([[j, "m%d" % j] for j in range(5)], [])))
        else:
            f.write(cmd("RPUSH", "list:%d" % i, *["e%d" % j for j in range(5)]))
PY
start_pair everysec
redis-cli -p "$SP" --pipe <"$TMP/load.resp" | tail -1
redis-cli -p "$RP" --pipe <"$TMP/load.resp" | tail -1
for p in "$SP" "$RP"; do
  got=$(redis-cli -p "$p" dbsize)
  [ "$got" = "$KEYS" ] || { echo "port $p has $got keys, not $KEYS" >&2; exit 1; }
done
# A clean stop for both: starling syncs, redis fsyncs its AOF.
kill "$SPID"; wait "$SPID" || true; SPID=""
redis-cli -p "$RP" shutdown >/dev/null 2>&1 || true; RP=""
sleep 0.5
echo "on disk: starling $(du -sh "$TMP/starling" | cut -f1), redis AOF $(du -sh "$TMP/redis" | cut -f1)"

# Seconds from exec to the first PONG (Redis answers -LOADING until it has loaded).
time_start() {  # NAME, then the command line
  local name=$1
  shift
  $PY - "$name" "$KEYS" "$@" <<'PY'
import socket, subprocess, sys, time
name, keys, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
port = int(argv[argv.index("--port") + 1])
t0 = time.monotonic()
proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while True:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(64).startswith(b"+PONG"):
                break
    except OSError:
        pass
    if proc.poll() is not None:
        sys.exit("%s exited with %d" % (name, proc.returncode))
    time.sleep(0.002)
dt = time.monotonic() - t0
with socket.create_connection(("127.0.0.1", port)) as s:
    s.sendall(b"DBSIZE\r\n")
    n = int(s.recv(64)[1:].strip())
    s.sendall(b"*1\r\n$8\r\nSHUTDOWN\r\n")
    try:
        s.recv(64)
    except OSError:
        pass
proc.wait(timeout=120)
assert n == keys, "%s loaded %d keys" % (name, n)
print("%-28s %8.2f s  (%d keys)" % (name, dt, n))
PY
}
for round in $(seq "$ROUNDS"); do
  SP=$(free_port)
  time_start "starling (leveldb)" "$BUILD/starling-server" --port "$SP" --bind 127.0.0.1 \
    --data-dir "$TMP/starling" --log-level warn
  RP=$(free_port)
  time_start "redis (aof, no preamble)" redis-server --port "$RP" --bind 127.0.0.1 --save '' \
    --appendonly yes --auto-aof-rewrite-percentage 0 --dir "$TMP/redis" --logfile "$TMP/redis.log"
done
RP=$(free_port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly yes \
  --auto-aof-rewrite-percentage 0 --daemonize yes --dir "$TMP/redis" --logfile "$TMP/redis.log"
wait_ping "$RP"
redis-cli -p "$RP" bgrewriteaof >/dev/null
while [ "$(redis-cli -p "$RP" info persistence | tr -d '\r' | grep aof_rewrite_in_progress: | cut -d: -f2)" != 0 ]; do
  sleep 0.2
done
sleep 0.5
redis-cli -p "$RP" shutdown >/dev/null 2>&1 || true
RP=""
sleep 0.5
for round in $(seq "$ROUNDS"); do
  RP2=$(free_port)
  time_start "redis (aof, rdb preamble)" redis-server --port "$RP2" --bind 127.0.0.1 --save '' \
    --appendonly yes --auto-aof-rewrite-percentage 0 --dir "$TMP/redis" --logfile "$TMP/redis.log"
done
