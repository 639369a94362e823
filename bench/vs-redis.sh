#!/usr/bin/env bash
# Throughput of starling-server against redis-server in the same run (issues 3 and 4).
#
#   bench/vs-redis.sh [BUILD_DIR]          (default: build)
#   ROUNDS=3 CLIENTS=50 N=100000 TESTS=set,get,... bench/vs-redis.sh
#
# Starts starling-server (in-memory storage, as Redis with persistence off; a copy of the
# binary, so a rebuild of BUILD_DIR during the run does not matter) and Debian's
# redis-server (--save '' --appendonly no) on free loopback ports, then runs
# redis-benchmark at -c CLIENTS for each test at -P 1 and -P 16, ROUNDS times, interleaved
# test by test: starling, redis, starling, redis... Both servers are flushed at the start of
# each (round, pipeline) pass and the tests run in redis-benchmark's own order, so each
# server sees the same data as in one `redis-benchmark -t all` run (LPOP after LPUSH, ...).
# -P 16 runs use 4*N requests. Prints requests per second (median of the rounds), the
# ratio starling/redis, and the load average (uptime) before each pass.
# These machines are noisy: compare ratios, not absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-50}
N=${N:-100000}
PIPELINES=${PIPELINES:-"1 16"}
# redis-benchmark's order (see its source), issue 3's tests first, then issue 4's.
TESTS=${TESTS:-ping_inline,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600,mset}
STARLING_ARGS=${STARLING_ARGS:---storage memory}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SP=$(free_port); RP=$(free_port)
TMP=$(mktemp -d)
SPID=
cleanup() {
  redis-cli -p "$RP" shutdown nosave >/dev/null 2>&1 || true
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$BUILD/starling-server" "$TMP/starling-server"
echo "# binary: $BUILD/starling-server built $(stat -c %y "$BUILD/starling-server" | cut -d. -f1)"
# shellcheck disable=SC2086
"$TMP/starling-server" --port "$SP" --bind 127.0.0.1 --data-dir "$TMP/starling" \
  --log-level warn $STARLING_ARGS >"$TMP/starling.log" 2>&1 &
SPID=$!
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --dir "$TMP" --logfile "$TMP/redis.log" --pidfile "$TMP/redis.pid"
for p in "$SP" "$RP"; do
  for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
done

echo "# $(date -u '+%F %T UTC') starling ($STARLING_ARGS) :$SP vs $(redis-server --version | awk '{print $3}') :$RP, -c $CLIENTS, N=$N, rounds=$ROUNDS"
OUT="$TMP/results.csv"
: >"$OUT"
for round in $(seq "$ROUNDS"); do
  for P in $PIPELINES; do
    n=$N
    [ "$P" -gt 1 ] && n=$((N * 4))
    echo "# round $round -P $P: $(uptime | sed 's/.*load/load/')"
    redis-cli -p "$SP" flushall >/dev/null
    redis-cli -p "$RP" flushall >/dev/null
    for t in ${TESTS//,/ }; do
      for server in starling redis; do
        port=$SP
        [ "$server" = redis ] && port=$RP
        redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -P "$P" -n "$n" -t "$t" --csv 2>/dev/null |
          tail -n +2 | grep -v 'needed to benchmark' | sed "s/^/$server,$P,$round,/" >>"$OUT" || true
      done
    done
  done
done
echo "# end: $(uptime | sed 's/.*load/load/')"
if ! kill -0 "$SPID" 2>/dev/null; then echo "starling-server died:"; tail -20 "$TMP/starling.log"; fi

/usr/bin/python3 - "$OUT" <<'PY'
import csv, statistics, sys
rows, order = {}, []
for r in csv.reader(open(sys.argv[1])):
    server, p, rnd, test, rps = r[0], int(r[1]), r[2], r[3], float(r[4])
    if (test, p) not in rows: order.append((test, p))
    rows.setdefault((test, p), {}).setdefault(server, []).append(rps)
print("| test | -P | starling rps | redis rps | ratio | min..max ratio per round |")
print("|---|---|---|---|---|---|")
for (test, p) in sorted(order, key=lambda k: k[1]):
    d = rows[(test, p)]
    s, r = d.get("starling", [0]), d.get("redis", [0])
    ms, mr = statistics.median(s), statistics.median(r)
    per = [a / b for a, b in zip(s, r) if b]
    print("| %s | %d | %.0f | %.0f | %.2f | %s |" % (test, p, ms, mr, ms / mr if mr else 0,
          "%.2f..%.2f" % (min(per), max(per)) if per else "-"))
PY
