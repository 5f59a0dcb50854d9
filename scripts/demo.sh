#!/usr/bin/env bash
# Installs what is needed, builds hearth, and runs it offline on the small model it ships (models/): a
# Gemma 4-architecture model trained from scratch on the Brown corpus (models/README.md).
# Usage: scripts/demo.sh [PROMPT]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
BUILD_DIR=$root/build scripts/build.sh

model=models/hearth-demo-q8_0.gguf
prompt=${1:-The jury said}
echo
echo "\$ build/src/hearth run $model \"$prompt\""
build/src/hearth run "$model" "$prompt"

cat <<EOF

This 8.8M-parameter model only knows 1961 American prose (the Brown corpus); it continues what you write.
Next:
  chat with it:        build/src/hearth run $model
  serve it:            build/src/hearth serve    (Ollama's and OpenAI's APIs on 127.0.0.1:11434), then
                       curl http://127.0.0.1:11434/api/generate -d '{"model": "$root/$model", "prompt": "$prompt"}'
  a real Gemma 4 GGUF: build/src/hearth run /path/to/gemma-4-E2B-it-Q8_0.gguf "Why is the sky blue?"
  an Ollama model:     build/src/hearth run gemma4:e2b    (read from ~/.ollama/models; hearth pull gemma4:e2b fetches it)
EOF
