// Names a Kubernetes cluster or kubeconfig would reject, caught at compile time.
#pragma once

#include <string>

namespace asmplan {

/// Namespaces: an RFC 1123 label, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
/// Returns "" when valid, else why not (lower-case, no final period).
std::string CheckNamespaceName(const std::string& name);

/// Deployments: an RFC 1123 subdomain, dot-separated labels, at most 253 characters.
std::string CheckDeploymentName(const std::string& name);

/// ClusterRoleBindings: a path segment name: not empty, not `.` or `..`, no `/` or `%`.
std::string CheckRbacName(const std::string& name);

/// Kubeconfig context names are free-form keys (GKE's `gke_project_zone_cluster`, OpenShift's
/// `ns/api-host:6443/user`), so the check is what kubectl and a shell can carry safely: not
/// empty, at most 253 bytes, no whitespace or control characters, nothing invisible (a no-break
/// space or a zero-width character would make `context is` never match what the reviewer read).
std::string CheckContextName(const std::string& name);

}  // namespace asmplan
