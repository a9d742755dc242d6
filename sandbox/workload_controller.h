// The deployment and replica-set controllers: rolling updates (maxSurge / maxUnavailable),
// template-hash named replica sets, pods created and removed to match, and their status.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sandbox/object_store.h"

namespace asmplan::sandbox {

/// What the controllers need from the cluster around them.
class WorkloadActions {
 public:
  virtual ~WorkloadActions() = default;
  /// Admits (defaults, sidecar injection) and stores a new object.
  virtual void CreateObject(const std::string& resource, nlohmann::json object) = 0;
  /// Starts the graceful deletion of a pod.
  virtual void DeletePod(const std::string& ns, const std::string& name) = 0;
  /// `n` random characters from Kubernetes' name alphabet.
  virtual std::string RandomSuffix(int n) = 0;
};

/// Brings every deployment and replica set in `ns` one step closer to its spec and refreshes
/// their status. Writes only what changed.
void ReconcileNamespace(ObjectStore& store, WorkloadActions& actions, const std::string& ns);

/// The pod-template-hash of a template: Kubernetes' FNV-32a, safe-encoded (e.g. "5bfdf7c586").
std::string TemplateHash(const nlohmann::json& pod_template);

/// Resolves an int-or-percent rollout parameter against `replicas` (rounding up or down).
int ResolveIntOrPercent(const nlohmann::json& value, int replicas, bool round_up);

}  // namespace asmplan::sandbox
