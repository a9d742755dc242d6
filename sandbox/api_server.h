// The Kubernetes API of one simulated cluster, served over cpp-httplib: /version, discovery,
// CRUD with selectors and Table output, watches, and request accounting with fault injection.
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>

#include "sandbox/api_path.h"
#include "sandbox/cluster.h"
#include "sandbox/request_stats.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace asmplan::sandbox {

class ApiServer {
 public:
  ApiServer(Cluster& cluster, RequestStats& stats) : cluster_(cluster), stats_(stats) {}

  /// Registers the API routes and the pre-routing hook (counting, slow responses, 5xx faults).
  void Register(httplib::Server& server);

 private:
  void Handle(const httplib::Request& req, httplib::Response& res);
  void HandleResource(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  void List(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  void GetOne(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  void Create(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  void Replace(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  void Patch(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  void DeleteOne(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  void DeleteCollection(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  void Watch(const ApiPath& path, const httplib::Request& req, httplib::Response& res);
  /// True (and a response written) when a fault answers this request instead of the API.
  bool InjectFault(const httplib::Request& req, httplib::Response& res);

  Cluster& cluster_;
  RequestStats& stats_;
  std::atomic<int> open_watches_{0};
};

/// Writes a JSON body (`application/json`) with the status code.
void SendJson(httplib::Response& res, int status, const std::string& body);
/// Writes a Kubernetes Status object for the error.
void SendError(httplib::Response& res, const ApiError& error);

}  // namespace asmplan::sandbox
