// The simulated istioctl's commands. Each returns the process exit code (0 ok, 1 error) and
// writes what the real istioctl would: progress to `out`, "Error: ..." to `errs`.
#pragma once

#include <iosfwd>
#include <string>

#include "sandbox/istioctl/istioctl_args.h"

namespace asmplan::sandbox::istioctl {

/// The version compiled in, for an istioctl not unpacked from a sandbox release.
inline constexpr const char kDefaultClientVersion[] = "1.6.14-asm.1";

/// The client version: the first line of `istioctl.version` beside this executable (the release
/// server packs one into each release's bin/), else kDefaultClientVersion.
std::string ClientVersion();

/// `istioctl install`: asks the sandbox to replace the control plane with `client_version`, then
/// waits (up to --readiness-timeout) until the new istiod and gateway pods are ready.
int RunInstall(const IstioctlArgs& args, const std::string& client_version, std::ostream& out,
               std::ostream& errs);

/// `istioctl version`: client, control plane and data plane versions.
int RunVersion(const IstioctlArgs& args, const std::string& client_version, std::ostream& out,
               std::ostream& errs);

/// The help text of `command` ("" for the root command).
void PrintHelp(const std::string& command, std::ostream& out);

/// Formats seconds the way Go prints a time.Duration ("5m0s", "2s", "500ms").
std::string FormatGoDuration(double seconds);

}  // namespace asmplan::sandbox::istioctl
