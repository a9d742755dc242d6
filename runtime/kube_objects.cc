#include "runtime/kube_objects.h"

#include <nlohmann/json.hpp>

namespace asmplan {
namespace {

using nlohmann::json;

// Type-checked accessors: a field of the wrong type reads as absent instead of throwing, so no
// exception can leave this file.
const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}
std::string Str(const json& j, const char* key) {
  const json& f = Field(j, key);
  return f.is_string() ? f.get<std::string>() : "";
}
std::int64_t Int(const json& j, const char* key, std::int64_t fallback = 0) {
  const json& f = Field(j, key);
  return f.is_number_integer() ? f.get<std::int64_t>() : fallback;
}
bool Bool(const json& j, const char* key) {
  const json& f = Field(j, key);
  return f.is_boolean() && f.get<bool>();
}

/// The "items" array of a list document, or false with a message.
bool ListItems(const std::string& json_text, const char* kind, json* doc, std::string* err) {
  *doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc->is_discarded()) {
    *err = std::string("malformed JSON in the ") + kind;
    return false;
  }
  if (!Field(*doc, "items").is_array()) {
    *err = std::string("not a ") + kind + ": no \"items\" array";
    return false;
  }
  return true;
}

/// Fills a container's status fields from its containerStatuses entry.
void ApplyStatus(const json& status, ContainerInfo* c) {
  c->ready = Bool(status, "ready");
  c->restart_count = static_cast<int>(Int(status, "restartCount"));
  const json& state = Field(status, "state");
  for (const char* s : {"running", "waiting", "terminated"}) {
    const json& detail = Field(state, s);
    if (detail.is_object()) {
      c->state = s;
      c->reason = Str(detail, "reason");
      return;
    }
  }
}

std::vector<ContainerInfo> ParseContainers(const json& item) {
  std::vector<ContainerInfo> out;
  const json& spec_containers = Field(Field(item, "spec"), "containers");
  const json& statuses = Field(Field(item, "status"), "containerStatuses");
  if (!spec_containers.is_array()) return out;
  for (const json& sc : spec_containers) {
    ContainerInfo c;
    c.name = Str(sc, "name");
    c.image = Str(sc, "image");
    if (statuses.is_array()) {
      for (const json& st : statuses)
        if (Str(st, "name") == c.name) ApplyStatus(st, &c);
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool HasCondition(const json& status, const std::string& type, const std::string& value,
                  const char* field) {
  const json& conditions = Field(status, "conditions");
  if (!conditions.is_array()) return false;
  for (const json& c : conditions)
    if (Str(c, "type") == type && Str(c, field) == value) return true;
  return false;
}

PodInfo ParsePod(const json& item) {
  PodInfo p;
  const json& meta = Field(item, "metadata");
  p.ns = Str(meta, "namespace");
  p.name = Str(meta, "name");
  p.terminating = !Field(meta, "deletionTimestamp").is_null();
  p.deletion_timestamp = Str(meta, "deletionTimestamp");
  const json& finalizers = Field(meta, "finalizers");
  if (finalizers.is_array())
    for (const json& f : finalizers)
      if (f.is_string()) p.finalizers.push_back(f.get<std::string>());
  const json& labels = Field(meta, "labels");
  if (labels.is_object())
    for (auto it = labels.begin(); it != labels.end(); ++it)
      if (it.value().is_string()) p.labels[it.key()] = it.value().get<std::string>();
  const json& owners = Field(meta, "ownerReferences");
  if (owners.is_array() && !owners.empty())
    p.owner = Str(owners[0], "kind") + "/" + Str(owners[0], "name");
  const json& status = Field(item, "status");
  p.phase = Str(status, "phase");
  p.ready_condition = HasCondition(status, "Ready", "True", "status");
  p.containers = ParseContainers(item);
  return p;
}

DeploymentInfo ParseDeployment(const json& item) {
  DeploymentInfo d;
  const json& meta = Field(item, "metadata");
  const json& status = Field(item, "status");
  d.ns = Str(meta, "namespace");
  d.name = Str(meta, "name");
  d.generation = Int(meta, "generation");
  d.observed_generation = Int(status, "observedGeneration");
  d.spec_replicas = Int(Field(item, "spec"), "replicas", 1);
  d.replicas = Int(status, "replicas");
  d.updated_replicas = Int(status, "updatedReplicas");
  d.available_replicas = Int(status, "availableReplicas");
  d.progress_deadline_exceeded =
      HasCondition(status, "Progressing", "ProgressDeadlineExceeded", "reason");
  return d;
}

}  // namespace

int PodInfo::ReadyCount() const {
  int n = 0;
  for (const auto& c : containers) n += c.ready ? 1 : 0;
  return n;
}

bool ParsePodList(const std::string& json_text, std::vector<PodInfo>* pods, std::string* err) {
  json doc;
  if (!ListItems(json_text, "pod list", &doc, err)) return false;
  pods->clear();
  for (const json& item : doc["items"]) pods->push_back(ParsePod(item));
  return true;
}

bool ParseDeploymentList(const std::string& json_text, std::vector<DeploymentInfo>* deployments,
                         std::string* err) {
  json doc;
  if (!ListItems(json_text, "deployment list", &doc, err)) return false;
  deployments->clear();
  for (const json& item : doc["items"]) deployments->push_back(ParseDeployment(item));
  return true;
}

std::string ImageTag(const std::string& image) {
  std::string ref = image.substr(0, image.find('@'));
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  // A colon before the last slash belongs to a registry port, not a tag.
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "";
  return ref.substr(colon + 1);
}

}  // namespace asmplan
