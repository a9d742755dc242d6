#include "sandbox/scenario.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "sandbox/mesh.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

// Reads YAML nodes with checks; the first problem is kept, with its position.
class Reader {
 public:
  Reader(std::string file, std::string* err) : file_(std::move(file)), err_(err) {}

  bool Fail(const YAML::Node& at, const std::string& message) {
    const YAML::Mark mark = at.Mark();
    *err_ = file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
            ": " + message;
    return false;
  }
  bool Map(const YAML::Node& n, const std::string& what, const std::set<std::string>& keys) {
    if (!n.IsMap()) return Fail(n, what + " must be a mapping");
    for (const auto& kv : n) {
      std::string key = kv.first.Scalar();
      if (!keys.count(key)) return Fail(kv.first, "unknown key \"" + key + "\" in " + what);
    }
    return true;
  }
  bool Seq(const YAML::Node& n, const std::string& what) {
    return n.IsSequence() || Fail(n, what + " must be a list");
  }
  bool Int(const YAML::Node& parent, const std::string& key, int* out, int min = 0) {
    if (!parent[key]) return true;
    YAML::Node n = parent[key];
    try {
      *out = n.as<int>();
    } catch (const YAML::Exception&) {
      return Fail(n, "\"" + key + "\" must be an integer");
    }
    return *out >= min || Fail(n, "\"" + key + "\" must be at least " + std::to_string(min));
  }
  bool Str(const YAML::Node& parent, const std::string& key, std::string* out,
           bool required = false) {
    if (!parent[key]) return !required || Fail(parent, "missing \"" + key + "\"");
    YAML::Node n = parent[key];
    if (!n.IsScalar()) return Fail(n, "\"" + key + "\" must be a string");
    *out = n.Scalar();
    return true;
  }
  bool Labels(const YAML::Node& parent, const std::string& key, json* out) {
    *out = json::object();
    if (!parent[key]) return true;
    YAML::Node n = parent[key];
    if (!n.IsMap()) return Fail(n, "\"" + key + "\" must be a mapping of strings");
    for (const auto& kv : n) {
      if (!kv.second.IsScalar()) return Fail(kv.second, "label values must be strings");
      (*out)[kv.first.Scalar()] = kv.second.Scalar();
    }
    return true;
  }

 private:
  std::string file_;
  std::string* err_;
};

bool ReadTimings(Reader& r, const YAML::Node& n, Timings* t) {
  if (!n) return true;
  return r.Map(n, "timings",
               {"tick_ms", "pod_pending_ms", "pod_start_ms", "pod_ready_ms", "termination_grace_ms",
                "crashloop_restart_ms", "initial_age_s"}) &&
         r.Int(n, "tick_ms", &t->tick_ms, 10) && r.Int(n, "pod_pending_ms", &t->pod_pending_ms) &&
         r.Int(n, "pod_start_ms", &t->pod_start_ms) && r.Int(n, "pod_ready_ms", &t->pod_ready_ms) &&
         r.Int(n, "termination_grace_ms", &t->termination_grace_ms) &&
         r.Int(n, "crashloop_restart_ms", &t->crashloop_restart_ms, 100) &&
         r.Int(n, "initial_age_s", &t->initial_age_s);
}

bool ReadMesh(Reader& r, const YAML::Node& n, MeshState* mesh) {
  if (!n) return true;
  if (!r.Map(n, "mesh", {"version", "profile", "flags"}) || !r.Str(n, "version", &mesh->version) ||
      !r.Str(n, "profile", &mesh->profile)) {
    return false;
  }
  if (!n["flags"]) return true;
  if (!r.Seq(n["flags"], "mesh.flags")) return false;
  for (const auto& f : n["flags"]) mesh->flags.push_back(f.Scalar());
  return true;
}

bool ReadContainers(Reader& r, const YAML::Node& owner, const std::string& owner_name, json* out) {
  *out = json::array();
  if (!owner["containers"]) {
    out->push_back(
        {{"name", owner_name}, {"image", "gcr.io/asmplan-sandbox/" + owner_name + ":1.0"}});
    return true;
  }
  if (!r.Seq(owner["containers"], "containers")) return false;
  for (const auto& c : owner["containers"]) {
    std::string name, image;
    if (!r.Map(c, "container", {"name", "image"}) || !r.Str(c, "name", &name, true) ||
        !r.Str(c, "image", &image, true)) {
      return false;
    }
    out->push_back({{"name", name}, {"image", image}});
  }
  return true;
}

std::string Expand(const std::string& pattern, int i) {
  std::string out = pattern;
  for (size_t at; (at = out.find("{i}")) != std::string::npos;) {
    out.replace(at, 3, std::to_string(i));
  }
  return out;
}

// One namespace entry (or the template, with {i} expanded) into objects.
bool ReadNamespace(Reader& r, const YAML::Node& n, int index, bool is_template,
                   std::vector<std::pair<std::string, json>>* objects) {
  std::set<std::string> keys = {"name", "labels", "deployments", "replicasets", "pods"};
  if (is_template) keys.insert("count");
  std::string name;
  json labels;
  if (!r.Map(n, is_template ? "namespace_template" : "namespace", keys) ||
      !r.Str(n, "name", &name, true) || !r.Labels(n, "labels", &labels)) {
    return false;
  }
  name = Expand(name, index);
  for (auto& [key, value] : labels.items()) value = Expand(value.get<std::string>(), index);
  objects->emplace_back("namespaces", json{{"apiVersion", "v1"},
                                           {"kind", "Namespace"},
                                           {"metadata", {{"name", name}, {"labels", labels}}}});
  if (n["deployments"] && !r.Seq(n["deployments"], "deployments")) return false;
  for (const auto& d : n["deployments"]) {
    std::string dname;
    int replicas = 1;
    json containers;
    if (!r.Map(d, "deployment", {"name", "replicas", "containers"}) ||
        !r.Str(d, "name", &dname, true) || !r.Int(d, "replicas", &replicas) ||
        !ReadContainers(r, d, dname, &containers)) {
      return false;
    }
    objects->emplace_back("deployments",
                          MakeDeployment(name, Expand(dname, index), replicas, containers, {}));
  }
  if (n["replicasets"] && !r.Seq(n["replicasets"], "replicasets")) return false;
  for (const auto& d : n["replicasets"]) {
    std::string rname;
    int replicas = 1;
    json containers;
    if (!r.Map(d, "replicaset", {"name", "replicas", "containers"}) ||
        !r.Str(d, "name", &rname, true) || !r.Int(d, "replicas", &replicas) ||
        !ReadContainers(r, d, rname, &containers)) {
      return false;
    }
    objects->emplace_back("replicasets",
                          MakeReplicaSet(name, Expand(rname, index), replicas, containers));
  }
  if (n["pods"] && !r.Seq(n["pods"], "pods")) return false;
  for (const auto& p : n["pods"]) {
    std::string pname;
    json containers;
    if (!r.Map(p, "pod", {"name", "containers"}) || !r.Str(p, "name", &pname, true) ||
        !ReadContainers(r, p, pname, &containers)) {
      return false;
    }
    pname = Expand(pname, index);
    objects->emplace_back(
        "pods",
        json{{"apiVersion", "v1"},
             {"kind", "Pod"},
             {"metadata", {{"name", pname}, {"namespace", name}, {"labels", {{"app", pname}}}}},
             {"spec", {{"containers", containers}}}});
  }
  return true;
}

bool ReadNamespaces(Reader& r, const YAML::Node& root,
                    std::vector<std::pair<std::string, json>>* objects) {
  if (root["namespaces"]) {
    if (!r.Seq(root["namespaces"], "namespaces")) return false;
    for (const auto& n : root["namespaces"]) {
      if (!ReadNamespace(r, n, 0, false, objects)) return false;
    }
  }
  if (!root["namespace_template"]) return true;
  YAML::Node t = root["namespace_template"];
  int count = 0;
  if (!t.IsMap()) return r.Fail(t, "namespace_template must be a mapping");
  if (!r.Int(t, "count", &count, 1)) return false;
  for (int i = 1; i <= count; ++i) {
    if (!ReadNamespace(r, t, i, true, objects)) return false;
  }
  return true;
}

bool ReadFaults(Reader& r, const YAML::Node& n, FaultState* faults) {
  if (!n) return true;
  if (!r.Seq(n, "faults")) return false;
  for (const auto& f : n) {
    std::string kind, ns;
    if (!r.Map(f, "fault", {"fault", "namespace", "rate", "delay_ms", "text"}) ||
        !r.Str(f, "fault", &kind, true) || !r.Str(f, "namespace", &ns)) {
      return false;
    }
    std::string target = ns.empty() ? "*" : ns;
    if (kind == "never_ready") {
      faults->never_ready.insert(target);
    } else if (kind == "crashloop_sidecar") {
      faults->crashloop_sidecar.insert(target);
    } else if (kind == "stuck_terminating") {
      faults->stuck_terminating.insert(target);
    } else if (kind == "api_errors") {
      double rate = 0;
      try {
        rate = f["rate"] ? f["rate"].as<double>() : 1.0;
      } catch (const YAML::Exception&) {
        return r.Fail(f["rate"], "\"rate\" must be a number between 0 and 1");
      }
      if (rate < 0 || rate > 1) return r.Fail(f["rate"], "\"rate\" must be between 0 and 1");
      faults->api_error_rate = rate;
      faults->api_error_namespace = ns;
    } else if (kind == "slow_responses") {
      faults->slow_delay_ms = 500;
      if (!r.Int(f, "delay_ms", &faults->slow_delay_ms)) return false;
      faults->slow_namespace = ns;
    } else if (kind == "api_warnings") {
      faults->warning_text = kDefaultWarning;
      if (!r.Str(f, "text", &faults->warning_text)) return false;
      if (faults->warning_text.empty()) return r.Fail(f["text"], "\"text\" must not be empty");
      faults->warning_namespace = ns;
    } else {
      return r.Fail(f["fault"], "unknown fault \"" + kind +
                                    "\" (known: never_ready, crashloop_sidecar, "
                                    "stuck_terminating, api_errors, slow_responses, "
                                    "api_warnings)");
    }
  }
  return true;
}

void BaseObjects(bool with_mesh, std::vector<std::pair<std::string, json>>* objects) {
  for (const char* ns : {"default", "kube-system"}) {
    objects->emplace_back("namespaces", json{{"metadata", {{"name", ns}}}});
  }
  if (with_mesh) {
    objects->emplace_back(
        "namespaces",
        json{{"metadata",
              {{"name", "istio-system"}, {"labels", {{"istio-injection", "disabled"}}}}}});
  }
  objects->emplace_back(
      "deployments",
      MakeDeployment("kube-system", "kube-dns", 2,
                     {{{"name", "kubedns"}, {"image", "gke.gcr.io/k8s-dns-kube-dns:1.17.3"}}}, {}));
}

}  // namespace

bool ParseScenario(const std::string& text, const std::string& name, Scenario* out,
                   std::string* err) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    *err = name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
           ": " + e.msg;
    return false;
  }
  Reader r(name, err);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  int seed = 1;
  if (!r.Map(root, "scenario",
             {"seed", "mesh", "timings", "namespaces", "namespace_template", "faults",
              "admin_cluster"}) ||
      !r.Int(root, "seed", &seed) || !ReadMesh(r, root["mesh"], &out->mesh) ||
      !ReadTimings(r, root["timings"], &out->timings) ||
      !ReadFaults(r, root["faults"], &out->faults)) {
    return false;
  }
  out->seed = static_cast<uint32_t>(seed);
  BaseObjects(true, &out->user_objects);
  if (!ReadNamespaces(r, root, &out->user_objects)) return false;
  BaseObjects(false, &out->admin_objects);
  if (root["admin_cluster"]) {
    YAML::Node admin = root["admin_cluster"];
    if (!r.Map(admin, "admin_cluster", {"namespaces", "namespace_template"}) ||
        !ReadNamespaces(r, admin, &out->admin_objects)) {
      return false;
    }
  }
  return true;
}

bool LoadScenario(const std::string& path, Scenario* out, std::string* err) {
  std::ifstream in(path);
  if (!in) {
    *err = "cannot read scenario file " + path;
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path, out, err);
}

}  // namespace asmplan::sandbox
