#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: the release suite, the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer, and a bounded libFuzzer run of every parser harness.
# FUZZ_SECONDS (default 20) bounds each harness.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
# The official `ollama` and `openai` JavaScript clients the API tests drive (versions pinned by the lock file).
(cd tests/npm && npm ci --no-audit --no-fund --loglevel=error)

echo "== release build and tests"
BUILD_DIR=$root/build scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 600

echo "== sanitizer build (ASan + UBSan) and tests"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# -O1: unoptimized numeric kernels make the golden suites several times slower under the sanitizers.
BUILD_DIR=$root/build-asan BUILD_TYPE=Debug scripts/build.sh -DHEARTH_SANITIZE=ON -DHEARTH_BENCH=OFF \
  -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DCMAKE_C_FLAGS_DEBUG="-g -O1"
ctest --test-dir build-asan --output-on-failure -j2 --timeout 900

echo "== bounded fuzzing"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
