#include <unistd.h>

#include <fstream>
#include <ostream>

#include "sandbox/istioctl/cluster_client.h"
#include "sandbox/istioctl/istioctl_commands.h"
#include "sandbox/istioctl/mesh_pods.h"

namespace asmplan::sandbox::istioctl {
namespace {

std::string JoinCounts(const VersionCounts& counts) {
  std::string joined;
  for (const auto& [version, n] : counts) {
    if (!joined.empty()) joined += ", ";
    joined += version + " (" + std::to_string(n) + " proxies)";
  }
  return joined;
}

std::string JoinVersions(const VersionCounts& counts) {
  std::string joined;
  for (const auto& entry : counts) joined += (joined.empty() ? "" : ", ") + entry.first;
  return joined;
}

}  // namespace

std::string ClientVersion() {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    std::string path(exe, static_cast<size_t>(n));
    std::ifstream in(path.substr(0, path.rfind('/') + 1) + "istioctl.version");
    std::string version;
    if (in && std::getline(in, version)) {
      while (!version.empty() && isspace(static_cast<unsigned char>(version.back()))) {
        version.pop_back();
      }
      if (!version.empty()) return version;
    }
  }
  return kDefaultClientVersion;
}

int RunVersion(const IstioctlArgs& args, const std::string& client_version, std::ostream& out,
               std::ostream& errs) {
  if (!args.remote) {
    out << client_version << "\n";
    return 0;
  }
  out << "client version: " << client_version << "\n";
  ClusterEndpoint endpoint;
  std::string err;
  if (!ResolveCluster(args.kubeconfig, args.context, &endpoint, &err)) {
    errs << "Error: " << err << "\n";
    return 1;
  }
  ClusterClient client(endpoint);
  nlohmann::json control_pods, all_pods;
  if (!client.GetJson("/api/v1/namespaces/istio-system/pods", &control_pods, &err) ||
      !client.GetJson("/api/v1/pods", &all_pods, &err)) {
    errs << "Error: " << err << "\n";
    return 1;
  }
  VersionCounts control = ControlPlaneVersions(control_pods);
  VersionCounts data = DataPlaneVersions(all_pods);
  if (control.empty()) {
    errs << "no running Istio pods in \"istio-system\"\n";
  } else {
    out << "control plane version: " << JoinVersions(control) << "\n";
  }
  out << "data plane version: " << (data.empty() ? "none" : JoinCounts(data)) << "\n";
  return 0;
}

}  // namespace asmplan::sandbox::istioctl
