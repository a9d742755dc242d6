#include "sandbox/istioctl/mesh_pods.h"

#include <algorithm>
#include <map>

namespace asmplan::sandbox::istioctl {
namespace {

using nlohmann::json;

const json& Items(const json& pods) {
  static const json kEmpty = json::array();
  auto it = pods.find("items");
  return it != pods.end() && it->is_array() ? *it : kEmpty;
}

std::string StringAt(const json& j, const json::json_pointer& at) {
  return j.contains(at) && j.at(at).is_string() ? j.at(at).get<std::string>() : "";
}

bool Terminating(const json& pod) {
  return pod.contains(json::json_pointer("/metadata/deletionTimestamp")) &&
         !pod.at(json::json_pointer("/metadata/deletionTimestamp")).is_null();
}

bool PodReady(const json& pod) {
  const json::json_pointer at("/status/conditions");
  if (!pod.contains(at) || !pod.at(at).is_array()) return false;
  for (const json& c : pod.at(at)) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

/// The image of the container called `name`, or of the first container when `name` is "".
std::string ContainerImage(const json& pod, const std::string& name) {
  const json::json_pointer at("/spec/containers");
  if (!pod.contains(at) || !pod.at(at).is_array()) return "";
  for (const json& c : pod.at(at)) {
    if (name.empty() || c.value("name", "") == name) return c.value("image", "");
  }
  return "";
}

VersionCounts Sorted(const std::map<std::string, int>& counts) {
  VersionCounts sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return sorted;
}

}  // namespace

std::string ImageTag(const std::string& image) {
  size_t colon = image.rfind(':');
  size_t slash = image.rfind('/');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "";
  return image.substr(colon + 1);
}

ComponentState MeasureComponent(const json& pods, const std::string& app,
                                const std::string& version) {
  ComponentState state;
  for (const json& pod : Items(pods)) {
    if (StringAt(pod, json::json_pointer("/metadata/labels/app")) != app) continue;
    ++state.pods;
    if (Terminating(pod)) continue;
    // A gateway's version is its proxy's; istiod has one container.
    std::string image = ContainerImage(pod, "istio-proxy");
    if (image.empty()) image = ContainerImage(pod, "");
    if (ImageTag(image) == version && PodReady(pod)) {
      ++state.current;
    } else {
      ++state.pending;
    }
  }
  return state;
}

VersionCounts ControlPlaneVersions(const json& pods) {
  std::map<std::string, int> counts;
  for (const json& pod : Items(pods)) {
    if (StringAt(pod, json::json_pointer("/metadata/labels/app")) != "istiod" || Terminating(pod)) {
      continue;
    }
    ++counts[ImageTag(ContainerImage(pod, ""))];
  }
  return Sorted(counts);
}

VersionCounts DataPlaneVersions(const json& pods) {
  std::map<std::string, int> counts;
  for (const json& pod : Items(pods)) {
    std::string image = ContainerImage(pod, "istio-proxy");
    if (image.empty() || Terminating(pod)) continue;
    ++counts[ImageTag(image)];
  }
  return Sorted(counts);
}

}  // namespace asmplan::sandbox::istioctl
