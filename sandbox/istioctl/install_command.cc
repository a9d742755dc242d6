#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <ostream>
#include <thread>
#include <vector>

#include "sandbox/istioctl/cluster_client.h"
#include "sandbox/istioctl/istioctl_commands.h"
#include "sandbox/istioctl/mesh_pods.h"

namespace asmplan::sandbox::istioctl {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(250);
constexpr char kControlPods[] = "/api/v1/namespaces/istio-system/pods";

struct Component {
  const char* title;     ///< as the real istioctl names it in its progress lines
  const char* app;       ///< the pods' app label
  const char* resource;  ///< what it says it waits for
  bool required;         ///< waited for even when no pod of it exists yet
};

constexpr Component kComponents[] = {
    {"Istiod", "istiod", "Deployment/istio-system/istiod", true},
    {"Ingress gateways", "istio-ingressgateway", "Deployment/istio-system/istio-ingressgateway",
     false},
};

/// Checks each -f file is a readable YAML document; an IstioOperator's spec.profile is used
/// when no --set profile=P was given, as the real istioctl does.
bool ReadValueFiles(const IstioctlArgs& args, std::string* profile, std::string* err) {
  for (const std::string& file : args.files) {
    std::ifstream in(file);
    if (!in) {
      std::string why = std::strerror(errno);
      if (!why.empty()) why[0] = static_cast<char>(std::tolower(why[0]));
      *err = "open " + file + ": " + why;
      return false;
    }
    try {
      YAML::Node doc = YAML::Load(in);
      YAML::Node spec_profile = doc["spec"]["profile"];
      if (!args.profile_set && spec_profile && spec_profile.IsScalar()) {
        *profile = spec_profile.as<std::string>();
      }
    } catch (const YAML::Exception& e) {
      *err = "could not parse " + file + ": " + e.what();
      return false;
    }
  }
  return true;
}

/// Polls the control-plane pods until every component is ready at `version` or time runs out;
/// prints each component as it becomes ready. Returns the components that never did.
std::vector<const Component*> WaitForComponents(ClusterClient& client, const std::string& version,
                                                double timeout_s, std::ostream& out) {
  std::vector<const Component*> waiting;
  for (const Component& c : kComponents) waiting.push_back(&c);
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  bool announced = false;
  while (!waiting.empty()) {
    nlohmann::json pods;
    std::string err;
    // A failed poll (the sandbox injecting API errors) is retried until the deadline.
    if (client.GetJson(kControlPods, &pods, &err)) {
      while (!waiting.empty()) {
        ComponentState state = MeasureComponent(pods, waiting.front()->app, version);
        bool skip = !waiting.front()->required && state.pods == 0;
        if (!skip && !state.Ready()) break;
        if (!skip) out << "\u2714 " << waiting.front()->title << " installed\n" << std::flush;
        waiting.erase(waiting.begin());
        announced = false;
      }
    }
    if (waiting.empty() || Clock::now() >= deadline) break;
    if (!announced) {
      out << "- Processing resources for " << waiting.front()->title << ". Waiting for "
          << waiting.front()->resource << "\n"
          << std::flush;
      announced = true;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return waiting;
}

}  // namespace

int RunInstall(const IstioctlArgs& args, const std::string& client_version, std::ostream& out,
               std::ostream& errs) {
  std::string profile = args.profile;
  std::string err;
  ClusterEndpoint endpoint;
  if (!ReadValueFiles(args, &profile, &err) ||
      !ResolveCluster(args.kubeconfig, args.context, &endpoint, &err)) {
    errs << "Error: " << err << "\n";
    return 1;
  }
  ClusterClient client(endpoint);
  nlohmann::json body = {
      {"version", client_version}, {"profile", profile}, {"flags", args.install_flags}};
  nlohmann::json reply;
  if (!client.PostJson("/sandbox/istio/install", body, &reply, &err)) {
    errs << "Error: failed to install manifests: " << err << "\n";
    return 1;
  }
  out << "\u2714 Istio core installed\n" << std::flush;
  auto not_ready = WaitForComponents(client, client_version, args.readiness_timeout_s, out);
  for (const Component* c : not_ready) {
    out << "\u2718 " << c->title
        << " encountered an error: failed to wait for resource: resources not ready after "
        << FormatGoDuration(args.readiness_timeout_s) << ": timed out waiting for the condition\n"
        << c->resource << "\n";
  }
  if (!not_ready.empty()) {
    errs << "Error: failed to install manifests: errors occurred during operation\n";
    return 1;
  }
  out << "\u2714 Installation complete\n";
  return 0;
}

std::string FormatGoDuration(double seconds) {
  if (seconds > 0 && seconds < 1) {
    return std::to_string(static_cast<long>(seconds * 1000 + 0.5)) + "ms";
  }
  long total = static_cast<long>(seconds + 0.5);
  long h = total / 3600, m = total / 60 % 60, s = total % 60;
  std::string text;
  if (h > 0) text += std::to_string(h) + "h";
  if (h > 0 || m > 0) text += std::to_string(m) + "m";
  return text + std::to_string(s) + "s";
}

}  // namespace asmplan::sandbox::istioctl
