#!/usr/bin/env bash
# `make run`: starts Starling in the foreground on 127.0.0.1:6379 with its data in ./data
# (LevelDB, the embedded default). Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
mkdir -p data
echo "starling: serving on 127.0.0.1:6379 (data in ./data); try: redis-cli -p 6379 ping"
exec "$BUILD/starling-server" --port 6379 --bind 127.0.0.1 --data-dir ./data/node1
