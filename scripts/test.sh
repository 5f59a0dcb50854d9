#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: the release suite (g++), the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer (clang), the compute core's tests cross-built for AArch64 and
# run under qemu (the NEON kernels), and a bounded libFuzzer run of every parser harness.
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

echo "== sanitizer build (clang, ASan + UBSan, with the libFuzzer harnesses) and tests"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# One clang build serves both the sanitizer test run and the fuzzers, so CI compiles hearth twice, not three
# times. -O1: unoptimized numeric kernels make the golden suites several times slower under the sanitizers.
# Kernels for instruction sets this machine cannot run would never execute under the sanitizers; the release
# build above still compiles them.
skip_isas=()
grep -qw avx2 /proc/cpuinfo || skip_isas+=(avx2)
grep -qw avx512f /proc/cpuinfo || skip_isas+=(avx512)
CC=clang CXX=clang++ BUILD_DIR=$root/build-san BUILD_TYPE=Debug scripts/build.sh -DHEARTH_SANITIZE=ON -DHEARTH_FUZZ=ON \
  -DHEARTH_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DCMAKE_C_FLAGS_DEBUG="-g -O1" \
  "-DHEARTH_SKIP_ISAS=$(IFS=';'; echo "${skip_isas[*]}")"
# Three numeric suites over trusted fixtures (requantizing a whole model, token-by-token prefill, perplexity
# of the demo model) parse nothing the others do not and take a quarter of the sanitized run; the release
# run above covers them.
ctest --test-dir build-san --output-on-failure -j2 --timeout 900 \
  -E '^(QuantFixture\.RequantizingTheBaseReproducesLlamaQuantize|Gemma4Golden\.PrefillMatchesTokenByToken|DemoModel\..*PerplexityMatchesPyTorch)$'

echo "== AArch64 cross build (NEON kernels) and its compute tests under qemu"
scripts/test_arm64.sh

echo "== bounded fuzzing"
FUZZ_BUILD_DIR=$root/build-san scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
