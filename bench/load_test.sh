#!/usr/bin/env bash
# Starts `hearth serve` on a free port with MODEL (default: the tiny Gemma 4 fixture), warms it, and runs
# bench/load_test.mjs against it: CLIENTS (32) streaming clients for SECONDS (120). Not part of the tests.
# Usage: bench/load_test.sh [MODEL] [CLIENTS] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:-${HEARTH_FIXTURES:-$root/../shared/fixtures}/gemma4-dense-tiny.gguf}
clients=${2:-32}
seconds=${3:-120}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scratch=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$scratch"' EXIT
HEARTH_MODELS=$scratch/models "$root/build/src/hearth" serve --port "$port" 2>"$scratch/serve.log" &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/api/generate" -d "{\"model\":\"$model\",\"prompt\":\"\"}" >/dev/null
node "$root/bench/load_test.mjs" --url "http://127.0.0.1:$port" --model "$model" --pid "$server" \
  --clients "$clients" --seconds "$seconds"
