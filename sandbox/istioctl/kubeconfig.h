// Finding the cluster the way kubectl and the real istioctl do: kubeconfig, context, server.
#pragma once

#include <string>

namespace asmplan::sandbox::istioctl {

/// The cluster a context points at.
struct ClusterEndpoint {
  std::string context;  ///< the context used
  std::string server;   ///< e.g. "http://127.0.0.1:40001"
  std::string token;    ///< the user's bearer token, or ""
};

/// Reads the kubeconfig (`kubeconfig_path`, else each file of $KUBECONFIG, else
/// ~/.kube/config; with several files the first definition of a name wins) and resolves
/// `context` (else current-context) to its cluster's server and user's token.
bool ResolveCluster(const std::string& kubeconfig_path, const std::string& context,
                    ClusterEndpoint* endpoint, std::string* err);

}  // namespace asmplan::sandbox::istioctl
