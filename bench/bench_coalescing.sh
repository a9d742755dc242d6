#!/usr/bin/env bash
# Benchmark of guard coalescing (issue 6): on the sandbox `large` scenario (1,000 injected
# namespaces, 20,000 pods) restart the sidecars of every namespace with a generated plan run by
# the real `asmplan run`, and count what the run cost: kubectl invocations (through a PATH shim
# that logs each call and execs the real kubectl) and API requests by endpoint (the sandbox's
# GET /sandbox/requests). Beside it, in the same run and against the same sandbox:
#  - per-namespace anchor: ONE poll tick done the uncoalesced way, `kubectl get pods -n NS -o
#    json` for every namespace (4 at a time, like the evaluator's query concurrency);
#  - coalesced tick anchor: ONE `kubectl get pods -A -o json`;
#  - sequential anchor (the seed guide's way): `kubectl rollout restart deployment -n NS`, then
#    poll `kubectl get pods -n NS` every 2s until all pods show 2/2 and none is terminating,
#    namespace after namespace, for a SAMPLE of namespaces, extrapolated linearly to all of them.
# Prints figures, not a pass/fail verdict. Not registered with CTest.
#
# usage: bench/bench_coalescing.sh [--build DIR] [--namespaces N] [--jobs J] [--sample S]
#   --namespaces N  restart only tenant-1..tenant-N (default: all 1000)
#   --jobs J        asmplan run --jobs (steps active at once; default 100)
#   --sample S      namespaces restarted one after another for the sequential anchor (default 5)
#   --cluster-namespaces M  run on a copy of `large` with only M namespaces (M*20 pods), for a
#                   shorter run (the full 1,000 takes ~7 minutes on 2 cores)
#   --run-timeout S interrupt `asmplan run` (SIGINT) after S seconds (default 480)
set -euo pipefail

src_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$src_dir/build
namespaces=1000
jobs=100
sample=5
cluster=1000
run_timeout=480
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build_dir=$2; shift 2 ;;
    --namespaces) namespaces=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --cluster-namespaces) cluster=$2; shift 2 ;;
    --run-timeout) run_timeout=$2; shift 2 ;;
    *) echo "bench_coalescing: unknown argument $1" >&2; exit 2 ;;
  esac
done
sandbox_bin=$build_dir/bin/asmplan-sandbox
asmplan_bin=$build_dir/bin/asmplan
real_kubectl=$(command -v kubectl)
for b in "$sandbox_bin" "$asmplan_bin"; do
  [[ -x $b ]] || { echo "bench_coalescing: $b not built" >&2; exit 2; }
done

work=$(mktemp -d /tmp/asmplan-bench-coalescing-XXXXXX)
sandbox_pid=""
cleanup() {
  if [[ -n $sandbox_pid ]]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
say() { echo "bench_coalescing: $(date +%T) $*" >&2; }
secs() { echo "$2 - $1" | bc -l; }  # secs T0 T1

# --- the sandbox -------------------------------------------------------------------------------
sb=$work/sandbox
mkdir -p "$sb"
scenario=$src_dir/sandbox/scenarios/large.yaml
if ((cluster != 1000)); then
  sed "s/^  count: 1000$/  count: $cluster/" "$scenario" >"$work/large-$cluster.yaml"
  scenario=$work/large-$cluster.yaml
fi
((namespaces <= cluster)) || { echo "bench_coalescing: --namespaces > cluster size" >&2; exit 2; }
say "starting the sandbox ($cluster namespaces)"
"$sandbox_bin" --scenario "$scenario" --state-dir "$sb" >"$sb/log" 2>&1 &
sandbox_pid=$!
until [[ -s $sb/sandbox.json ]]; do
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$sb/log" >&2; exit 1; }
  sleep 0.1
done
port=$(grep -o '"user_server": *"http://127.0.0.1:[0-9]*' "$sb/sandbox.json" | grep -o '[0-9]*$')
admin="http://127.0.0.1:$port/sandbox"
export KUBECONFIG=$sb/kubeconfig KUBECACHEDIR=$sb/cache
# The kubeconfig starts on the admin cluster; the plan's commands and guards use the current one.
"$real_kubectl" config use-context sandbox-user >/dev/null

# --- the kubectl shim: one line per invocation in $KUBECTL_CALLS -------------------------------
mkdir -p "$work/shim"
cat >"$work/shim/kubectl" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"\${KUBECTL_CALLS:-$work/calls-other}"
exec "$real_kubectl" "\$@"
EOF
chmod +x "$work/shim/kubectl"
export PATH=$work/shim:$PATH

# cpp-httplib answers 400 to a POST without a body (no Content-Length), so send one.
reset_requests() {
  curl -s -X POST -d '{}' "$admin/requests/reset" | grep -q '"reset":true' ||
    { echo "bench_coalescing: POST /sandbox/requests/reset failed" >&2; exit 1; }
}
save_requests() { curl -s "$admin/requests" >"$1"; }  # save_requests FILE
calls() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }

ns_list=()
for ((i = 1; i <= namespaces; i++)); do ns_list+=("tenant-$i"); done
existing=$("$real_kubectl" get namespaces -o name | grep -c '^namespace/tenant-')
((existing >= namespaces)) || { echo "bench_coalescing: only $existing tenant namespaces" >&2; exit 1; }

# Warm kubectl's discovery cache so no phase pays for it.
kubectl get namespaces -o name >/dev/null

# --- (b) anchors: one poll tick, per namespace and coalesced ------------------------------------
say "(b) one per-namespace tick over $namespaces namespaces"
reset_requests
export KUBECTL_CALLS=$work/calls-pertick
t0=$(now)
printf '%s\n' "${ns_list[@]}" | xargs -P 4 -I{} kubectl get pods -n {} -o json >/dev/null
t1=$(now)
pertick_s=$(secs "$t0" "$t1")
save_requests "$work/req-pertick.json"

say "(b) one coalesced tick"
reset_requests
export KUBECTL_CALLS=$work/calls-onetick
t0=$(now)
kubectl get pods -A -o json >/dev/null
t1=$(now)
onetick_s=$(secs "$t0" "$t1")
save_requests "$work/req-onetick.json"

# --- (c) sequential anchor on a sample ---------------------------------------------------------
all_2of2() {  # all_2of2 NS: at least one pod, every one 2/2, none terminating
  kubectl get pods -n "$1" --no-headers 2>/dev/null |
    awk 'BEGIN {n = 0; bad = 0} {n++; if ($2 != "2/2" || $3 == "Terminating") bad++}
         END {exit (n > 0 && bad == 0) ? 0 : 1}'
}
say "(c) sequential sample of $sample namespaces"
reset_requests
export KUBECTL_CALLS=$work/calls-seq
seq_polls=0
t0=$(now)
for ((i = namespaces - sample; i < namespaces; i++)); do
  ns=${ns_list[$i]}
  kubectl rollout restart deployment -n "$ns" >/dev/null
  # The plan's `every 2s`: the first look comes one interval after the restart.
  while sleep 2; seq_polls=$((seq_polls + 1)); ! all_2of2 "$ns"; do :; done
done
t1=$(now)
seq_s=$(secs "$t0" "$t1")
save_requests "$work/req-seq.json"

# Let the sample's old pods finish terminating before the coalesced run starts.
sleep 3

# --- (a) the coalesced run ---------------------------------------------------------------------
plan_dir=$work/plan
mkdir -p "$plan_dir"
cat >"$plan_dir/restart_all.asmplan" <<'EOF'
plan restart_all {
  title "Restart the sidecars of every namespace (bench_coalescing)"
  param namespaces : list<string>
  for ns in namespaces parallel 1000 {
    step restart[${ns}] {
      run kubectl rollout restart deployment -n ${ns}
      wait until pods in ns ${ns} all show 2/2 timeout 20m every 2s
    }
  }
}
EOF
{
  echo "namespaces:"
  printf '  - %s\n' "${ns_list[@]}"
} >"$plan_dir/values.yaml"

say "(a) asmplan run over $namespaces namespaces, --jobs $jobs"
reset_requests
export KUBECTL_CALLS=$work/calls-run
t0=$(now)
set +e
timeout -s INT "$run_timeout" "$asmplan_bin" run "$plan_dir/restart_all.asmplan" --values "$plan_dir/values.yaml" \
  --state-dir "$work/state" --jobs "$jobs" --yes --events "$work/events.jsonl" \
  >"$work/run.out" 2>&1
run_rc=$?
set -e
t1=$(now)
run_s=$(secs "$t0" "$t1")
save_requests "$work/req-run.json"
if ((run_rc != 0)); then
  echo "bench_coalescing: asmplan run exited $run_rc; last lines of its output:" >&2
  tail -20 "$work/run.out" >&2
fi

# --- report ------------------------------------------------------------------------------------
list_bytes=$("$real_kubectl" get --raw /api/v1/pods | wc -c)
python3 - "$work" "$namespaces" "$jobs" "$sample" "$pertick_s" "$onetick_s" "$seq_s" \
  "$run_s" "$run_rc" "$seq_polls" "$cluster" "$list_bytes" <<'EOF'
import collections, json, re, sys
work, n, jobs, sample = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
pertick_s, onetick_s, seq_s, run_s = map(float, sys.argv[5:9])
run_rc, seq_polls = int(sys.argv[9]), int(sys.argv[10])
cluster, list_bytes = int(sys.argv[11]), int(sys.argv[12])

def lines(name):
    try:
        return open(f"{work}/{name}").read().splitlines()
    except FileNotFoundError:
        return []

def requests(name):
    return json.load(open(f"{work}/{name}"))

def kinds(by_endpoint):
    # Folds namespace names so 1,000 per-namespace endpoints count as one kind.
    out = collections.Counter()
    for k, v in by_endpoint.items():
        out[re.sub(r"/namespaces/[^/]+", "/namespaces/NS", k)] += v
    return out

def call_kind(argv):
    if argv.startswith("rollout restart"): return "rollout restart deployment -n NS"
    if argv.startswith("get pods -A"): return "get pods -A -o json"
    if argv.startswith("get pods -n"): return "get pods -n NS -o json"
    return argv

run_calls = collections.Counter(call_kind(c) for c in lines("calls-run"))
run_req = requests("req-run.json")
run_kinds = kinds(run_req["by_endpoint"])
ticks = run_kinds.get("GET /api/v1/pods", 0)
per_ns_gets = run_kinds.get("GET /api/v1/namespaces/NS/pods", 0)
guard_calls = run_calls.get("get pods -A -o json", 0) + run_calls.get("get pods -n NS -o json", 0)
events = [json.loads(l) for l in lines("events.jsonl") if l.strip()]
ev = collections.Counter(e["event"] for e in events)

pertick_calls = len(lines("calls-pertick"))
pertick_req = requests("req-pertick.json")
pertick_pod_req = kinds(pertick_req["by_endpoint"]).get("GET /api/v1/namespaces/NS/pods", 0)
onetick_req = requests("req-onetick.json")
seq_calls = len(lines("calls-seq"))
seq_req = requests("req-seq.json")
seq_extrap = seq_s / sample * n

scope = f"all {n}" if n == cluster else f"the FIRST {n} (--namespaces {n})"
shrunk = "" if cluster == 1000 else f" SHRUNK to {cluster} namespaces (--cluster-namespaces)"
print(f"bench_coalescing: sandbox `large` scenario{shrunk}: {cluster} namespaces, "
      f"{cluster * 20} pods, pod list {list_bytes / 1048576:.1f} MiB; restarting {scope} namespaces")
print(f"\n(a) coalesced: asmplan run --jobs {jobs}, one step per namespace "
      f"(rollout restart + wait until all 2/2, every 2s); exit {run_rc}, {run_s:.1f} s wall")
print(f"  events: {dict(sorted(ev.items()))}")
print(f"  kubectl invocations: {sum(run_calls.values())}")
for k, v in run_calls.most_common():
    print(f"    {v:7d}  kubectl {k}")
print(f"  API requests: {run_req['total']}")
for k, v in run_kinds.most_common():
    print(f"    {v:7d}  {k}")
print(f"  poll ticks with a list call (GET /api/v1/pods): {ticks}; per-namespace pod GETs "
      f"(ticks with <= 3 namespaces waiting): {per_ns_gets}")
if ticks:
    print(f"  guard kubectl calls per tick: {guard_calls / max(ticks, 1):.2f}; "
          f"pod API requests per tick: {(ticks + per_ns_gets) / ticks:.2f}")

print(f"\n(b) one poll tick over {n} namespaces, same sandbox:")
print(f"  per-namespace: {pertick_calls} kubectl calls, {pertick_req['total']} API requests, "
      f"{pertick_s:.1f} s (4 at a time)")
print(f"  coalesced:     1 kubectl call, {onetick_req['total']} API request(s), {onetick_s:.1f} s")

print(f"\n(c) sequential (seed guide): {sample} namespaces one after another: {seq_s:.1f} s, "
      f"{seq_calls} kubectl calls ({seq_polls} polls), {seq_req['total']} API requests")
print(f"  EXTRAPOLATED linearly to {n} namespaces: {seq_extrap:.0f} s "
      f"({seq_extrap / 3600:.1f} h), ~{seq_calls / sample * n:.0f} kubectl calls")

print("\nsummary")
rows = [
    ("kubectl calls per poll tick", f"{guard_calls / max(ticks, 1):.2f}", f"{pertick_calls}",
     f"{pertick_calls / max(guard_calls / max(ticks, 1), 1e-9):.0f}x"),
    ("pod API requests per poll tick", f"{(ticks + per_ns_gets) / max(ticks, 1):.2f}",
     f"{pertick_pod_req}",
     f"{pertick_pod_req / max((ticks + per_ns_gets) / max(ticks, 1), 1e-9):.0f}x"),
    ("wall time of one poll tick (s)", f"{onetick_s:.1f}", f"{pertick_s:.1f}",
     f"{pertick_s / max(onetick_s, 1e-9):.1f}x"),
    (f"total restart of {n} namespaces (s)",
     f"{run_s:.0f}" if run_rc == 0 else f"FAILED({run_rc})", f"{seq_extrap:.0f} (extrapolated)",
     f"{seq_extrap / max(run_s, 1e-9):.0f}x" if run_rc == 0 else "n/a"),
]
print(f"  {'':36} {'coalesced':>10} {'anchor':>22} {'ratio':>8}")
for r in rows:
    print(f"  {r[0]:36} {r[1]:>10} {r[2]:>22} {r[3]:>8}")
print("  anchors: per-tick rows = per-namespace polling (b); total row = sequential (c)")
print("  (every kubectl call also sends one GET /version, not counted in the pod rows)")
EOF
