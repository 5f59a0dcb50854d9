#!/usr/bin/env bash
# Installs the Debian 12 packages hearth builds and tests with. Idempotent: packages already present are
# not reinstalled, and apt-get runs only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  clang libclang-rt-14-dev          # libFuzzer harnesses and the sanitizer build
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev
  python3 python3-jinja2            # chat template reference renders in tests
  libpcre2-dev                      # tokenizer pre-tokenizer regexes
  libsndfile1-dev libsoxr-dev       # audio decoding (WAV/FLAC/MP3/OGG) and resampling
  libfftw3-dev                      # the audio mel front end's FFT
  libpng-dev libjpeg62-turbo-dev libwebp-dev libgif-dev   # image decoding
  libcpp-httplib-dev libssl-dev     # hearth serve, model pulls over https, sha256 digests
  libedit-dev                       # line editing in the `hearth run` REPL
  g++-aarch64-linux-gnu qemu-user   # the NEON kernels: cross-built and their op tests run under emulation
  googletest                        # GoogleTest sources, for test binaries of the cross build
)

# Node.js and npm run the official ollama / openai JavaScript clients in the API tests; a machine that already
# has them (Debian's or NodeSource's packages) keeps its own.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi
