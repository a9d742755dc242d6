#!/usr/bin/env bash
# Compile and load benchmark (issue 2). Prints wall time and peak RSS (median of 3 runs each) of
#   - `asmplan compile` on (a) 10k literal steps and (b) a `for` group of 10 steps over 10k names,
#   - loading the compiled plan back (`asmplan show --quiet`: read, verify the sha256, parse),
#   - and, as the anchor measured in the same run, `ninja -t targets all` on equivalent build.ninja
#     files (bench/gen_plans.py writes all inputs), with the ratios to it.
# Usage: bench/bench_compile.sh [BUILD_DIR]   (default: build; needs asmplan, bench_plan_io)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
asmplan=$build/bin/asmplan
plan_io=$build/bin/bench_plan_io
work=$(mktemp -d "${TMPDIR:-/tmp}/asmplan-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 "$here/gen_plans.py" "$work"

# measure NAME CMD...: runs CMD three times; sets RESULT_S (wall), RESULT_CPU (user + system)
# and RESULT_MIB (peak RSS) to the medians. CPU time shows the cost when other jobs share the cores.
measure() {
  local name=$1 times=() cpus=() rss=()
  shift
  for _ in 1 2 3; do
    if ! /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
      echo "$name failed:" >&2
      cat "$work/stderr" >&2
      exit 1
    fi
    read -r t u s m <"$work/time"
    times+=("$t")
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
    rss+=("$m")
  done
  RESULT_S=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)
  RESULT_CPU=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n 2p)
  RESULT_MIB=$(printf '%s\n' "${rss[@]}" | sort -g | sed -n 2p | awk '{printf "%.0f", $1 / 1024}')
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# row CASE WHAT: prints the last measurement beside ninja's (ninja_s, ninja_cpu).
row() {
  printf '%-4s %-38s %6s s %6s s %6s MiB %9s %9s\n' "$1" "$2" "$RESULT_S" "$RESULT_CPU" \
    "$RESULT_MIB" "$(ratio "$RESULT_S" "$ninja_s")" "$(ratio "$RESULT_CPU" "$ninja_cpu")"
}

have_compile=1
"$asmplan" --help | grep -q "^  compile " || have_compile=0

echo "(a) 10k literal steps; (b) a for group of 10 steps over 10k names = 100k steps"
echo "median of 3 runs; cpu = user + system time; ratios against ninja -t targets all on the same graph"
printf '%-4s %-38s %8s %8s %10s %9s %9s\n' "case" "what" "wall" "cpu" "peak RSS" "wall/ninja" \
  "cpu/ninja"
declare -A compile_s
for case in literal for; do
  label=$([ "$case" = literal ] && echo "(a)" || echo "(b)")
  measure "ninja $case" ninja -f "$work/$case.ninja" -t targets all
  ninja_s=$RESULT_S
  ninja_cpu=$RESULT_CPU
  row "$label" "ninja -t targets all"
  if [ "$have_compile" = 1 ]; then
    measure "compile $case" "$asmplan" compile "$work/$case.asmplan" -o "$work/$case.yaml"
    compile_s[$case]=$RESULT_S
    row "$label" "asmplan compile"
  else
    # Until the compiler is on main: the same step shapes, built in memory and written.
    elements=$([ "$case" = literal ] && echo 1000 || echo 10000)
    measure "write $case" "$plan_io" write "$elements" "$work/$case.yaml"
    compile_s[$case]=$RESULT_S
    row "$label" "bench_plan_io write (no compiler yet)"
  fi
  measure "load $case" "$asmplan" show --quiet "$work/$case.yaml"
  row "$label" "load: asmplan show --quiet"
  printf '%-4s %-38s %s bytes\n' "$label" "compiled plan size" "$(stat -c %s "$work/$case.yaml")"
done
echo "t(100k)/t(10k) of compile: $(ratio "${compile_s[for]}" "${compile_s[literal]}") (target <= 12)"
