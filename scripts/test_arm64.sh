#!/usr/bin/env bash
# Cross-builds the compute core for 64-bit Arm (its NEON kernels) and runs its op tests under qemu-user:
# every kernel of the NEON table against the scalar reference, as on an Arm machine. Packages come from
# scripts/setup.sh (g++-aarch64-linux-gnu, qemu-user, googletest).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${ARM64_BUILD_DIR:-$root/build-arm64}
BUILD_DIR=$build_dir "$root/scripts/build.sh" -DHEARTH_COMPUTE_ONLY=ON -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake"
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 600
