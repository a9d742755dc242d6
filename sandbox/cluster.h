// One simulated cluster: its objects, the controllers that move them on a clock, sidecar
// injection, the control plane and the fault switches. API handlers and the tick thread share
// it under one mutex.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "sandbox/api_error.h"
#include "sandbox/cluster_config.h"
#include "sandbox/object_store.h"
#include "sandbox/pod_lifecycle.h"
#include "sandbox/resources.h"
#include "sandbox/workload_controller.h"

namespace asmplan::sandbox {

class Cluster : public WorkloadActions {
 public:
  Cluster(const Timings& timings, const MeshState& mesh, uint32_t seed);
  ~Cluster() override;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  /// Guards everything below; the condition variable fires on every store change.
  std::mutex& mu() { return mu_; }
  std::condition_variable& changed() { return changed_; }
  ObjectStore& store() { return store_; }
  const Timings& timings() const { return timings_; }
  FaultState& faults() { return faults_; }
  const MeshState& mesh() const { return mesh_; }
  bool stopping() const { return stopping_; }

  // --- with mu() held -------------------------------------------------------------------
  /// Validates, defaults and admits (sidecar injection) a new object, then stores it.
  bool Create(const ResourceInfo& resource, nlohmann::json object, nlohmann::json* created,
              ApiError* err);
  /// Stores a changed version of an existing object (after PATCH or PUT); bumps
  /// metadata.generation when the spec changed.
  bool Update(const ResourceInfo& resource, nlohmann::json object, nlohmann::json* stored,
              ApiError* err);
  /// Deletes an object: pods gracefully (Terminating for the grace period; `grace_seconds` 0
  /// removes at once), others at once with their dependents. `last` gets the object as left.
  bool Delete(const ResourceInfo& resource, const std::string& ns, const std::string& name,
              int grace_seconds, nlohmann::json* last, ApiError* err);
  /// Switches a fault from an admin request `{"fault","namespace","enabled","rate","delay_ms"}`.
  bool SetFault(const nlohmann::json& request, std::string* err);
  /// Replaces the control plane in istio-system with one at `version` (a rolling update).
  void InstallControlPlane(const std::string& version, const std::string& profile,
                           const std::vector<std::string>& flags);
  /// Mesh, faults and per-namespace pod summaries, for GET /sandbox/state.
  nlohmann::json Snapshot();
  /// Creates the scenario's objects as if they had existed for `Timings::initial_age_s`, and
  /// runs the controllers until everything has settled.
  void LoadObjects(const std::vector<std::pair<std::string, nlohmann::json>>& objects);

  // --- without the lock ----------------------------------------------------------------
  /// Starts the controller thread (one Tick per Timings::tick_ms).
  void Start();
  /// Stops the controller thread and wakes every waiting watch.
  void Stop();

  // WorkloadActions (mu() held).
  void CreateObject(const std::string& resource, nlohmann::json object) override;
  void DeletePod(const std::string& ns, const std::string& name) override;
  std::string RandomSuffix(int n) override;

 private:
  void Tick(double now);
  void RunPodWakeups(double now);
  void EvaluatePod(const std::string& key, double now);
  void AdmitPod(nlohmann::json* pod, double created);
  void DeleteDependents(const std::string& owner_uid, const std::string& ns);
  void RemoveNamespaceContents(const std::string& ns);
  void WakeNamespace(const std::string& ns);
  void Schedule(double when, const std::string& key) { wakeups_.emplace(when, key); }
  std::string NewUid();
  double CreationTime() const;

  std::mutex mu_;
  std::condition_variable changed_;
  ObjectStore store_;
  Timings timings_;
  FaultState faults_;
  MeshState mesh_;
  std::mt19937 rng_;
  std::unordered_map<std::string, PodSim> pods_;  ///< by "ns/name"
  std::multimap<double, std::string> wakeups_;    ///< when -> pod key
  std::set<std::string> dirty_namespaces_;        ///< controllers must look at these
  std::set<std::string> terminating_namespaces_;
  double creation_time_override_ = 0;
  uint32_t next_ip_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread ticker_;
};

}  // namespace asmplan::sandbox
