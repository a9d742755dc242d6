// The Cluster's operator-facing side: faults, control-plane installs, snapshots, scenario load.
#include <map>

#include "sandbox/cluster.h"
#include "sandbox/json_access.h"
#include "sandbox/mesh.h"
#include "sandbox/sim_time.h"
#include "sandbox/tables.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

/// The optional fields of a fault request have the right types and ranges; false with why.
bool CheckFaultFields(const json& r, std::string* err) {
  auto bad = [&](const std::string& key, const std::string& what) {
    *err = "\"" + key + "\" must be " + what;
    return false;
  };
  if (r.contains("namespace") && !r["namespace"].is_string()) return bad("namespace", "a string");
  if (r.contains("enabled") && !r["enabled"].is_boolean()) return bad("enabled", "true or false");
  if (r.contains("text") && !r["text"].is_string()) return bad("text", "a string");
  if (r.contains("rate") &&
      (!r["rate"].is_number() || !(r["rate"].get<double>() >= 0) || r["rate"].get<double>() > 1))
    return bad("rate", "a number between 0 and 1");
  if (r.contains("delay_ms") &&
      (!r["delay_ms"].is_number_integer() || r["delay_ms"].get<long long>() < 0 ||
       r["delay_ms"].get<long long>() > kMaxSlowDelayMs))
    return bad("delay_ms", "a whole number from 0 to " + std::to_string(kMaxSlowDelayMs));
  return true;
}

}  // namespace

bool Cluster::SetFault(const json& request, std::string* err) {
  if (!request.is_object() || !request.contains("fault") || !request["fault"].is_string()) {
    *err = "a fault request needs a string field \"fault\"";
    return false;
  }
  if (!CheckFaultFields(request, err)) return false;
  std::string kind = request["fault"];
  std::string ns = request.value("namespace", "");
  bool enabled = request.value("enabled", true);
  std::map<std::string, std::set<std::string>*> sets = {
      {"never_ready", &faults_.never_ready},
      {"crashloop_sidecar", &faults_.crashloop_sidecar},
      {"stuck_terminating", &faults_.stuck_terminating}};
  auto set = sets.find(kind);
  if (set != sets.end()) {
    std::string target = ns.empty() ? "*" : ns;
    if (enabled) {
      set->second->insert(target);
    } else if (ns.empty()) {
      set->second->clear();  // switching off without a namespace clears it everywhere
    } else {
      set->second->erase(target);
    }
    WakeNamespace(target);  // "the operator fixed it": pods held by the fault move on
    return true;
  }
  if (kind == "api_errors") {
    faults_.api_error_rate = enabled ? request.value("rate", 1.0) : 0.0;
    faults_.api_error_namespace = ns;
    return true;
  }
  if (kind == "slow_responses") {
    faults_.slow_delay_ms = enabled ? request.value("delay_ms", 500) : 0;
    faults_.slow_namespace = ns;
    return true;
  }
  if (kind == "api_warnings") {
    std::string text = request.value("text", std::string(kDefaultWarning));
    if (enabled && text.empty()) {
      *err = "an api_warnings fault needs a non-empty \"text\"";
      return false;
    }
    faults_.warning_text = enabled ? text : "";
    faults_.warning_namespace = ns;
    return true;
  }
  *err = "unknown fault \"" + kind +
         "\" (known: never_ready, crashloop_sidecar, stuck_terminating, api_errors, "
         "slow_responses, api_warnings)";
  return false;
}

void Cluster::InstallControlPlane(const std::string& version, const std::string& profile,
                                  const std::vector<std::string>& flags) {
  mesh_.version = version;
  mesh_.profile = profile;
  mesh_.flags = flags;
  const ResourceInfo& deployments = *FindResource("apps", "v1", "deployments");
  for (json wanted : ControlPlaneDeployments(version)) {
    std::string name = wanted["metadata"]["name"];
    const StoredObject* existing = store_.Get("deployments", "istio-system", name);
    json result;
    ApiError ignored;
    if (!existing) {
      Create(deployments, wanted, &result, &ignored);
      continue;
    }
    // A new template (image and version label) makes the controllers roll the pods.
    json updated = existing->object;
    updated["spec"]["template"] = wanted["spec"]["template"];
    updated["metadata"]["labels"] = wanted["metadata"]["labels"];
    Update(deployments, updated, &result, &ignored);
  }
}

namespace {

json PodSummary(const std::vector<const StoredObject*>& pods) {
  int ready = 0, terminating = 0;
  json proxy_versions = json::object();
  json not_ready = json::array();
  for (const StoredObject* so : pods) {
    const json& pod = so->object;
    bool term = IsTerminating(pod);
    terminating += term;
    if (IsPodReady(pod)) {
      ++ready;
    } else if (not_ready.size() < 20) {
      not_ready.push_back(pod["metadata"].value("name", ""));
    }
    if (term) continue;
    std::string version = "none";
    for (const json& c : Member(pod, "spec", "containers")) {
      if (c.value("name", "") == "istio-proxy") version = ImageTag(c.value("image", ""));
    }
    proxy_versions[version] = proxy_versions.value(version, 0) + 1;
  }
  return {{"total", pods.size()},
          {"ready", ready},
          {"terminating", terminating},
          {"not_ready", not_ready},
          {"proxy_versions", proxy_versions}};
}

json SetJson(const std::set<std::string>& set) {
  return json(std::vector<std::string>(set.begin(), set.end()));
}

}  // namespace

json Cluster::Snapshot() {
  json namespaces = json::array();
  for (const StoredObject* ns : store_.List("namespaces", "")) {
    std::string name = ns->object["metadata"].value("name", "");
    namespaces.push_back({{"name", name},
                          {"labels", ns->object["metadata"].value("labels", json::object())},
                          {"pods", PodSummary(store_.List("pods", name))},
                          {"deployments", store_.List("deployments", name).size()}});
  }
  return {{"mesh",
           {{"enabled", mesh_.enabled},
            {"version", mesh_.version},
            {"profile", mesh_.profile},
            {"flags", mesh_.flags}}},
          {"faults",
           {{"never_ready", SetJson(faults_.never_ready)},
            {"crashloop_sidecar", SetJson(faults_.crashloop_sidecar)},
            {"stuck_terminating", SetJson(faults_.stuck_terminating)},
            {"api_errors",
             {{"rate", faults_.api_error_rate}, {"namespace", faults_.api_error_namespace}}},
            {"slow_responses",
             {{"delay_ms", faults_.slow_delay_ms}, {"namespace", faults_.slow_namespace}}},
            {"api_warnings",
             {{"text", faults_.warning_text}, {"namespace", faults_.warning_namespace}}}}},
          {"resource_version", store_.resource_version()},
          {"namespaces", namespaces}};
}

void Cluster::LoadObjects(const std::vector<std::pair<std::string, json>>& objects) {
  creation_time_override_ = NowSeconds() - timings_.initial_age_s;
  store_.set_recording(false);
  for (const auto& [resource, object] : objects) {
    const ResourceInfo* r = nullptr;
    for (const ResourceInfo& candidate : AllResources()) {
      if (candidate.plural == resource) r = &candidate;
    }
    json created;
    ApiError ignored;
    if (r) Create(*r, object, &created, &ignored);
  }
  if (mesh_.enabled) InstallControlPlane(mesh_.version, mesh_.profile, mesh_.flags);
  // Deployment -> replica set -> pods -> statuses: a handful of passes settles everything.
  for (int pass = 0; pass < 8 && !dirty_namespaces_.empty(); ++pass) Tick(NowSeconds());
  creation_time_override_ = 0;
  store_.set_recording(true);
  store_.ClearEvents();
}

}  // namespace asmplan::sandbox
