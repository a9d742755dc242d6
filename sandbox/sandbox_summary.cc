#include "sandbox/sandbox_summary.h"

namespace asmplan::sandbox {

std::string SummarizeSandboxState(const nlohmann::json& state) {
  using nlohmann::json;
  const json mesh = state.value("mesh", json::object());
  std::string summary;
  if (mesh.value("enabled", true)) {
    summary += "mesh: " + mesh.value("version", std::string("?")) + ", profile " +
               mesh.value("profile", std::string("?")) + "\n";
  }
  long namespaces = 0, pods = 0, ready = 0, terminating = 0;
  const json all = state.value("namespaces", json::array());
  for (const json& ns : all.is_array() ? all : json::array()) {
    if (!ns.is_object()) continue;
    const json summary_of_pods = ns.value("pods", json::object());
    ++namespaces;
    pods += summary_of_pods.value("total", 0L);
    ready += summary_of_pods.value("ready", 0L);
    terminating += summary_of_pods.value("terminating", 0L);
  }
  summary += "workloads: " + std::to_string(namespaces) + " namespaces, " + std::to_string(pods) +
             " pods (" + std::to_string(ready) + " ready, " + std::to_string(terminating) +
             " terminating)\n";
  return summary;
}

}  // namespace asmplan::sandbox
