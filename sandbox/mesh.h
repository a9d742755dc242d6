// The simulated Anthos Service Mesh: sidecar injection and the control plane's deployments.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sandbox/cluster_config.h"

namespace asmplan::sandbox {

/// `gcr.io/gke-release/asm/proxyv2:<version>`, the sidecar and ingress gateway image.
std::string ProxyImage(const std::string& version);
/// The tag of an image reference (`repo/name:tag` -> `tag`), or "" when it has none.
std::string ImageTag(const std::string& image);

/// True when pods created in this namespace get a sidecar (label istio-injection=enabled or
/// istio.io/rev set).
bool NamespaceWantsInjection(const nlohmann::json& ns_object);

/// Adds the `istio-proxy` container at the mesh's current version to a new pod, unless it has
/// one already or opts out (annotation sidecar.istio.io/inject=false).
void InjectSidecar(const MeshState& mesh, nlohmann::json* pod);

/// The control plane's deployments in istio-system (istiod, istio-ingressgateway) at `version`.
std::vector<nlohmann::json> ControlPlaneDeployments(const std::string& version);

/// A Deployment object with one pod template; `containers` as `[{"name","image"}]`.
nlohmann::json MakeDeployment(const std::string& ns, const std::string& name, int replicas,
                              const nlohmann::json& containers, const nlohmann::json& labels);

/// A ReplicaSet owned by no deployment: its pods are recreated when deleted, and
/// `kubectl rollout restart deployment` never touches them (the seed's "other pods").
nlohmann::json MakeReplicaSet(const std::string& ns, const std::string& name, int replicas,
                              const nlohmann::json& containers);

}  // namespace asmplan::sandbox
