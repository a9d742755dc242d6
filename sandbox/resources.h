// The resource kinds the sandbox serves, and how each is addressed.
#pragma once

#include <string>
#include <vector>

namespace asmplan::sandbox {

struct ResourceInfo {
  std::string plural;    ///< e.g. "pods"
  std::string singular;  ///< e.g. "pod"
  std::string kind;      ///< e.g. "Pod"
  std::string group;     ///< "" for the core group
  std::string version;   ///< "v1"
  bool namespaced = true;
  std::vector<std::string> short_names;

  /// "v1" or "apps/v1".
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  /// "pods" or "deployments.apps", as error messages name a resource.
  std::string QualifiedName() const { return group.empty() ? plural : plural + "." + group; }
};

/// Every served resource.
const std::vector<ResourceInfo>& AllResources();
/// The resource with this group, version and plural name, or nullptr.
const ResourceInfo* FindResource(const std::string& group, const std::string& version,
                                 const std::string& plural);

}  // namespace asmplan::sandbox
