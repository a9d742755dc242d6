// The sandbox's release server: ASM release archives and their ECDSA signatures, as the seed's
// storage.googleapis.com/gke-release/asm/ serves them.
#pragma once

#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace asmplan::sandbox {

struct ReleaseConfig {
  std::string istioctl_path;  ///< the simulated istioctl to pack as bin/istioctl
  std::string work_dir;  ///< where built archives are also written; "" keeps them in memory only
  /// The versions served; any other version is a 404.
  std::vector<std::string> versions = {"1.5.10-asm.2", "1.6.14-asm.1"};
};

/// Registers GET /releases/istio-<version>-<os>.tar.gz (.zip for win) and the same with .1.sig.
/// Each archive is built on first request and kept, so its signature always matches the bytes
/// served; the signature is DER ECDSA P-256 over SHA-256 (sandbox/release_key.h). Range requests
/// get 206 with the requested slice.
void RegisterReleaseRoutes(httplib::Server& server, const ReleaseConfig& config);

}  // namespace asmplan::sandbox
