#!/usr/bin/env bash
# Builds every libFuzzer harness (fuzz/*_fuzz.cpp) with clang, ASan and UBSan in build-fuzz/, then runs each
# for a bounded time on a scratch copy of its seed corpus (fuzz/corpus/<name>/ -> fuzz/corpus-work/<name>/).
# Crashes, leaks, timeouts and out-of-memory inputs are saved under <build>/artifacts/ and fail the script.
# FUZZ_BUILD_DIR names a build directory already configured with HEARTH_FUZZ (scripts/test.sh's sanitizer
# build) to build the harnesses in instead.
#
# Usage: scripts/fuzz.sh [seconds-per-harness]   (default 60)
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

if [[ -z "${FUZZ_BUILD_DIR:-}" ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DHEARTH_FUZZ=ON -DHEARTH_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi

harnesses=()
for source in "$root"/fuzz/*_fuzz.cpp; do
  harnesses+=("$(basename "$source" .cpp)")
done
ninja -C "$build" "${harnesses[@]}"

mkdir -p "$build/artifacts"
for harness in "${harnesses[@]}"; do
  name="${harness%_fuzz}"
  work="$root/fuzz/corpus-work/$name"
  mkdir -p "$work"
  if [[ -d "$root/fuzz/corpus/$name" ]]; then
    cp -n "$root/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true
  fi
  echo "== $harness: ${seconds}s on $work"
  "$build/fuzz/$harness" "$work" \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$build/artifacts/$name-" -print_final_stats=1
done
