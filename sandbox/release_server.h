// The sandbox's release server: ASM release archives and their ECDSA signatures, as the seed's
// storage.googleapis.com/gke-release/asm/ serves them.
#pragma once

#include <string>

namespace httplib {
class Server;
}

namespace asmplan::sandbox {

struct ReleaseConfig {
  std::string istioctl_path;  ///< the simulated istioctl to pack as bin/istioctl
  std::string work_dir;       ///< where built archives are cached
};

/// Registers GET /releases/istio-<version>-<os>.tar.gz (.zip for win) and the same with .1.sig.
void RegisterReleaseRoutes(httplib::Server& server, const ReleaseConfig& config);

}  // namespace asmplan::sandbox
