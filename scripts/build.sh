#!/usr/bin/env bash
# Configures and builds one flavour of agentvisor.
#   scripts/build.sh            release-ish build in build/
#   scripts/build.sh asan       ASan + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-release}" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DAV_SANITIZE=ON) ;;
  fuzz)    dir=build-fuzz; flags=(-DCMAKE_BUILD_TYPE=Debug -DAV_FUZZ=ON -DCMAKE_C_COMPILER=clang) ;;
  *) echo "usage: scripts/build.sh [release|asan|fuzz]" >&2; exit 64 ;;
esac
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
ninja -C "$dir"
