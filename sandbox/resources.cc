#include "sandbox/resources.h"

namespace asmplan::sandbox {

const std::vector<ResourceInfo>& AllResources() {
  static const std::vector<ResourceInfo> kResources = {
      {"pods", "pod", "Pod", "", "v1", true, {"po"}},
      {"namespaces", "namespace", "Namespace", "", "v1", false, {"ns"}},
      {"deployments", "deployment", "Deployment", "apps", "v1", true, {"deploy"}},
      {"replicasets", "replicaset", "ReplicaSet", "apps", "v1", true, {"rs"}},
      {"clusterrolebindings",
       "clusterrolebinding",
       "ClusterRoleBinding",
       "rbac.authorization.k8s.io",
       "v1",
       false,
       {}},
  };
  return kResources;
}

const ResourceInfo* FindResource(const std::string& group, const std::string& version,
                                 const std::string& plural) {
  for (const ResourceInfo& r : AllResources()) {
    if (r.group == group && r.version == version && r.plural == plural) return &r;
  }
  return nullptr;
}

}  // namespace asmplan::sandbox
