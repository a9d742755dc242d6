#include "sandbox/pod_lifecycle.h"

#include "sandbox/json_access.h"
#include "sandbox/sim_time.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

enum class Stage { kPending, kCreating, kStarting, kReady, kSidecarUnready, kSidecarCrashLoop };

json Condition(const char* type, bool ok, double since) {
  return {{"type", type},
          {"status", ok ? "True" : "False"},
          {"lastProbeTime", nullptr},
          {"lastTransitionTime", FormatRfc3339(since)}};
}

bool HasSidecar(const json& pod) {
  for (const json& c : Member(pod, "spec", "containers")) {
    if (c.value("name", "") == "istio-proxy") return true;
  }
  return false;
}

json ContainerStatus(const json& container, Stage stage, const PodSim& sim, double started,
                     bool pod_has_sidecar) {
  bool sidecar = container.value("name", "") == "istio-proxy";
  json cs = {{"name", container.value("name", "")},
             {"image", container.value("image", "")},
             {"imageID", ""},
             {"restartCount", 0},
             {"started", stage >= Stage::kStarting},
             {"ready", stage == Stage::kReady},
             {"lastState", json::object()}};
  if (stage <= Stage::kCreating) {
    cs["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
    return cs;
  }
  cs["state"] = {{"running", {{"startedAt", FormatRfc3339(started)}}}};
  if (stage == Stage::kSidecarUnready || stage == Stage::kSidecarCrashLoop) {
    // Only the proxy misbehaves; the app container is fine (unless there is no proxy to blame).
    cs["ready"] = !sidecar && pod_has_sidecar;
  }
  if (sidecar && stage == Stage::kSidecarCrashLoop) {
    cs["started"] = false;
    cs["restartCount"] = sim.restarts;
    cs["state"] = {{"waiting",
                    {{"reason", "CrashLoopBackOff"},
                     {"message", "back-off restarting failed container istio-proxy"}}}};
    if (sim.restarts > 0) {
      cs["lastState"] = {{"terminated",
                          {{"exitCode", 1},
                           {"reason", "Error"},
                           {"finishedAt", FormatRfc3339(sim.last_restart)}}}};
    }
  }
  return cs;
}

void WriteStatus(json* pod, Stage stage, const PodSim& sim, const Timings& t) {
  double scheduled = sim.created + t.pod_pending_ms / 1000.0;
  double started = sim.created + t.pod_start_ms / 1000.0;
  bool ready = stage == Stage::kReady;
  json status = {{"phase", stage <= Stage::kCreating ? "Pending" : "Running"},
                 {"qosClass", "BestEffort"}};
  json conditions = json::array();
  if (stage >= Stage::kCreating) {
    conditions.push_back(Condition("Initialized", true, scheduled));
    conditions.push_back(Condition("Ready", ready, ready ? sim.ready_at : sim.created));
    conditions.push_back(Condition("ContainersReady", ready, ready ? sim.ready_at : sim.created));
    status["hostIP"] = "10.128.0.2";
    status["startTime"] = FormatRfc3339(scheduled);
    json statuses = json::array();
    bool has_sidecar = HasSidecar(*pod);
    for (const json& c : Member(*pod, "spec", "containers")) {
      statuses.push_back(ContainerStatus(c, stage, sim, started, has_sidecar));
    }
    status["containerStatuses"] = std::move(statuses);
  }
  conditions.push_back(Condition("PodScheduled", stage >= Stage::kCreating, scheduled));
  status["conditions"] = std::move(conditions);
  if (stage >= Stage::kStarting) status["podIP"] = sim.ip;
  (*pod)["status"] = std::move(status);
}

}  // namespace

double UpdatePodStatus(json* pod, PodSim* sim, double now, const Timings& t,
                       const FaultState& faults) {
  double scheduled = sim->created + t.pod_pending_ms / 1000.0;
  double started = sim->created + t.pod_start_ms / 1000.0;
  double ready = started + t.pod_ready_ms / 1000.0;
  Stage stage;
  double next = 0;
  if (sim->ready_at > 0) {
    stage = Stage::kReady;  // once ready, a pod stays ready: faults bite only on the way up
  } else if (now < scheduled) {
    stage = Stage::kPending, next = scheduled;
  } else if (now < started) {
    stage = Stage::kCreating, next = started;
  } else if (now < ready) {
    stage = Stage::kStarting, next = ready;
  } else if (HasSidecar(*pod) && FaultState::Has(faults.crashloop_sidecar, sim->ns)) {
    stage = Stage::kSidecarCrashLoop;
    double interval = t.crashloop_restart_ms / 1000.0;
    if (sim->last_restart == 0 || now >= sim->last_restart + interval) {
      ++sim->restarts;
      sim->last_restart = now;
    }
    next = sim->last_restart + interval;
  } else if (FaultState::Has(faults.never_ready, sim->ns)) {
    stage = Stage::kSidecarUnready;
  } else {
    stage = Stage::kReady;
    sim->ready_at = std::max(ready, sim->created);
  }
  WriteStatus(pod, stage, *sim, t);
  return next;
}

bool IsPodReady(const json& pod) {
  for (const json& c : Member(pod, "status", "conditions")) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

bool IsTerminating(const json& pod) {
  auto meta = pod.find("metadata");
  return meta != pod.end() && meta->contains("deletionTimestamp");
}

}  // namespace asmplan::sandbox
