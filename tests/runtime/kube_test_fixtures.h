// Realistic `kubectl get ... -o json` output for guard tests: pretty-printed like kubectl, with
// the fields a real API server sends (uid, ownerReferences, init containers, conditions).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/plan_model.h"

namespace asmplan::kubefix {

/// A guard of `kind` over namespace `ns` and object `name`.
inline Guard G(GuardKind kind, std::string ns = "", std::string name = "") {
  Guard g;
  g.kind = kind;
  g.ns = std::move(ns);
  g.name = std::move(name);
  return g;
}
/// `pods in ns NS all show READY/TOTAL`
inline Guard AllShow(const std::string& ns, int ready, int total) {
  Guard g = G(GuardKind::kPodsAllShow, ns);
  g.ready = ready;
  g.total = total;
  return g;
}

struct FakeContainer {
  std::string name;
  std::string image;
  bool ready = true;
  std::string waiting_reason;  ///< "" = running
  int restarts = 0;
};

inline FakeContainer App(bool ready = true) { return {"app", "nginx:1.25", ready, "", 0}; }
inline FakeContainer Proxy(const std::string& version, bool ready = true,
                           const std::string& waiting = "", int restarts = 0) {
  return {"istio-proxy", "gcr.io/gke-release/asm/proxyv2:" + version, ready, waiting, restarts};
}

inline nlohmann::json Pod(const std::string& ns, const std::string& name,
                          const std::vector<FakeContainer>& containers, bool terminating = false,
                          const std::string& phase = "Running", const std::string& app = "api") {
  using nlohmann::json;
  json spec = {
      {"containers", json::array()},
      {"initContainers",
       json::array({{{"name", "istio-init"}, {"image", "gcr.io/gke-release/asm/proxyv2:x"}}})}};
  json statuses = json::array();
  bool all_ready = true;
  for (const auto& c : containers) {
    spec["containers"].push_back({{"name", c.name}, {"image", c.image}});
    json state = c.waiting_reason.empty()
                     ? json{{"running", {{"startedAt", "2026-11-27T07:15:40Z"}}}}
                     : json{{"waiting", {{"reason", c.waiting_reason}, {"message", "back-off"}}}};
    statuses.push_back({{"name", c.name},
                        {"image", c.image},
                        {"ready", c.ready},
                        {"restartCount", c.restarts},
                        {"started", c.ready},
                        {"state", state}});
    all_ready = all_ready && c.ready;
  }
  json meta = {{"name", name},
               {"namespace", ns},
               {"uid", "4f1c" + name},
               {"resourceVersion", "1234"},
               {"creationTimestamp", "2026-11-27T07:15:33Z"},
               {"labels", {{"app", app}, {"pod-template-hash", "7d9f"}}},
               {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                                 {"kind", "ReplicaSet"},
                                                 {"name", app + "-7d9f"},
                                                 {"controller", true}}})}};
  if (terminating) {
    meta["deletionTimestamp"] = "2026-11-27T07:20:00Z";
    meta["deletionGracePeriodSeconds"] = 30;
  }
  json conditions =
      json::array({{{"type", "Initialized"}, {"status", "True"}},
                   {{"type", "Ready"}, {"status", all_ready ? "True" : "False"}},
                   {{"type", "ContainersReady"}, {"status", all_ready ? "True" : "False"}},
                   {{"type", "PodScheduled"}, {"status", "True"}}});
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", meta},
      {"spec", spec},
      {"status", {{"phase", phase}, {"conditions", conditions}, {"containerStatuses", statuses}}}};
}

/// A `kubectl get ... -o json` list, pretty-printed with 4 spaces as kubectl does.
inline std::string List(const std::vector<nlohmann::json>& items) {
  nlohmann::json list = {{"apiVersion", "v1"},
                         {"kind", "List"},
                         {"items", items},
                         {"metadata", {{"resourceVersion", ""}}}};
  return list.dump(4) + "\n";
}

inline nlohmann::json Deployment(const std::string& ns, const std::string& name, int generation,
                                 int observed, int spec_replicas, int replicas, int updated,
                                 int available, bool deadline_exceeded = false) {
  nlohmann::json progressing = {
      {"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetAvailable"}};
  if (deadline_exceeded) {
    progressing["status"] = "False";
    progressing["reason"] = "ProgressDeadlineExceeded";
  }
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"generation", generation}}},
          {"spec", {{"replicas", spec_replicas}}},
          {"status",
           {{"observedGeneration", observed},
            {"replicas", replicas},
            {"updatedReplicas", updated},
            {"readyReplicas", available},
            {"availableReplicas", available},
            {"conditions", nlohmann::json::array({progressing})}}}};
}

}  // namespace asmplan::kubefix
