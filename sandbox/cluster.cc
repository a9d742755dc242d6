#include "sandbox/cluster.h"

#include <chrono>
#include <cstdio>

#include "sandbox/json_access.h"
#include "sandbox/mesh.h"
#include "sandbox/sim_time.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

std::string Key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

// Defaults the API server fills in for workload kinds, and what they must have.
bool DefaultWorkload(const ResourceInfo& r, json* object, ApiError* err) {
  std::string name = (*object)["metadata"].value("name", "");
  json& spec = (*object)["spec"];
  if (!spec.is_object() || !spec.contains("template") || !spec["template"].is_object()) {
    *err = Invalid(r.QualifiedName(), name, "spec.template: Required value");
    return false;
  }
  if (!spec.contains("replicas")) spec["replicas"] = 1;
  if (!spec.contains("selector")) {
    spec["selector"] = {
        {"matchLabels", spec["template"]["metadata"].value("labels", json::object())}};
  }
  if (r.plural == "deployments" && !spec.contains("strategy")) {
    spec["strategy"] = {{"type", "RollingUpdate"},
                        {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}};
  }
  (*object)["metadata"]["generation"] = 1;
  if (!spec["template"]["spec"].contains("containers")) {
    *err = Invalid(r.QualifiedName(), name, "spec.template.spec.containers: Required value");
    return false;
  }
  return true;
}

}  // namespace

Cluster::Cluster(const Timings& timings, const MeshState& mesh, uint32_t seed)
    : timings_(timings), mesh_(mesh), rng_(seed) {
  store_.set_change_listener([this](const std::string& resource, const std::string& ns) {
    if (resource == "pods" || resource == "replicasets" || resource == "deployments") {
      dirty_namespaces_.insert(ns);
    }
    changed_.notify_all();
  });
}

Cluster::~Cluster() { Stop(); }

double Cluster::CreationTime() const {
  return creation_time_override_ > 0 ? creation_time_override_ : NowSeconds();
}

std::string Cluster::NewUid() {
  char buf[40];
  std::uniform_int_distribution<uint32_t> d;
  uint32_t a = d(rng_), b = d(rng_), c = d(rng_), e = d(rng_);
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%04x%08x", a, b >> 16, (b & 0x0fff) | 0x4000,
           (c >> 16 & 0x3fff) | 0x8000, c & 0xffff, e);
  return buf;
}

std::string Cluster::RandomSuffix(int n) {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::uniform_int_distribution<int> d(0, 26);
  std::string out;
  for (int i = 0; i < n; ++i) out += kAlphabet[d(rng_)];
  return out;
}

bool Cluster::Create(const ResourceInfo& r, json object, json* created, ApiError* err) {
  if (!object.is_object()) {
    *err = BadRequest("the body of the request is not a " + r.kind + " object");
    return false;
  }
  json& meta = object["metadata"];
  if (!meta.is_object()) meta = json::object();
  std::string ns = r.namespaced ? meta.value("namespace", "") : "";
  if (!r.namespaced) meta.erase("namespace");
  if (meta.value("name", "").empty() && !meta.value("generateName", "").empty()) {
    meta["name"] = meta.value("generateName", "") + RandomSuffix(5);
  }
  std::string name = meta.value("name", "");
  if (!ValidName(name)) {
    *err = Invalid(r.QualifiedName(), name,
                   "metadata.name: Invalid value: \"" + name +
                       "\": a lowercase RFC 1123 subdomain must consist of lower case "
                       "alphanumeric characters, '-' or '.'");
    return false;
  }
  if (r.namespaced) {
    const StoredObject* ns_object = store_.Get("namespaces", "", ns);
    if (!ns_object) {
      *err = NotFound("namespaces", ns);
      return false;
    }
    if (IsTerminating(ns_object->object)) {
      *err = {403, "Forbidden",
              r.plural + " \"" + name +
                  "\" is forbidden: unable to create new content in "
                  "namespace " +
                  ns + " because it is being terminated",
              name, r.plural};
      return false;
    }
  }
  if (store_.Get(r.plural, ns, name)) {
    *err = AlreadyExists(r.QualifiedName(), name);
    return false;
  }
  object["apiVersion"] = r.ApiVersion();
  object["kind"] = r.kind;
  meta["uid"] = NewUid();
  meta["creationTimestamp"] = FormatRfc3339(CreationTime());
  if (r.plural == "deployments" || r.plural == "replicasets") {
    if (!DefaultWorkload(r, &object, err)) return false;
    object["status"] = json::object();
  } else if (r.plural == "namespaces") {
    meta["labels"]["kubernetes.io/metadata.name"] = name;
    object["spec"] = {{"finalizers", {"kubernetes"}}};
    object["status"] = {{"phase", "Active"}};
  } else if (r.plural == "pods") {
    if (!object["spec"].is_object() || !object["spec"]["containers"].is_array() ||
        object["spec"]["containers"].empty()) {
      *err = Invalid(r.QualifiedName(), name, "spec.containers: Required value");
      return false;
    }
    AdmitPod(&object, CreationTime());
  }
  *created = store_.Put(r.plural, std::move(object)).object;
  return true;
}

void Cluster::AdmitPod(json* pod, double created) {
  std::string ns = (*pod)["metadata"].value("namespace", "");
  std::string name = (*pod)["metadata"].value("name", "");
  const StoredObject* ns_object = store_.Get("namespaces", "", ns);
  if (mesh_.enabled && ns_object && NamespaceWantsInjection(ns_object->object)) {
    InjectSidecar(mesh_, pod);
  }
  json& spec = (*pod)["spec"];
  uint32_t n = next_ip_++;
  spec["nodeName"] = "sandbox-node-" + std::to_string(n % 3 + 1);
  if (!spec.contains("terminationGracePeriodSeconds")) {
    spec["terminationGracePeriodSeconds"] = (timings_.termination_grace_ms + 999) / 1000;
  }
  PodSim sim;
  sim.ns = ns;
  sim.name = name;
  sim.created = created;
  sim.ip = "10.244." + std::to_string(n / 250 % 250) + "." + std::to_string(n % 250 + 2);
  double next = UpdatePodStatus(pod, &sim, NowSeconds(), timings_, faults_);
  pods_[Key(ns, name)] = sim;
  if (next > 0) Schedule(next, Key(ns, name));
}

bool Cluster::Update(const ResourceInfo& r, json object, json* stored, ApiError* err) {
  std::string ns = r.namespaced ? object["metadata"].value("namespace", "") : "";
  std::string name = object["metadata"].value("name", "");
  const StoredObject* old = store_.Get(r.plural, ns, name);
  if (!old) {
    *err = NotFound(r.QualifiedName(), name);
    return false;
  }
  // Identity fields are the server's, whatever the client sent.
  for (const char* key : {"uid", "creationTimestamp", "deletionTimestamp"}) {
    if (old->object["metadata"].contains(key))
      object["metadata"][key] = old->object["metadata"][key];
  }
  object["apiVersion"] = r.ApiVersion();
  object["kind"] = r.kind;
  if (old->object.value("spec", json()) != object.value("spec", json())) {
    object["metadata"]["generation"] = old->object["metadata"].value("generation", 1) + 1;
  }
  *stored = store_.Put(r.plural, std::move(object)).object;
  return true;
}

bool Cluster::Delete(const ResourceInfo& r, const std::string& ns, const std::string& name,
                     int grace_seconds, json* last, ApiError* err) {
  const StoredObject* existing = store_.Get(r.plural, r.namespaced ? ns : "", name);
  if (!existing) {
    *err = NotFound(r.QualifiedName(), name);
    return false;
  }
  json object = existing->object;
  if (r.plural == "pods") {
    if (grace_seconds == 0) {
      store_.Remove("pods", ns, name);
      pods_.erase(Key(ns, name));
    } else if (!IsTerminating(object)) {
      double now = NowSeconds();
      double grace = timings_.termination_grace_ms / 1000.0;
      object["metadata"]["deletionTimestamp"] = FormatRfc3339(now + grace);
      object["metadata"]["deletionGracePeriodSeconds"] = static_cast<int>(grace + 0.999);
      object = store_.Put("pods", object).object;
      PodSim& sim = pods_[Key(ns, name)];
      sim.ns = ns;
      sim.name = name;
      sim.delete_at = now + grace;
      Schedule(now + grace, Key(ns, name));
    }
  } else if (r.plural == "namespaces") {
    object["metadata"]["deletionTimestamp"] = FormatRfc3339(NowSeconds());
    object["status"]["phase"] = "Terminating";
    object = store_.Put("namespaces", object).object;
    RemoveNamespaceContents(name);
    terminating_namespaces_.insert(name);
  } else {
    std::string uid = object["metadata"].value("uid", "");
    store_.Remove(r.plural, r.namespaced ? ns : "", name);
    DeleteDependents(uid, ns);
  }
  *last = object;
  return true;
}

void Cluster::DeleteDependents(const std::string& owner_uid, const std::string& ns) {
  // Background propagation: replica sets go at once (and take their pods), pods terminate.
  std::vector<std::pair<std::string, std::string>> victims;
  for (const char* resource : {"replicasets", "pods"}) {
    for (const StoredObject* so : store_.List(resource, ns)) {
      for (const json& ref : Member(so->object, "metadata", "ownerReferences")) {
        if (ref.value("uid", "") == owner_uid) {
          victims.emplace_back(resource, so->object["metadata"].value("name", ""));
        }
      }
    }
  }
  for (const auto& [resource, name] : victims) {
    json last;
    ApiError ignored;
    const ResourceInfo* r = FindResource(resource == "pods" ? "" : "apps", "v1", resource);
    if (r) Delete(*r, ns, name, -1, &last, &ignored);
  }
}

void Cluster::RemoveNamespaceContents(const std::string& ns) {
  for (const char* resource : {"deployments", "replicasets", "pods"}) {
    std::vector<std::string> names;
    for (const StoredObject* so : store_.List(resource, ns)) {
      names.push_back(so->object["metadata"].value("name", ""));
    }
    const ResourceInfo* r =
        FindResource(std::string(resource) == "pods" ? "" : "apps", "v1", resource);
    for (const std::string& name : names) {
      json last;
      ApiError ignored;
      Delete(*r, ns, name, -1, &last, &ignored);
    }
  }
}

void Cluster::CreateObject(const std::string& resource, json object) {
  const ResourceInfo* r = FindResource(resource == "pods" ? "" : "apps", "v1", resource);
  json created;
  ApiError ignored;
  if (r) Create(*r, std::move(object), &created, &ignored);
}

void Cluster::DeletePod(const std::string& ns, const std::string& name) {
  json last;
  ApiError ignored;
  Delete(*FindResource("", "v1", "pods"), ns, name, -1, &last, &ignored);
}

void Cluster::EvaluatePod(const std::string& key, double now) {
  auto sim = pods_.find(key);
  if (sim == pods_.end()) return;
  const StoredObject* stored = store_.Get("pods", sim->second.ns, sim->second.name);
  if (!stored) {
    pods_.erase(sim);
    return;
  }
  if (sim->second.delete_at > 0) {
    if (FaultState::Has(faults_.stuck_terminating, sim->second.ns)) return;
    if (now + 1e-3 >= sim->second.delete_at) {
      store_.Remove("pods", sim->second.ns, sim->second.name);
      pods_.erase(sim);
    } else {
      Schedule(sim->second.delete_at, key);
    }
    return;
  }
  json pod = stored->object;
  double next = UpdatePodStatus(&pod, &sim->second, now, timings_, faults_);
  if (pod != stored->object) store_.Put("pods", std::move(pod));
  if (next > 0) Schedule(next, key);
}

void Cluster::RunPodWakeups(double now) {
  std::vector<std::string> due;
  while (!wakeups_.empty() && wakeups_.begin()->first <= now + 1e-3) {
    due.push_back(wakeups_.begin()->second);
    wakeups_.erase(wakeups_.begin());
  }
  std::set<std::string> seen;
  for (const std::string& key : due) {
    if (seen.insert(key).second) EvaluatePod(key, now);
  }
}

void Cluster::WakeNamespace(const std::string& ns) {
  double now = NowSeconds();
  for (const auto& [key, sim] : pods_) {
    if (ns == "*" || sim.ns == ns) Schedule(now, key);
  }
}

void Cluster::Tick(double now) {
  RunPodWakeups(now);
  // Controllers may dirty namespaces again; those wait for the next tick.
  std::set<std::string> dirty;
  dirty.swap(dirty_namespaces_);
  for (const std::string& ns : dirty) ReconcileNamespace(store_, *this, ns);
  for (auto it = terminating_namespaces_.begin(); it != terminating_namespaces_.end();) {
    if (store_.List("pods", *it).empty()) {
      store_.Remove("namespaces", "", *it);
      it = terminating_namespaces_.erase(it);
    } else {
      ++it;
    }
  }
}

void Cluster::Start() {
  ticker_ = std::thread([this] {
    while (!stopping_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(timings_.tick_ms));
      std::lock_guard<std::mutex> lock(mu_);
      Tick(NowSeconds());
    }
  });
}

void Cluster::Stop() {
  stopping_ = true;
  changed_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace asmplan::sandbox
