// A pod's life in the sandbox: Pending -> ContainerCreating -> Running -> Ready after the
// configured delays, bent by the never_ready and crashloop_sidecar faults.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sandbox/cluster_config.h"

namespace asmplan::sandbox {

/// What the simulation remembers about a pod beyond its JSON.
struct PodSim {
  std::string ns;
  std::string name;
  std::string ip;
  double created = 0;    ///< epoch seconds
  double ready_at = 0;   ///< when it became ready; 0 = not yet
  double delete_at = 0;  ///< when its graceful deletion completes; 0 = not deleting
  int restarts = 0;      ///< sidecar restarts while crash-looping
  double last_restart = 0;
};

/// Rewrites `pod["status"]` for time `now`. Returns the time of the next change it expects, or 0
/// when none is due (the pod is ready, or held by a fault until the fault is switched).
double UpdatePodStatus(nlohmann::json* pod, PodSim* sim, double now, const Timings& timings,
                       const FaultState& faults);

/// True when the pod counts as ready (its Ready condition is True).
bool IsPodReady(const nlohmann::json& pod);
/// True when the pod is being deleted.
bool IsTerminating(const nlohmann::json& pod);

}  // namespace asmplan::sandbox
