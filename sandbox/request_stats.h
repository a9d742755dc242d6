// Counts and logs the API requests a server answered, with how long each endpoint took to
// handle (GET /sandbox/requests, /sandbox/request-log).
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace asmplan::sandbox {

class RequestStats {
 public:
  /// Records one request. `path` keeps namespace and object names as they are.
  void Record(const std::string& method, const std::string& path, const std::string& query);
  /// Adds the server-side handling time of one request to its endpoint's figures.
  void RecordTiming(const std::string& method, const std::string& path, double ms);
  /// `{"total": N, "by_endpoint": {"GET /api/v1/pods": 3}, "timing_ms": {...}}`.
  nlohmann::json Counts() const;
  /// `[{"method","path","query"}, ...]` in arrival order.
  nlohmann::json Log() const;
  void Reset();

 private:
  struct Timing {
    int count = 0;
    double total_ms = 0;
    double max_ms = 0;
    double last_ms = 0;
  };
  struct Entry {
    std::string method, path, query;
  };
  mutable std::mutex mu_;
  long total_ = 0;
  std::map<std::string, long> by_endpoint_;
  std::map<std::string, Timing> timing_;
  std::vector<Entry> log_;
};

}  // namespace asmplan::sandbox
