// Building the ASM release archives the sandbox's release server hands out.
#pragma once

#include <string>

namespace asmplan::sandbox {

/// One release file name, split: istio-<version>-<os>.tar.gz (os linux, osx) or
/// istio-<version>-win.zip.
struct ReleaseName {
  std::string version;  ///< e.g. "1.5.10-asm.2"
  std::string os;       ///< "linux", "osx" or "win"
};

/// Splits an archive file name; false if it is not one of the three release forms.
bool ParseReleaseName(const std::string& file_name, ReleaseName* name);

/// The archive file name for `name` (the inverse of ParseReleaseName).
std::string ReleaseFileName(const ReleaseName& name);

/// Builds the archive in memory: istio-<version>/bin/istioctl (the file at `istioctl_path`, mode
/// 0755; win also gets bin/istioctl.exe), bin/istioctl.version (the version), samples/README and
/// manifests/profiles/asm-multicloud.yaml. A gzip'd tar, or a zip for win.
bool BuildReleaseArchive(const ReleaseName& name, const std::string& istioctl_path,
                         std::string* archive, std::string* err);

}  // namespace asmplan::sandbox
