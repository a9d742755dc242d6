// Command-line parsing for the simulated istioctl, with the messages of the real one (a cobra CLI).
#pragma once

#include <string>
#include <vector>

namespace asmplan::sandbox::istioctl {

/// What the command line asked for.
struct IstioctlArgs {
  std::string command;     ///< "install", "version", "help", or "" (no command: root help)
  bool help = false;       ///< -h/--help anywhere
  std::string kubeconfig;  ///< -c/--kubeconfig; "" means $KUBECONFIG or ~/.kube/config
  std::string context;     ///< --context; "" means the kubeconfig's current context

  // install
  std::string profile = "default";  ///< from `--set profile=P` (the last one wins)
  bool profile_set = false;         ///< whether a --set profile=P was given
  /// Every other --set and every -f, in order, as pairs: "--set", "K=V", "-f", "FILE".
  std::vector<std::string> install_flags;
  std::vector<std::string> files;    ///< -f/--filename, in order
  bool skip_confirmation = false;    ///< -y/--skip-confirmation
  double readiness_timeout_s = 300;  ///< --readiness-timeout (Go duration), default 5m

  // version
  bool remote = true;  ///< --remote=false prints only the client version
};

/// Parses argv[1..]; false with `err` holding the whole message the real istioctl prints
/// (e.g. "Error: unknown flag: --foo").
bool ParseIstioctlArgs(const std::vector<std::string>& args, IstioctlArgs* out, std::string* err);

/// Parses a Go duration such as "300s", "5m", "1m30s" or "500ms" into seconds.
bool ParseGoDuration(const std::string& text, double* seconds);

}  // namespace asmplan::sandbox::istioctl
