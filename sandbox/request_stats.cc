#include "sandbox/request_stats.h"

#include <algorithm>

namespace asmplan::sandbox {

using nlohmann::json;

void RequestStats::Record(const std::string& method, const std::string& path,
                          const std::string& query) {
  std::lock_guard<std::mutex> lock(mu_);
  ++total_;
  ++by_endpoint_[method + " " + path];
  log_.push_back({method, path, query});
}

void RequestStats::RecordTiming(const std::string& method, const std::string& path, double ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing& t = timing_[method + " " + path];
  ++t.count;
  t.total_ms += ms;
  t.max_ms = std::max(t.max_ms, ms);
  t.last_ms = ms;
}

json RequestStats::Counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  json timing = json::object();
  for (const auto& [key, t] : timing_) {
    timing[key] = {{"count", t.count},
                   {"total", t.total_ms},
                   {"mean", t.count ? t.total_ms / t.count : 0.0},
                   {"max", t.max_ms},
                   {"last", t.last_ms}};
  }
  return {{"total", total_}, {"by_endpoint", by_endpoint_}, {"timing_ms", timing}};
}

json RequestStats::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  json out = json::array();
  for (const Entry& e : log_) {
    out.push_back({{"method", e.method}, {"path", e.path}, {"query", e.query}});
  }
  return out;
}

void RequestStats::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  total_ = 0;
  by_endpoint_.clear();
  timing_.clear();
  log_.clear();
}

}  // namespace asmplan::sandbox
