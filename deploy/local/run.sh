#!/usr/bin/env bash
# `make run`: a local 3-node Starling cluster in the foreground, from
# deploy/local/cluster.yaml: RESP on 127.0.0.1:6379, 6380 and 6381, data in ./data/<node>.
# Each log line is prefixed by its node. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
CONFIG=${CONFIG:-deploy/local/cluster.yaml}
NODES=$(awk '/^ *- *\{ *id:/ { sub(/.*id: */, ""); sub(/,.*/, ""); print }' "$CONFIG")
mkdir -p data
pids=()
stop() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
for n in $NODES; do
  # Process substitution keeps $! the server's pid (not the prefixing sed's).
  "$BUILD/starling-server" --config "$CONFIG" --node "$n" > >(sed -u "s/^/[$n] /") 2>&1 &
  pids+=($!)
done
echo "starling: cluster of $(echo $NODES | wc -w) nodes from $CONFIG (RESP ports 6379, 6380, 6381); Ctrl-C stops it"
wait
