#include "sandbox/sandbox_summary.h"

#include <httplib.h>

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

bool FetchSandboxSummary(const std::string& user_server, std::string* summary, std::string* err) {
  httplib::Client client(user_server);
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  httplib::Result res = client.Get("/sandbox/state");
  if (!res) {
    *err = "GET " + user_server + "/sandbox/state: " +
           (res.error() == httplib::Error::Connection ? std::string("connection refused")
                                                      : httplib::to_string(res.error()));
    return false;
  }
  nlohmann::json state = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (res->status != 200 || !state.is_object()) {
    *err = "GET " + user_server + "/sandbox/state: status " + std::to_string(res->status);
    return false;
  }
  try {
    *summary = SummarizeSandboxState(state);
  } catch (const nlohmann::json::exception& e) {
    // A field of an unexpected type: say so rather than crash the status command.
    *err = "GET " + user_server + "/sandbox/state: unexpected reply: " + e.what();
    return false;
  }
  return true;
}

}  // namespace asmplan::sandbox
