#include "sandbox/tables.h"

#include "sandbox/json_access.h"
#include "sandbox/sim_time.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

// Missing or non-object fields read as an empty object (const json has no safe operator[]).
const json& At(const json& object, const char* key) {
  static const json kEmpty = json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it == object.end() ? kEmpty : *it;
}

json Column(const std::string& name, int priority = 0, const std::string& format = "") {
  json c = {{"name", name}, {"type", "string"}, {"format", format}, {"description", ""}};
  if (priority) c["priority"] = priority;
  return c;
}

std::string Str(const json& object, const json::json_pointer& ptr, const std::string& def = "") {
  if (!object.contains(ptr)) return def;
  const json& v = object.at(ptr);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

long Num(const json& object, const json::json_pointer& ptr) {
  if (!object.contains(ptr)) return 0;
  const json& v = object.at(ptr);
  return v.is_number() ? v.get<long>() : 0;
}

std::string Age(const json& object, double now) {
  double created = ParseRfc3339(Str(object, "/metadata/creationTimestamp"_json_pointer));
  return created < 0 ? "<unknown>" : HumanDuration(now - created);
}

std::string Restarts(const json& pod, double now) {
  long restarts = 0;
  double last = -1;
  for (const json& cs : Member(pod, "status", "containerStatuses")) {
    restarts += cs.value("restartCount", 0L);
    std::string finished = Str(cs, "/lastState/terminated/finishedAt"_json_pointer);
    if (!finished.empty()) last = std::max(last, ParseRfc3339(finished));
  }
  std::string cell = std::to_string(restarts);
  if (restarts > 0 && last > 0) cell += " (" + HumanDuration(now - last) + " ago)";
  return cell;
}

std::string JoinContainers(const json& object, const char* field) {
  std::string out;
  for (const json& c : Member(object, "spec", "template", "spec", "containers")) {
    if (!out.empty()) out += ",";
    out += c.value(field, "");
  }
  return out;
}

json PodCells(const json& pod, double now) {
  return json::array({At(pod, "metadata").value("name", ""), PodReadyCell(pod),
                      PodStatusReason(pod), Restarts(pod, now), Age(pod, now),
                      Str(pod, "/status/podIP"_json_pointer, "<none>"),
                      Str(pod, "/spec/nodeName"_json_pointer, "<none>"), "<none>", "<none>"});
}

json DeploymentCells(const json& d, double now) {
  long replicas = Num(d, "/spec/replicas"_json_pointer);
  long ready = Num(d, "/status/readyReplicas"_json_pointer);
  return json::array({At(d, "metadata").value("name", ""),
                      std::to_string(ready) + "/" + std::to_string(replicas),
                      Num(d, "/status/updatedReplicas"_json_pointer),
                      Num(d, "/status/availableReplicas"_json_pointer), Age(d, now),
                      JoinContainers(d, "name"), JoinContainers(d, "image"), MatchLabelsText(d)});
}

json ReplicaSetCells(const json& rs, double now) {
  return json::array(
      {At(rs, "metadata").value("name", ""), Num(rs, "/spec/replicas"_json_pointer),
       Num(rs, "/status/replicas"_json_pointer), Num(rs, "/status/readyReplicas"_json_pointer),
       Age(rs, now), JoinContainers(rs, "name"), JoinContainers(rs, "image"), MatchLabelsText(rs)});
}

json NamespaceCells(const json& ns, double now) {
  return json::array({At(ns, "metadata").value("name", ""),
                      Str(ns, "/status/phase"_json_pointer, "Active"), Age(ns, now)});
}

json BindingCells(const json& b, double now) {
  std::string users, groups, sas;
  for (const json& s : b.value("subjects", json::array())) {
    std::string kind = s.value("kind", "");
    std::string& list = kind == "User" ? users : kind == "Group" ? groups : sas;
    if (!list.empty()) list += ", ";
    list += kind == "ServiceAccount" ? s.value("namespace", "") + "/" + s.value("name", "")
                                     : s.value("name", "");
  }
  return json::array(
      {At(b, "metadata").value("name", ""),
       Str(b, "/roleRef/kind"_json_pointer) + "/" + Str(b, "/roleRef/name"_json_pointer),
       Age(b, now), users, groups, sas});
}

json Columns(const std::string& plural) {
  if (plural == "pods") {
    return {Column("Name", 0, "name"),
            Column("Ready"),
            Column("Status"),
            Column("Restarts"),
            Column("Age"),
            Column("IP", 1),
            Column("Node", 1),
            Column("Nominated Node", 1),
            Column("Readiness Gates", 1)};
  }
  if (plural == "deployments") {
    return {Column("Name", 0, "name"), Column("Ready"),      Column("Up-to-date"),
            Column("Available"),       Column("Age"),        Column("Containers", 1),
            Column("Images", 1),       Column("Selector", 1)};
  }
  if (plural == "replicasets") {
    return {Column("Name", 0, "name"), Column("Desired"),    Column("Current"),
            Column("Ready"),           Column("Age"),        Column("Containers", 1),
            Column("Images", 1),       Column("Selector", 1)};
  }
  if (plural == "namespaces") return {Column("Name", 0, "name"), Column("Status"), Column("Age")};
  return {Column("Name", 0, "name"), Column("Role"),      Column("Age"),
          Column("Users", 1),        Column("Groups", 1), Column("ServiceAccounts", 1)};
}

json Cells(const std::string& plural, const json& object, double now) {
  if (plural == "pods") return PodCells(object, now);
  if (plural == "deployments") return DeploymentCells(object, now);
  if (plural == "replicasets") return ReplicaSetCells(object, now);
  if (plural == "namespaces") return NamespaceCells(object, now);
  return BindingCells(object, now);
}

// The row's object: metadata only, so `-A` and `--show-labels` have what they need.
json PartialObject(const json& object) {
  json meta = json::object();
  for (const char* key : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp",
                          "labels", "annotations", "deletionTimestamp"}) {
    auto it = At(object, "metadata").find(key);
    if (it != At(object, "metadata").end()) meta[key] = *it;
  }
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", std::move(meta)}};
}

}  // namespace

std::string MatchLabelsText(const json& object) {
  std::string out;
  const json labels = At(At(At(object, "spec"), "selector"), "matchLabels");
  for (auto& [k, v] : labels.items()) {
    if (!out.empty()) out += ",";
    out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

std::string PodReadyCell(const json& pod) {
  size_t total = Member(pod, "spec", "containers").size();
  size_t ready = 0;
  for (const json& cs : Member(pod, "status", "containerStatuses")) {
    if (cs.value("ready", false)) ++ready;
  }
  return std::to_string(ready) + "/" + std::to_string(total);
}

std::string PodStatusReason(const json& pod) {
  if (At(pod, "metadata").contains("deletionTimestamp")) return "Terminating";
  std::string reason = Str(pod, "/status/reason"_json_pointer);
  if (reason.empty()) reason = Str(pod, "/status/phase"_json_pointer, "Unknown");
  // As kubectl's printer: the last container with a waiting or terminated reason wins.
  const json& statuses = Member(pod, "status", "containerStatuses");
  for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
    std::string waiting = Str(*it, "/state/waiting/reason"_json_pointer);
    std::string terminated = Str(*it, "/state/terminated/reason"_json_pointer);
    if (!waiting.empty()) {
      reason = waiting;
    } else if (!terminated.empty()) {
      reason = terminated;
    }
  }
  return reason;
}

json BuildTable(const ResourceInfo& resource, const std::vector<const json*>& objects,
                const std::string& resource_version, double now) {
  json rows = json::array();
  for (const json* object : objects) {
    rows.push_back(
        {{"cells", Cells(resource.plural, *object, now)}, {"object", PartialObject(*object)}});
  }
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", {{"resourceVersion", resource_version}}},
          {"columnDefinitions", Columns(resource.plural)},
          {"rows", std::move(rows)}};
}

}  // namespace asmplan::sandbox
