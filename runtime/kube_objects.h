// The few Kubernetes objects guards look at, parsed from `kubectl ... -o json` with nlohmann-json
// (never a YAML parser). Only the fields guards need are kept.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace asmplan {

/// One entry of a pod's spec.containers, joined with its status.containerStatuses entry.
struct ContainerInfo {
  std::string name;
  std::string image;   ///< from the spec, e.g. "gcr.io/gke-release/asm/proxyv2:1.5.10-asm.2"
  bool ready = false;  ///< containerStatuses[].ready; false while it has no status yet
  int restart_count = 0;
  std::string state;   ///< "running", "waiting", "terminated", or "" when there is no status yet
  std::string reason;  ///< state.waiting.reason or state.terminated.reason, e.g. "CrashLoopBackOff"
};

struct PodInfo {
  std::string ns;
  std::string name;
  std::string phase;         ///< status.phase: Pending, Running, Succeeded, Failed, Unknown
  bool terminating = false;  ///< metadata.deletionTimestamp is set
  /// metadata.deletionTimestamp as the API gives it (for a pod: when its grace period ends), or ""
  std::string deletion_timestamp;
  std::vector<std::string> finalizers;  ///< metadata.finalizers: what its removal waits for
  bool ready_condition = false;         ///< status.conditions[type=Ready].status == "True"
  std::map<std::string, std::string> labels;
  std::string owner;  ///< first ownerReference as "Kind/name", or ""
  /// spec.containers in spec order; init containers are not included.
  std::vector<ContainerInfo> containers;

  /// Containers whose status says ready.
  int ReadyCount() const;
  /// Succeeded or Failed: the pod has finished and will never run again.
  bool Finished() const { return phase == "Succeeded" || phase == "Failed"; }
};

struct DeploymentInfo {
  std::string ns;
  std::string name;
  std::int64_t generation = 0;           ///< metadata.generation
  std::int64_t observed_generation = 0;  ///< status.observedGeneration
  std::int64_t spec_replicas = 1;        ///< spec.replicas (Kubernetes defaults it to 1)
  std::int64_t replicas = 0;             ///< status.replicas
  std::int64_t updated_replicas = 0;     ///< status.updatedReplicas
  std::int64_t available_replicas = 0;   ///< status.availableReplicas
  /// status.conditions has Progressing with reason ProgressDeadlineExceeded.
  bool progress_deadline_exceeded = false;
};

/// Parses a PodList (`kubectl get pods ... -o json`). Returns false with `*err` on malformed input.
bool ParsePodList(const std::string& json_text, std::vector<PodInfo>* pods, std::string* err);

/// Parses a DeploymentList (`kubectl get deployments ... -o json`).
bool ParseDeploymentList(const std::string& json_text, std::vector<DeploymentInfo>* deployments,
                         std::string* err);

/// The tag of a container image reference: "reg:5000/a/proxyv2:1.5.10-asm.2@sha256:.." gives
/// "1.5.10-asm.2"; a reference without a tag gives "".
std::string ImageTag(const std::string& image);

}  // namespace asmplan
