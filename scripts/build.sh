#!/usr/bin/env bash
# Configures and builds asmplan into build/ (or build-asan/ with --sanitize): everything, or the
# targets named after the options. Prints the build dir.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/build"; extra=()
if [ "${1:-}" = "--sanitize" ]; then dir="$root/build-asan"; extra=(-DASMPLAN_SANITIZE=ON); shift; fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${extra[@]}" >&2
fi
cmake --build "$dir" -j "$(nproc)" "${targets[@]}" >&2
echo "$dir"
