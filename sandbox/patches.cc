#include "sandbox/patches.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

// The key a list of objects merges by, or "" when the list is replaced wholesale.
std::string MergeKey(const json& list) {
  for (const char* key : {"name", "type", "containerPort", "mountPath"}) {
    bool all = !list.empty();
    for (const json& item : list) {
      if (!item.is_object() || !item.contains(key)) all = false;
    }
    if (all) return key;
  }
  return "";
}

void MergeList(json* target, const json& patch, const std::string& key) {
  for (const json& item : patch) {
    auto found = target->end();
    for (auto it = target->begin(); it != target->end(); ++it) {
      if (it->is_object() && it->value(key, json()) == item[key]) found = it;
    }
    bool remove = item.value("$patch", "") == "delete";
    if (found != target->end() && remove) {
      target->erase(found);
    } else if (found != target->end()) {
      StrategicMerge(&*found, item);
    } else if (!remove) {
      json copy = json::object();
      StrategicMerge(&copy, item);
      target->push_back(std::move(copy));
    }
  }
}

}  // namespace

void StrategicMerge(json* target, const json& patch) {
  if (!patch.is_object()) {
    *target = patch;
    return;
  }
  if (!target->is_object()) *target = json::object();
  for (auto& [key, value] : patch.items()) {
    if (key.rfind("$", 0) == 0) continue;  // directives: $setElementOrder/..., $retainKeys, $patch
    if (value.is_null()) {
      target->erase(key);
    } else if (value.is_object()) {
      StrategicMerge(&(*target)[key], value);
    } else if (value.is_array() && target->contains(key) && (*target)[key].is_array() &&
               !MergeKey(value).empty()) {
      MergeList(&(*target)[key], value, MergeKey(value));
    } else {
      (*target)[key] = value;
    }
  }
}

bool ApplyPatch(const std::string& content_type, const std::string& body, json* target,
                std::string* err) {
  json patch = json::parse(body, nullptr, false);
  if (patch.is_discarded()) {
    *err = "the body of the patch is not valid JSON";
    return false;
  }
  std::string type = content_type.substr(0, content_type.find(';'));
  try {
    if (type == "application/strategic-merge-patch+json") {
      StrategicMerge(target, patch);
    } else if (type == "application/merge-patch+json") {
      target->merge_patch(patch);
    } else if (type == "application/json-patch+json") {
      *target = target->patch(patch);
    } else {
      *err = "the server does not support patches of type \"" + type + "\"";
      return false;
    }
  } catch (const json::exception& e) {
    *err = std::string("the patch does not apply: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace asmplan::sandbox
