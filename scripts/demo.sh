#!/usr/bin/env bash
# The main job: set up this Debian machine, build, start the sandbox cluster (demo scenario, mesh at
# 1.6.14), run the reviewed sandbox plan (plans/compiled/sandbox.yaml) to completion, show the
# workload pods, then stop the sandbox. Nothing here is specific to the demo but the environment.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
dir=$("$root/scripts/build.sh" asmplan asmplan-sandbox sim-istioctl)
asmplan="$dir/bin/asmplan"
cd "$root"

state="$root/.asmplan/demo"
plan="plans/compiled/sandbox.yaml"
# A fresh rehearsal every time: the previous demo's sandbox and checkpoint go away.
"$asmplan" sandbox down --state-dir "$state/sandbox" >/dev/null 2>&1 || true
rm -rf "$state"
mkdir -p "$state"
export KUBECACHEDIR="$state/kubecache"

# The sandbox env file points its release server at 127.0.0.1:18080.
eval "$("$asmplan" sandbox up --scenario sandbox/scenarios/demo.yaml --state-dir "$state/sandbox" --port 18080)"
trap '"$asmplan" sandbox down --state-dir "$state/sandbox" >/dev/null 2>&1 || true' EXIT

echo "== before: mesh at $(istioctl version --context sandbox-user 2>/dev/null | sed -n 's/^control plane version: //p')"
status=0
"$asmplan" run "$plan" --state-dir "$state/run" --yes || status=$?

echo
echo "== pods after the run"
kubectl get pods -n istio-system
for ns in $(kubectl get ns -l istio-injection=enabled -o jsonpath='{.items[*].metadata.name}'); do
  echo "-- $ns"
  kubectl get pods -n "$ns"
done
echo
istioctl version || true
echo
echo "checkpoint: $state/run   (asmplan status --state-dir $state/run)"
echo "step logs:  $state/run/logs/"
exit "$status"
