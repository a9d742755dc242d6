#include "sandbox/workload_controller.h"

#include <algorithm>
#include <cmath>

#include "sandbox/json_access.h"
#include "sandbox/pod_lifecycle.h"
#include "sandbox/sim_time.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

constexpr const char* kHashLabel = "pod-template-hash";
constexpr const char* kRevision = "deployment.kubernetes.io/revision";

std::string Uid(const json& o) { return o["metadata"].value("uid", ""); }
int Replicas(const json& o) { return o["spec"].value("replicas", 1); }
int StatusInt(const json& o, const char* key) {
  return o.contains("status") ? o["status"].value(key, 0) : 0;
}

bool OwnedBy(const json& o, const std::string& uid) {
  for (const json& ref : Member(o, "metadata", "ownerReferences")) {
    if (ref.value("uid", "") == uid) return true;
  }
  return false;
}

json OwnerRef(const json& owner) {
  return json::array({{{"apiVersion", owner.value("apiVersion", "")},
                       {"kind", owner.value("kind", "")},
                       {"name", owner["metadata"].value("name", "")},
                       {"uid", Uid(owner)},
                       {"controller", true},
                       {"blockOwnerDeletion", true}}});
}

void PutIfChanged(ObjectStore& store, const std::string& resource, const json& before,
                  const json& after) {
  if (before != after) store.Put(resource, after);
}

// Keeps a condition's transition time when its status and reason did not change.
json MakeCondition(const json& old_conditions, const std::string& type, bool ok,
                   const std::string& reason, const std::string& message) {
  json c = {
      {"type", type}, {"status", ok ? "True" : "False"}, {"reason", reason}, {"message", message}};
  for (const json& old : old_conditions) {
    if (old.value("type", "") == type && old.value("status", "") == c["status"] &&
        old.value("reason", "") == reason) {
      return old;
    }
  }
  c["lastUpdateTime"] = c["lastTransitionTime"] = FormatRfc3339(NowSeconds());
  return c;
}

json PodFromTemplate(const json& rs, const std::string& suffix) {
  const json& tmpl = rs["spec"]["template"];
  json meta = tmpl.value("metadata", json::object());
  meta["name"] = rs["metadata"].value("name", "") + "-" + suffix;
  meta["namespace"] = rs["metadata"].value("namespace", "");
  meta["ownerReferences"] = OwnerRef(rs);
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", meta},
          {"spec", tmpl.value("spec", json::object())}};
}

void ReconcileReplicaSet(ObjectStore& store, WorkloadActions& actions, const json& rs,
                         const std::vector<const json*>& pods) {
  std::vector<const json*> active;
  for (const json* p : pods) {
    if (!IsTerminating(*p) && OwnedBy(*p, Uid(rs))) active.push_back(p);
  }
  int want = Replicas(rs);
  int have = static_cast<int>(active.size());
  for (int i = have; i < want; ++i)
    actions.CreateObject("pods", PodFromTemplate(rs, actions.RandomSuffix(5)));
  if (have > want) {
    // Like the real controller: not-ready pods go first, then the newest.
    std::sort(active.begin(), active.end(), [](const json* a, const json* b) {
      if (IsPodReady(*a) != IsPodReady(*b)) return !IsPodReady(*a);
      return (*a)["metadata"].value("creationTimestamp", "") >
             (*b)["metadata"].value("creationTimestamp", "");
    });
    for (int i = 0; i < have - want; ++i) {
      actions.DeletePod((*active[i])["metadata"].value("namespace", ""),
                        (*active[i])["metadata"].value("name", ""));
    }
  }
  int ready = static_cast<int>(
      std::count_if(active.begin(), active.end(), [](const json* p) { return IsPodReady(*p); }));
  json updated = rs;
  updated["status"] = {{"replicas", have},
                       {"fullyLabeledReplicas", have},
                       {"readyReplicas", ready},
                       {"availableReplicas", ready},
                       {"observedGeneration", rs["metadata"].value("generation", 1)}};
  PutIfChanged(store, "replicasets", rs, updated);
}

json NewReplicaSet(const json& d, const std::string& hash, int replicas, int revision) {
  json tmpl = d["spec"]["template"];
  tmpl["metadata"]["labels"][kHashLabel] = hash;
  json selector = d["spec"].value("selector", json::object());
  selector["matchLabels"][kHashLabel] = hash;
  json meta = {{"name", d["metadata"].value("name", "") + "-" + hash},
               {"namespace", d["metadata"].value("namespace", "")},
               {"labels", tmpl["metadata"]["labels"]},
               {"annotations", {{kRevision, std::to_string(revision)}}},
               {"ownerReferences", OwnerRef(d)}};
  return {{"apiVersion", "apps/v1"},
          {"kind", "ReplicaSet"},
          {"metadata", meta},
          {"spec", {{"replicas", replicas}, {"selector", selector}, {"template", tmpl}}}};
}

int Revision(const json& rs) {
  json annotations = rs["metadata"].value("annotations", json::object());
  return std::atoi(annotations.value(kRevision, "0").c_str());
}

void SetReplicas(ObjectStore& store, const json& rs, int replicas) {
  if (Replicas(rs) == replicas) return;
  json updated = rs;
  updated["spec"]["replicas"] = replicas;
  updated["metadata"]["generation"] = rs["metadata"].value("generation", 1) + 1;
  store.Put("replicasets", updated);
}

void UpdateDeploymentStatus(ObjectStore& store, const json& d, const json* new_rs,
                            const std::vector<const json*>& owned, int min_available) {
  int replicas = 0, ready = 0, available = 0;
  for (const json* rs : owned) {
    replicas += StatusInt(*rs, "replicas");
    ready += StatusInt(*rs, "readyReplicas");
    available += StatusInt(*rs, "availableReplicas");
  }
  int want = Replicas(d);
  int updated_replicas = new_rs ? StatusInt(*new_rs, "replicas") : 0;
  bool complete = new_rs && updated_replicas == want && replicas == want && available >= want &&
                  Replicas(*new_rs) == want;
  json old_conditions =
      d.contains("status") ? d["status"].value("conditions", json::array()) : json::array();
  json status = {{"observedGeneration", d["metadata"].value("generation", 1)},
                 {"replicas", replicas},
                 {"updatedReplicas", updated_replicas},
                 {"readyReplicas", ready},
                 {"availableReplicas", available},
                 {"unavailableReplicas", std::max(0, want - available)}};
  std::string rs_name = new_rs ? (*new_rs)["metadata"].value("name", "") : "";
  status["conditions"] =
      json::array({MakeCondition(old_conditions, "Available", available >= min_available,
                                 available >= min_available ? "MinimumReplicasAvailable"
                                                            : "MinimumReplicasUnavailable",
                                 "Deployment has minimum availability."),
                   MakeCondition(old_conditions, "Progressing", true,
                                 complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                                 "ReplicaSet \"" + rs_name + "\" is progressing.")});
  json updated = d;
  updated["status"] = status;
  PutIfChanged(store, "deployments", d, updated);
}

// One rolling-update step: grow the new replica set within maxSurge, shrink the old ones
// within maxUnavailable.
void RollOut(ObjectStore& store, const json& d, const json& new_rs, std::vector<const json*> old,
             int surge, int unavailable) {
  int want = Replicas(d);
  int total = Replicas(new_rs);
  int available = StatusInt(new_rs, "availableReplicas");
  bool old_left = false;
  for (const json* rs : old) {
    total += Replicas(*rs);
    available += StatusInt(*rs, "availableReplicas");
    old_left = old_left || Replicas(*rs) > 0;
  }
  int new_replicas = Replicas(new_rs);
  if (new_replicas < want) {
    int room = want + surge - total;
    if (room > 0) SetReplicas(store, new_rs, std::min(want, new_replicas + room));
  } else if (new_replicas > want && !old_left) {
    SetReplicas(store, new_rs, want);
  }
  int can_remove = available - (want - unavailable);
  std::sort(old.begin(), old.end(),
            [](const json* a, const json* b) { return Revision(*a) < Revision(*b); });
  for (const json* rs : old) {
    int spec = Replicas(*rs);
    if (spec == 0) continue;
    // Pods that are not available anyway can go without hurting availability.
    int unhealthy = std::max(0, spec - StatusInt(*rs, "availableReplicas"));
    int remove = std::min(spec, unhealthy + std::max(0, can_remove));
    can_remove -= std::max(0, remove - unhealthy);
    SetReplicas(store, *rs, spec - remove);
  }
}

void ReconcileDeployment(ObjectStore& store, WorkloadActions& actions, const json& d) {
  if (IsTerminating(d)) return;
  std::string ns = d["metadata"].value("namespace", "");
  std::string hash = TemplateHash(d["spec"]["template"]);
  std::vector<const json*> owned, old;
  const json* new_rs = nullptr;
  int max_revision = 0;
  for (const StoredObject* so : store.List("replicasets", ns)) {
    if (!OwnedBy(so->object, Uid(d))) continue;
    owned.push_back(&so->object);
    max_revision = std::max(max_revision, Revision(so->object));
    if (StringMember(Member(so->object, "metadata", "labels"), kHashLabel) == hash) {
      new_rs = &so->object;
    } else {
      old.push_back(&so->object);
    }
  }
  int want = Replicas(d);
  json strategy =
      d["spec"].value("strategy", json::object()).value("rollingUpdate", json::object());
  int surge = ResolveIntOrPercent(strategy.value("maxSurge", json("25%")), want, true);
  int unavailable = ResolveIntOrPercent(strategy.value("maxUnavailable", json("25%")), want, false);
  if (surge == 0 && unavailable == 0) unavailable = 1;
  if (!new_rs) {
    actions.CreateObject("replicasets",
                         NewReplicaSet(d, hash, owned.empty() ? want : 0, max_revision + 1));
    return;  // the next pass sees it
  }
  if (Revision(*new_rs) < max_revision) {
    // Rolling back to an older template makes its replica set the newest revision again.
    json bumped = *new_rs;
    bumped["metadata"]["annotations"][kRevision] = std::to_string(max_revision + 1);
    store.Put("replicasets", bumped);
    return;
  }
  RollOut(store, d, *new_rs, old, surge, unavailable);
  UpdateDeploymentStatus(store, d, new_rs, owned, want - unavailable);
}

}  // namespace

int ResolveIntOrPercent(const json& value, int replicas, bool round_up) {
  if (value.is_number_integer()) return value.get<int>();
  std::string text = value.is_string() ? value.get<std::string>() : "25%";
  double percent = std::atof(text.c_str()) / 100.0;
  if (text.find('%') == std::string::npos) return std::atoi(text.c_str());
  double exact = percent * replicas;
  return static_cast<int>(round_up ? std::ceil(exact) : std::floor(exact));
}

std::string TemplateHash(const json& pod_template) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : pod_template.dump()) {
    hash ^= c;
    hash *= 16777619u;
  }
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (char digit : std::to_string(hash)) out += kAlphabet[static_cast<unsigned char>(digit) % 27];
  return out;
}

void ReconcileNamespace(ObjectStore& store, WorkloadActions& actions, const std::string& ns) {
  // Pointers into the store stay valid here: controllers add and replace objects but never
  // remove one (pods only start terminating), and std::map keeps its nodes in place.
  for (const StoredObject* so : store.List("deployments", ns)) {
    ReconcileDeployment(store, actions, so->object);
  }
  std::vector<const json*> pods;
  for (const StoredObject* so : store.List("pods", ns)) pods.push_back(&so->object);
  for (const StoredObject* so : store.List("replicasets", ns)) {
    ReconcileReplicaSet(store, actions, so->object, pods);
  }
}

}  // namespace asmplan::sandbox
