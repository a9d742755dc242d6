#include "sandbox/istioctl/cluster_client.h"

#include <httplib.h>

#include <chrono>
#include <thread>

namespace asmplan::sandbox::istioctl {
namespace {

constexpr int kAttempts = 4;
constexpr auto kRetryPause = std::chrono::milliseconds(250);

/// httplib names its errors tersely ("Connection"); say what happened.
std::string Describe(httplib::Error error) {
  if (error == httplib::Error::Connection) return "connect: connection refused";
  if (error == httplib::Error::Read) return "the connection closed before a reply";
  return httplib::to_string(error);
}

}  // namespace

ClusterClient::ClusterClient(const ClusterEndpoint& endpoint) : token_(endpoint.token) {
  // server is scheme://host:port[/prefix]; httplib wants the first part alone.
  size_t scheme_end = endpoint.server.find("://");
  size_t path_start =
      endpoint.server.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  base_url_ = endpoint.server.substr(0, path_start);
  if (path_start != std::string::npos) path_prefix_ = endpoint.server.substr(path_start);
  while (!path_prefix_.empty() && path_prefix_.back() == '/') path_prefix_.pop_back();
  client_ = std::make_unique<httplib::Client>(base_url_);
  client_->set_connection_timeout(5);
  client_->set_read_timeout(60);
}

ClusterClient::~ClusterClient() = default;

bool ClusterClient::GetJson(const std::string& path, nlohmann::json* reply, std::string* err) {
  return Call("GET", path, nullptr, reply, err);
}

bool ClusterClient::PostJson(const std::string& path, const nlohmann::json& body,
                             nlohmann::json* reply, std::string* err) {
  const std::string text = body.dump();
  return Call("POST", path, &text, reply, err);
}

bool ClusterClient::Call(const std::string& method, const std::string& path,
                         const std::string* body, nlohmann::json* reply, std::string* err) {
  httplib::Headers headers = {{"Accept", "application/json"}};
  if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
  const std::string full_path = path_prefix_ + path;
  const std::string what = method + " \"" + base_url_ + full_path + "\"";
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(kRetryPause);
    httplib::Result res =
        body == nullptr ? client_->Get(full_path.c_str(), headers)
                        : client_->Post(full_path.c_str(), headers, *body, "application/json");
    if (!res) {
      *err = what + ": " + Describe(res.error());
      continue;
    }
    if (res->status >= 500) {
      *err = what + ": the server answered " + std::to_string(res->status) + ": " + res->body;
      continue;
    }
    if (res->status >= 300) {
      *err = what + ": the server answered " + std::to_string(res->status) + ": " + res->body;
      return false;
    }
    *reply = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (reply->is_discarded()) {
      *err = what + ": the reply is not JSON";
      return false;
    }
    return true;
  }
  return false;
}

}  // namespace asmplan::sandbox::istioctl
