// Reading the mesh out of Kubernetes PodLists: control-plane components and sidecar versions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace asmplan::sandbox::istioctl {

/// The tag of an image reference ("gcr.io/gke-release/asm/pilot:1.6.14-asm.1" gives
/// "1.6.14-asm.1"); "" when it has none.
std::string ImageTag(const std::string& image);

/// How far one control-plane component (the pods labelled app=<name>) is towards a version.
struct ComponentState {
  int pods = 0;     ///< pods of the component, terminating ones included
  int current = 0;  ///< live pods running the version and ready
  int pending = 0;  ///< live pods at another version, or not ready yet
  /// Ready like the real istioctl's wait: new pods up and ready, none left behind; old pods
  /// still terminating do not count.
  bool Ready() const { return current > 0 && pending == 0; }
};

/// Measures the pods labelled app=`app` in the PodList `pods` against `version`.
ComponentState MeasureComponent(const nlohmann::json& pods, const std::string& app,
                                const std::string& version);

/// A version and how many pods run it, most common first.
using VersionCounts = std::vector<std::pair<std::string, int>>;

/// Versions of the live istiod pods in the PodList.
VersionCounts ControlPlaneVersions(const nlohmann::json& pods);

/// Versions of the live proxies in the PodList: pods with an istio-proxy container (sidecars
/// and gateways), by that container's image tag.
VersionCounts DataPlaneVersions(const nlohmann::json& pods);

}  // namespace asmplan::sandbox::istioctl
