#!/usr/bin/env bash
# Executor benchmark (issue 3). Usage: bench/bench_executor.sh [BUILD_DIR] (default: build).
# In one run, each figure beside its anchor measured here:
#  1. 10k independent steps running `true`: asmplan (durable checkpoint: before a step's command
#     starts, its `arm` record, written while the step before it ran, is synced (the first step:
#     its running record); for `idempotent` steps nothing is waited for: the journal's thread syncs
#     within about 5 ms, together with the records of the steps after it)
#     vs `ninja -j1` on an equivalent build.ninja; per-step time and ratio. Also at -j2.
#     The state directory is on the working directory's file system (WORK, default a mktemp -d
#     under /tmp) and, for comparison, on /dev/shm when it exists (fdatasync is nearly free).
#     Beside them the floor (bench_floor): a bare spawn of `true` plus one durable append per
#     step, one after the other and two at once.
#     The main pair (ninja, and asmplan's unmarked steps on ext4) runs three times alternately;
#     the ratio is the median of the three rounds' ratios.
#  2. A DAG of sleep steps: wall time / critical path, timed to the millisecond; also the run
#     alone (run_started..run_finished in its --events), without process start and exit. Five
#     rounds, each beside its own measurement of the critical path; medians.
#  3. Replaying a 100k-step journal vs `ninja -n` over 100k edges whose outputs exist.
#  4. Peak RSS of `asmplan resume` on a finished 100k-step run (plan + journal loaded).
# On ext4, creating a file is slow for ~30 s after many files were deleted (the inode allocator
# skips recently deleted inodes one by one), and this script deletes 100k at its end: leave a
# pause between runs, or the next one's figures include that.
set -euo pipefail
export LC_ALL=C  # $EPOCHREALTIME and awk's numbers with a decimal point
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
asmplan=$build/bin/asmplan
replay=$build/bench/bench_journal_replay
[ -x "$replay" ] || replay=$build/bin/bench_journal_replay
floor=$build/bench/bench_floor
[ -x "$floor" ] || floor=$build/bin/bench_floor
work=${WORK:-$(mktemp -d /tmp/asmplan-bench-exec.XXXXXX)}
trap 'rm -rf "$work" /dev/shm/asmplan-bench-$$' EXIT
cd "$work"

# gen N: writes steps.asmplan (independent `true` steps), idempotent.asmplan (the same steps,
# marked idempotent) and build.ninja.
gen() {
  python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
for name, extra in (("steps", ""), ("idempotent", "    idempotent\n")):
    with open(name + ".asmplan", "w") as f:
        f.write("plan bench_true {\n  title \"%d true steps\"\n" % n)
        for i in range(n):
            f.write("  step s%d {\n    run true\n%s  }\n" % (i, extra))
        f.write("}\n")
with open("build.ninja", "w") as f:
    f.write("rule t\n  command = true\n")
    for i in range(n):
        f.write("build o%d: t\n" % i)
PY
}

# secs CMD...: its wall time in seconds; a command that fails stops the benchmark (a failed round
# must not show up as a fast one).
secs() {
  if ! /usr/bin/time -f '%e' -o "$work/t" "$@" >/dev/null 2>&1; then
    echo "bench_executor: failed: $*" >&2
    return 1
  fi
  cat "$work/t"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
per_step() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.3f ms", 1000 * t / n }'; }

n=10000
gen $n
"$asmplan" compile steps.asmplan -o true.yaml
"$asmplan" compile idempotent.asmplan -o idempotent.yaml
echo "== 1. $n steps running \`true\`"
# The main pair (ninja and asmplan's unmarked steps on ext4) runs $rounds times, alternately: the
# host's speed moves by 10% from one minute to the next, so the ratio shown is the median of the
# rounds' ratios, each taken within seconds (all of them in parentheses; the wall and per-step
# columns are the median times, so they need not divide to it). The others run once.
rounds=3
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-34s %9s %12s %9s\n' "what" "wall s" "per step" "vs ninja"
for j in 1 2; do
  tns=() tas=() ratios=()
  for r in $(seq $rounds); do
    rm -f .ninja_log
    tns+=("$(secs ninja -j$j -f build.ninja)")
    tas+=("$(secs "$asmplan" run true.yaml --jobs $j --state-dir "$work/state-j$j-$r")")
    ratios+=("$(ratio "${tas[-1]}" "${tns[-1]}")")
  done
  tn=$(median "${tns[@]}")
  ta=$(median "${tas[@]}")
  [ $j = 1 ] && tn1=$tn
  [ $j = 2 ] && tn2=$tn
  printf '%-34s %9s %12s %9s\n' "ninja -j$j (median of $rounds)" "$tn" "$(per_step "$tn" $n)" "1.00"
  printf '%-34s %9s %12s %9s  (rounds: %s)\n' "asmplan --jobs $j (state on $(df --output=fstype . | tail -1))" "$ta" \
    "$(per_step "$ta" $n)" "$(median "${ratios[@]}")" "${ratios[*]}"
  ti=$(secs "$asmplan" run idempotent.yaml --jobs $j --state-dir "$work/idem-j$j")
  printf '%-34s %9s %12s %9s\n' "  the same, steps idempotent" "$ti" "$(per_step "$ti" $n)" "$(ratio "$ti" "$tn")"
  if [ -d /dev/shm ]; then
    shm=/dev/shm/asmplan-bench-$$/j$j
    ts=$(secs "$asmplan" run true.yaml --jobs $j --state-dir "$shm")
    printf '%-34s %9s %12s %9s\n' "asmplan --jobs $j (state on tmpfs)" "$ts" "$(per_step "$ts" $n)" "$(ratio "$ts" "$tn")"
  fi
done
# The floor: per step one bare spawn of `true` plus one durable append, with nothing else; at -j1
# one after the other, at -j2 two threads doing that at once.
read -r -a f < <("$floor" 2000 "$work")
spawn_ms=${f[3]} sync_ms=${f[7]} pair_ms=${f[15]} serial_ms=${f[24]}
fl=$(awk -v a="$serial_ms" 'BEGIN { printf "%.3f", a * '$n' / 1000 }')
fl2=$(awk -v a="$pair_ms" 'BEGIN { printf "%.3f", a * '$n' / 1000 }')
printf '%-34s %9s %12s %9s\n' "floor -j1: spawn + durable append" "$fl" "$(per_step "$fl" $n)" "$(ratio "$fl" "$tn1")"
printf '%-34s %9s %12s %9s\n' "floor -j2: the same, two at once" "$fl2" "$(per_step "$fl2" $n)" "$(ratio "$fl2" "$tn2")"
printf '  (apart: spawn of `true` %s ms, append and fdatasync %s ms; after a spawn the fdatasync takes longer)\n' "$spawn_ms" "$sync_ms"

echo "== 2. DAG of sleep steps: 4 chains of 5 x sleep 0.2s, joined by a final step"
python3 - <<'PY'
with open("dag.asmplan", "w") as f:
    f.write("plan bench_dag {\n  title \"sleep dag\"\n")
    for c in range(4):
        for i in range(5):
            after = " after c%d_%d" % (c, i - 1) if i else ""
            f.write("  step c%d_%d%s {\n    run sleep 0.2\n  }\n" % (c, i, after))
    f.write("  step join after %s {\n    run true\n  }\n" % ", ".join("c%d_4" % c for c in range(4)))
    f.write("}\n")
PY
"$asmplan" compile dag.asmplan -o dag.yaml
# Microsecond clock without a process ($EPOCHREALTIME; /usr/bin/time gives 10 ms): the ratio's
# margin is a few ms.
fine_secs() {
  local s=$EPOCHREALTIME
  if ! "$@" >/dev/null 2>&1; then
    echo "bench_executor: failed: $*" >&2
    return 1
  fi
  awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}
# The critical path: the longest chain's commands run back to back here, each its own process as
# under asmplan (a `sleep 0.2` takes ~1.7 ms more than 0.2 s), and its nominal length for reference.
true_bin=$(type -P true)
chain() { for _ in 1 2 3 4 5; do sleep 0.2; done; "$true_bin"; }
# Five rounds, the critical path and asmplan alternately; the medians of each round's ratios.
wholes=() runs=() starts=() nominals=()
for r in 1 2 3 4 5; do
  tc=$(fine_secs chain)
  tn=$(fine_secs sleep 1.0)
  rm -f dag.jsonl
  td=$(fine_secs "$asmplan" run dag.yaml --jobs 4 --state-dir "$work/state-dag-$r" --events dag.jsonl)
  # The same run without process start and exit: run_started to run_finished in its events.
  te=$(python3 -c '
import json, sys
ev = [json.loads(l) for l in open("dag.jsonl")]
print("%.3f" % ((ev[-1]["time_ms"] - ev[0]["time_ms"]) / 1000))')
  wholes+=("$(ratio3 "$td" "$tc")")
  runs+=("$(ratio3 "$te" "$tc")")
  starts+=("$(awk -v a="$td" -v b="$te" 'BEGIN { printf "%.0f", 1000 * (a - b) }')")
  nominals+=("$(ratio3 "$td" "$tn")")
  printf '  round %d: critical path (its commands back to back) %ss, asmplan wall %ss, ratio %s; the run itself %ss, ratio %s\n' \
    "$r" "$tc" "$td" "${wholes[-1]}" "$te" "${runs[-1]}"
done
printf 'median of 5: asmplan wall / critical path %s; the run itself (events run_started..run_finished) %s; process start and exit %s ms\n' \
  "$(median "${wholes[@]}")" "$(median "${runs[@]}")" "$(median "${starts[@]}")"
printf '  against the nominal 1.0 s (sleep 1.0 measured in each round): whole %s\n' "$(median "${nominals[@]}")"

echo "== 3. replaying a 100k-step journal vs ninja -n on 100k edges with existing outputs"
gen 100000
python3 -c "
for i in range(100000): open('o%d' % i, 'w').close()"
tn=$(secs ninja -n -f build.ninja)
mkdir -p replay
"$replay" 100000 replay | tee replay.txt
tr=$(awk '{ print $(NF-1) / 1000 }' replay.txt)
printf 'ninja -n (parse + stat 100k): %ss, journal replay: %ss, ratio %s\n' "$tn" "$tr" "$(ratio "$tr" "$tn")"

echo "== 4. peak RSS with 100k steps (resume of a finished 100k-step run: nothing to do)"
"$asmplan" compile steps.asmplan -o big.yaml
mkdir -p finished
cp big.yaml finished/plan.yaml
"$replay" 100000 finished "$("$asmplan" show --quiet big.yaml)" >/dev/null
/usr/bin/time -f '%e %M' -o t100k "$asmplan" resume --state-dir finished >/dev/null 2>&1
read -r t m <t100k
printf 'asmplan resume of a finished 100k-step run: %ss, peak RSS %s MiB\n' "$t" "$((m / 1024))"
/usr/bin/time -f '%e %M' -o t100k "$asmplan" run big.yaml --dry-run >/dev/null
read -r t m <t100k
printf 'asmplan run --dry-run on 100k steps: %ss, peak RSS %s MiB\n' "$t" "$((m / 1024))"
