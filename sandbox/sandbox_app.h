// The asmplan-sandbox process: load the scenario, serve the user and admin clusters, write the
// state files, run until SIGTERM/SIGINT.
#pragma once

#include <string>

namespace asmplan::sandbox {

struct SandboxOptions {
  std::string scenario;   ///< scenario YAML file
  std::string state_dir;  ///< where kubeconfig and sandbox.json go
  int port = 0;           ///< user cluster port; 0 = any free port
  int admin_port = 0;     ///< admin cluster port; 0 = any free port
  std::string istioctl;   ///< the simulated istioctl to pack into releases
};

/// Runs the sandbox in the foreground. Returns the exit code: 0 after SIGTERM/SIGINT, 2 for a
/// bad scenario (message on stderr, nothing written), 1 for other failures.
int RunSandbox(const SandboxOptions& options);

}  // namespace asmplan::sandbox
