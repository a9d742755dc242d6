// Plain settings a simulated cluster runs with: timings, fault switches and the mesh's state.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace asmplan::sandbox {

/// How fast things happen. Short by default so demos and tests run quickly.
struct Timings {
  int tick_ms = 100;         ///< controller loop period
  int pod_pending_ms = 200;  ///< creation -> scheduled (STATUS Pending, then ContainerCreating)
  int pod_start_ms = 1000;   ///< creation -> containers running
  int pod_ready_ms = 500;    ///< running -> ready
  int termination_grace_ms = 2000;  ///< Terminating -> gone
  int crashloop_restart_ms = 3000;  ///< interval between restarts of a crash-looping sidecar
  int initial_age_s = 1500;         ///< age the scenario's starting objects show (25m)
};

/// The api_warnings fault's text unless one is given: a deprecation warning as real servers send.
inline constexpr const char* kDefaultWarning =
    "policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+";

/// The longest slow_responses delay the admin endpoint accepts (10 minutes).
inline constexpr long long kMaxSlowDelayMs = 600'000;

/// Fault injection, switched by the scenario and the admin endpoint. Namespace sets hold "*"
/// for "every namespace".
struct FaultState {
  std::set<std::string> never_ready;        ///< pods not yet ready never get ready sidecars
  std::set<std::string> crashloop_sidecar;  ///< pods not yet ready crash-loop their istio-proxy
  std::set<std::string> stuck_terminating;  ///< terminating pods never go away
  double api_error_rate = 0;                ///< share of API requests answered with a 500
  std::string api_error_namespace;          ///< "" = every request
  int slow_delay_ms = 0;                    ///< added to every API request
  std::string slow_namespace;               ///< "" = every request
  /// Sent as a `Warning: 299 - "TEXT"` header on resource responses (kubectl prints it on
  /// stderr, as it does for a real API server's deprecation warnings); "" = none.
  std::string warning_text;
  std::string warning_namespace;  ///< "" = every request

  /// True when the namespace (or "*") is in the set.
  static bool Has(const std::set<std::string>& set, const std::string& ns) {
    return set.count(ns) || set.count("*");
  }
};

/// The installed control plane, as istioctl install leaves it.
struct MeshState {
  bool enabled = true;  ///< false for the admin cluster: no istio-system, no injection
  std::string version = "1.6.14-asm.1";
  std::string profile = "asm-multicloud";
  std::vector<std::string> flags;
};

}  // namespace asmplan::sandbox
