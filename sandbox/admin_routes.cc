#include "sandbox/admin_routes.h"

#include <httplib.h>

#include "sandbox/api_server.h"

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

void SendAdminError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, json({{"error", message}}).dump());
}

bool ParseJsonBody(const httplib::Request& req, httplib::Response& res, json* out) {
  *out = json::parse(req.body, nullptr, false);
  if (out->is_object()) return true;
  SendAdminError(res, 400, "the request body must be a JSON object");
  return false;
}

json MeshJson(const MeshState& mesh) {
  return {{"version", mesh.version}, {"profile", mesh.profile}, {"flags", mesh.flags}};
}

void Install(Cluster& cluster, const httplib::Request& req, httplib::Response& res) {
  json body;
  if (!ParseJsonBody(req, res, &body)) return;
  if (!body.contains("version") || !body["version"].is_string() ||
      body["version"].get<std::string>().empty()) {
    return SendAdminError(res, 400, "an install request needs a string field \"version\"");
  }
  std::vector<std::string> flags;
  for (const json& f : body.value("flags", json::array())) {
    if (!f.is_string()) return SendAdminError(res, 400, "\"flags\" must be a list of strings");
    flags.push_back(f.get<std::string>());
  }
  std::lock_guard<std::mutex> lock(cluster.mu());
  if (!cluster.mesh().enabled) {
    return SendAdminError(res, 409,
                          "this is an admin cluster: Anthos Service Mesh is installed "
                          "on user clusters only");
  }
  cluster.InstallControlPlane(body["version"], body.value("profile", "default"), flags);
  SendJson(res, 200, MeshJson(cluster.mesh()).dump());
}

}  // namespace

void RegisterAdminRoutes(httplib::Server& server, Cluster& cluster, RequestStats& stats) {
  server.Get("/sandbox/state", [&cluster](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(cluster.mu());
    SendJson(res, 200, cluster.Snapshot().dump());
  });
  server.Get("/sandbox/requests", [&stats](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, stats.Counts().dump());
  });
  server.Get("/sandbox/request-log", [&stats](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, stats.Log().dump());
  });
  server.Post("/sandbox/requests/reset", [&stats](const httplib::Request&, httplib::Response& res) {
    stats.Reset();
    SendJson(res, 200, R"({"reset":true})");
  });
  server.Post("/sandbox/faults", [&cluster](const httplib::Request& req, httplib::Response& res) {
    json body;
    if (!ParseJsonBody(req, res, &body)) return;
    std::string err;
    std::lock_guard<std::mutex> lock(cluster.mu());
    if (!cluster.SetFault(body, &err)) return SendAdminError(res, 400, err);
    SendJson(res, 200, cluster.Snapshot()["faults"].dump());
  });
  server.Get("/sandbox/istio", [&cluster](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(cluster.mu());
    SendJson(res, 200, MeshJson(cluster.mesh()).dump());
  });
  server.Post("/sandbox/istio/install",
              [&cluster](const httplib::Request& req, httplib::Response& res) {
                Install(cluster, req, res);
              });
}

}  // namespace asmplan::sandbox
