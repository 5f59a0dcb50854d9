#!/usr/bin/env bash
# Configures and builds hearth into BUILD_DIR (default build/) with Ninja; extra arguments go to CMake.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
# Lets ccache reuse objects across clones of the repository (paths are hashed relative to the root).
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "$@" >/dev/null
ninja -C "$build_dir"
