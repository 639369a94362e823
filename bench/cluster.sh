#!/usr/bin/env bash
# The 3-node cluster on loopback (issue 6): replication lag, throughput against one starling
# node and one redis-server in the same run (with the CPU split), gossip bytes per write.
#
#   bench/cluster.sh [BUILD_DIR]        (default: build)
#   ROUNDS=3 N=100000 PROBES=1000 PROBE_SECONDS=60 PARTS=abc bench/cluster.sh  (PARTS: any of a, b, c; d is extra, see cluster_bench.py)
#
# Writes a temp cluster YAML like deploy/local/cluster.yaml (RF=3, same periods) on free
# loopback ports, starts its three nodes (`starling-server --config F --node nX`, LevelDB,
# durability everysec), one stand-alone starling-server (LevelDB, everysec) and one
# redis-server (appendonly yes, appendfsync everysec: the same durability), all from a copy
# of the binary in a temp dir. bench/cluster_bench.py then runs the three measurements and
# prints markdown tables; see its docstring. Everything is stopped and removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
TMP=$(mktemp -d)
PIDS=()
RP=
cleanup() {
  [ -n "$RP" ] && redis-cli -p "$RP" shutdown nosave >/dev/null 2>&1 || true
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cp "$BUILD/starling-server" "$TMP/starling-server"
echo "# binary: $BUILD/starling-server built $(stat -c %y "$BUILD/starling-server" | cut -d. -f1)"
R1=$(free_port); R2=$(free_port); R3=$(free_port)
G1=$(free_port); G2=$(free_port); G3=$(free_port)
SP=$(free_port); RP=$(free_port)
cat >"$TMP/cluster.yaml" <<EOF
cluster: bench
replication_factor: 3
virtual_nodes: 64
gossip_period_ms: 10
heartbeat_ms: 100
failure_timeout_ms: 1000
resend_timeout_ms: 200
max_queue_bytes: 67108864
anti_entropy_period_ms: 10000
durability: everysec
data_dir: $TMP/data
secret: bench
bind: 127.0.0.1
nodes:
  - {id: n1, host: 127.0.0.1, resp_port: $R1, gossip_port: $G1}
  - {id: n2, host: 127.0.0.1, resp_port: $R2, gossip_port: $G2}
  - {id: n3, host: 127.0.0.1, resp_port: $R3, gossip_port: $G3}
EOF
for n in n1 n2 n3; do
  "$TMP/starling-server" --config "$TMP/cluster.yaml" --node "$n" --log-level warn >"$TMP/$n.log" 2>&1 &
  PIDS+=($!)
done
"$TMP/starling-server" --port "$SP" --bind 127.0.0.1 --data-dir "$TMP/single" --log-level warn \
  >"$TMP/single.log" 2>&1 &
PIDS+=($!)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec \
  --daemonize yes --dir "$TMP" --logfile "$TMP/redis.log" --pidfile "$TMP/redis.pid"
for p in "$R1" "$R2" "$R3" "$SP" "$RP"; do
  ok=
  for _ in $(seq 200); do redis-cli -p "$p" ping >/dev/null 2>&1 && ok=1 && break; sleep 0.05; done
  [ -n "$ok" ] || { echo "server on port $p did not start"; tail "$TMP"/*.log; exit 1; }
done
RPID=$(cat "$TMP/redis.pid")
# Wait until every node sees both peers up.
for p in "$R1" "$R2" "$R3"; do
  for _ in $(seq 100); do
    [ "$(redis-cli -p "$p" info replication | tr -d '\r' | awk -F: '/^starling_peers_up:/ {print $2}')" = 2 ] && break
    sleep 0.1
  done
done

status=0
/usr/bin/python3 bench/cluster_bench.py \
  --nodes "$R1,$R2,$R3" --node-pids "${PIDS[0]},${PIDS[1]},${PIDS[2]}" \
  --single "$SP" --single-pid "${PIDS[3]}" --redis "$RP" --redis-pid "$RPID" \
  --rounds "${ROUNDS:-3}" --n "${N:-100000}" --probes "${PROBES:-1000}" --probe-seconds "${PROBE_SECONDS:-60}" --parts "${PARTS:-abc}" || status=$?
for i in 0 1 2 3; do
  if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
    echo "BUG: starling-server pid ${PIDS[$i]} exited during the run; log tail:"
    tail -20 "$TMP"/*.log
    status=1
  fi
done
grep -h -i -E 'error|fatal|abort' "$TMP"/n?.log "$TMP"/single.log | head -20 || true
exit $status
