#!/usr/bin/env bash
# Sets up this machine, builds, and compiles the shipped plans. (The sandbox run replaces this.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
dir=$("$root/scripts/build.sh")
cd "$root"
for f in plans/envs/*.asmplan; do "$dir/bin/asmplan" check "$f"; done
