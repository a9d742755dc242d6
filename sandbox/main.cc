// asmplan-sandbox: a simulated user cluster and admin cluster for the real kubectl.
#include <CLI/CLI.hpp>

#include "sandbox/sandbox_app.h"

int main(int argc, char** argv) {
  asmplan::sandbox::SandboxOptions options;
  CLI::App app{"asmplan-sandbox: simulated Kubernetes clusters with Anthos Service Mesh"};
  app.add_option("--scenario", options.scenario, "scenario YAML file")->required();
  app.add_option("--state-dir", options.state_dir, "where kubeconfig and sandbox.json go")
      ->required();
  app.add_option("--port", options.port, "user cluster port (0 = any free port)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--admin-port", options.admin_port, "admin cluster port (0 = any free port)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--istioctl", options.istioctl, "simulated istioctl to pack into releases");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return asmplan::sandbox::RunSandbox(options);
}
