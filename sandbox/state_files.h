// The files a running sandbox leaves for its users: DIR/kubeconfig and DIR/sandbox.json.
#pragma once

#include <string>

namespace asmplan::sandbox {

/// Writes `content` to `path` atomically (a temp file in the same folder, then rename).
bool WriteFileAtomically(const std::string& path, const std::string& content, std::string* err);

/// The kubeconfig text: clusters and contexts `sandbox-user` and `sandbox-admin`, one user with
/// a dummy token, no TLS, current-context `sandbox-admin`.
std::string KubeconfigText(const std::string& user_server, const std::string& admin_server);

struct SandboxInfo {
  long pid = 0;
  std::string user_server;  ///< http://127.0.0.1:PORT
  std::string admin_server;
  std::string kubeconfig;  ///< path
  std::string bin_dir;     ///< folder of the simulated istioctl
};

/// The sandbox.json text (CONTRACT.md); release_base is `<user_server>/releases`.
std::string SandboxJsonText(const SandboxInfo& info);

}  // namespace asmplan::sandbox
