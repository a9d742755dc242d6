#!/usr/bin/env bash
# Benchmark of the sandbox API server with the real kubectl: `kubectl get pods -A -o json`
# against the `large` scenario (1,000 namespaces, 20,000 pods), beside anchors measured in the
# same run (`kubectl version --client`, and the same list against the small `demo` scenario).
# Reports client wall time (median of N runs), the sandbox's own server-side handling time of
# the list (from GET /sandbox/requests), startup time and resident memory.
#
# usage: bench/bench_sandbox.sh [BUILD_DIR] [RUNS]
set -euo pipefail

src_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$src_dir/build}
runs=${2:-5}
sandbox_bin=$build_dir/bin/asmplan-sandbox
[[ -x $sandbox_bin ]] || { echo "bench_sandbox: $sandbox_bin not built" >&2; exit 2; }

work=$(mktemp -d /tmp/asmplan-bench-sandbox-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }

# median SECONDS... -> the median, in ms
median_ms() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m*1000}'
}

# time_runs CMD... -> median wall time of $runs runs (ms), output discarded
time_runs() {
  local samples=()
  for ((i = 0; i < runs; i++)); do
    local t0 t1
    t0=$(now)
    "$@" >/dev/null
    t1=$(now)
    samples+=("$(echo "$t1 - $t0" | bc -l)")
  done
  median_ms "${samples[@]}"
}

# start_sandbox NAME SCENARIO -> sets dir_NAME, port_NAME, pid_NAME, startup_NAME (ms)
start_sandbox() {
  local name=$1 scenario=$2 dir=$work/$1
  mkdir -p "$dir"
  local t0
  t0=$(now)
  "$sandbox_bin" --scenario "$scenario" --state-dir "$dir" >"$dir/log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  until [[ -s $dir/sandbox.json ]]; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
    sleep 0.05
  done
  local t1
  t1=$(now)
  printf -v "startup_$name" '%.0f' "$(echo "($t1 - $t0) * 1000" | bc -l)"
  printf -v "pid_$name" '%s' "$pid"
  printf -v "port_$name" '%s' "$(grep -o '"user_server": *"http://127.0.0.1:[0-9]*' "$dir/sandbox.json" | grep -o '[0-9]*$')"
  printf -v "dir_$name" '%s' "$dir"
}

kube() {  # kube NAME ARGS...
  local dir_var="dir_$1"
  local dir=${!dir_var}
  shift
  KUBECONFIG=$dir/kubeconfig KUBECACHEDIR=$dir/cache kubectl --context sandbox-user "$@"
}

server_ms() {  # server_ms NAME -> "mean/max" ms of GET /api/v1/pods, as the sandbox timed it
  local port_var="port_$1"
  curl -s "http://127.0.0.1:${!port_var}/sandbox/requests" |
    python3 -c 'import json,sys; t=json.load(sys.stdin)["timing_ms"]["GET /api/v1/pods"]; print("%.0f ms mean, %.0f ms max over %d" % (t["mean"], t["max"], t["count"]))'
}

rss_mb() {  # rss_mb PID
  awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"
}

start_sandbox demo "$src_dir/sandbox/scenarios/demo.yaml"
start_sandbox large "$src_dir/sandbox/scenarios/large.yaml"

# Warm kubectl's discovery caches, then reset the counters.
kube demo get pods -A -o json >/dev/null
kube large get pods -A -o json >/dev/null
for p in "$port_demo" "$port_large"; do curl -s -X POST -d "{}" "http://127.0.0.1:$p/sandbox/requests/reset" >/dev/null; done

anchor_version=$(time_runs kubectl version --client)
demo_list=$(time_runs kube demo get pods -A -o json)
demo_server=$(server_ms demo)
large_list=$(time_runs kube large get pods -A -o json)
large_server=$(server_ms large)
curl -s -X POST -d "{}" "http://127.0.0.1:$port_large/sandbox/requests/reset" >/dev/null
large_table=$(time_runs kube large get pods -A)
large_table_server=$(server_ms large)
pods_large=$(kube large get --raw /api/v1/pods | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
bytes_large=$(kube large get --raw /api/v1/pods | wc -c)
client=$(kubectl version --client -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')

echo "bench_sandbox: medians of $runs runs, client wall time with the real kubectl $client"
row() { printf '  %-50s %7s ms  %s\n' "$1" "$2" "${3:-}"; }
row "anchor: kubectl version --client" "$anchor_version"
row "anchor: get pods -A -o json, demo (~50 pods)" "$demo_list" "(sandbox: $demo_server)"
row "get pods -A -o json, large ($pods_large pods, $((bytes_large / 1048576)) MiB)" "$large_list" "(sandbox: $large_server)"
row "get pods -A (server-side Table), large" "$large_table" "(sandbox: $large_table_server)"
row "sandbox startup until sandbox.json, demo" "$startup_demo"
row "sandbox startup until sandbox.json, large" "$startup_large"
printf '  %-50s %7s MiB / %s MiB\n' "sandbox RSS, demo / large" "$(rss_mb "$pid_demo")" "$(rss_mb "$pid_large")"
