#!/usr/bin/env bash
# Installs what is needed, builds hearth, and runs it on the embedded default model.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
BUILD_DIR=$root/build scripts/build.sh

# Until hearth ships a trained demo model, it writes a small random-weight Gemma 4 file itself.
model=$root/models-local/demo-tiny.gguf
mkdir -p "$root/models-local"
[[ -f $model ]] || build/src/hearth synth --preset tiny --out "$model"
build/src/hearth show "$model"

# One forward pass end to end: greedy continuation of a few token ids (text generation arrives with `hearth run`).
echo
echo "greedy continuation of tokens 2 100 200 300:"
build/src/hearth logits "$model" --tokens "2 100 200 300" --greedy 8 --json | python3 -c \
  'import json, sys; print(" ".join(str(t) for t in json.load(sys.stdin)["greedy"]["tokens"]))'
