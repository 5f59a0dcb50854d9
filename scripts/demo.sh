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
