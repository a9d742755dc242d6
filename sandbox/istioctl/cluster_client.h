// JSON over HTTP to the cluster a kubeconfig context names (the sandbox's API server).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sandbox/istioctl/kubeconfig.h"

namespace httplib {
class Client;
}

namespace asmplan::sandbox::istioctl {

class ClusterClient {
 public:
  explicit ClusterClient(const ClusterEndpoint& endpoint);
  ~ClusterClient();

  /// GETs `path` and parses the JSON reply. Connection failures and 5xx replies (the sandbox's
  /// injected API errors among them) are retried a few times before giving up.
  bool GetJson(const std::string& path, nlohmann::json* reply, std::string* err);

  /// POSTs `body` as JSON to `path` and parses the reply; retried like GetJson (a 5xx from the
  /// sandbox means the request was not carried out).
  bool PostJson(const std::string& path, const nlohmann::json& body, nlohmann::json* reply,
                std::string* err);

 private:
  bool Call(const std::string& method, const std::string& path, const std::string* body,
            nlohmann::json* reply, std::string* err);

  std::unique_ptr<httplib::Client> client_;
  std::string base_url_;     ///< scheme://host:port, for messages
  std::string path_prefix_;  ///< a server URL's own path ("" for the sandbox)
  std::string token_;
};

}  // namespace asmplan::sandbox::istioctl
