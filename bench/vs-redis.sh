#!/usr/bin/env bash
# Throughput of starling-server against redis-server in the same run (issues 3 and 4).
#
#   bench/vs-redis.sh [BUILD_DIR]          (default: build)
#   ROUNDS=3 CLIENTS=50 N=100000 TESTS=set,get,... bench/vs-redis.sh
#
# Starts starling-server (in-memory storage, as Redis with persistence off) and Debian's
# redis-server (--save '' --appendonly no) on free loopback ports, then runs
# redis-benchmark against both, alternating server by server, for each test at -P 1 and
# -P 16, ROUNDS times. Prints requests per second (median of the rounds) and the ratio
# starling/redis. These machines are noisy: compare ratios, not absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
N=${N:-100000}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-ping_inline,set,get,incr,mset,sadd,spop,hset,zadd,zpopmin,lpush,rpush,lpop,rpop,lrange_100,lrange_600}
STARLING_ARGS=${STARLING_ARGS:---storage memory}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SP=$(free_port); RP=$(free_port)
TMP=$(mktemp -d)
cleanup() {
  redis-cli -p "$RP" shutdown nosave >/dev/null 2>&1 || true
  kill "$SPID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# shellcheck disable=SC2086
"$BUILD/starling-server" --port "$SP" --bind 127.0.0.1 --data-dir "$TMP/starling" \
  --log-level warn $STARLING_ARGS >"$TMP/starling.log" 2>&1 &
SPID=$!
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$TMP" --logfile "$TMP/redis.log"
for p in "$SP" "$RP"; do
  for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
done

OUT="$TMP/results.csv"
: >"$OUT"
for round in $(seq "$ROUNDS"); do
  for P in $PIPELINES; do
    n=$N
    [ "$P" -gt 1 ] && n=$((N * 4))
    for server in starling redis; do
      port=$SP
      [ "$server" = redis ] && port=$RP
      redis-cli -p "$port" flushall >/dev/null
      redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -P "$P" -n "$n" -t "$TESTS" --csv 2>/dev/null |
        tail -n +2 | sed "s/^/$server,$P,$round,/" >>"$OUT"
    done
  done
done

/usr/bin/python3 - "$OUT" <<'PY'
import csv, statistics, sys
rows = {}
for r in csv.reader(open(sys.argv[1])):
    server, p, rnd, test, rps = r[0], int(r[1]), r[2], r[3], float(r[4])
    rows.setdefault((test, p), {}).setdefault(server, []).append(rps)
print("%-22s %4s %14s %14s %8s" % ("test", "-P", "starling rps", "redis rps", "ratio"))
for (test, p) in sorted(rows, key=lambda k: (k[1], k[0])):
    d = rows[(test, p)]
    s = statistics.median(d.get("starling", [0]))
    r = statistics.median(d.get("redis", [0]))
    print("%-22s %4d %14.0f %14.0f %8.2f" % (test, p, s, r, s / r if r else 0))
PY
