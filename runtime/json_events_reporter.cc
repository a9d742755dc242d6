#include "runtime/json_events_reporter.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

namespace asmplan {
namespace {

class JsonEventsReporter : public ProgressReporter {
 public:
  JsonEventsReporter(std::FILE* out, std::string path) : out_(out), path_(std::move(path)) {}
  ~JsonEventsReporter() override { std::fclose(out_); }
  void OnEvent(const ExecEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++events_;
    // After a failed write nothing more is written: a later line would follow a partial one.
    if (!problem_.empty()) return;
    std::string line = EventJson(e) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), out_) != line.size() || std::fflush(out_) != 0) {
      const int error = errno;
      problem_ = "events file " + path_ + " is incomplete: writing event " +
                 std::to_string(events_) + " failed (" + std::strerror(error) +
                 "), and no later event was written";
    }
  }
  std::string Problem() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return problem_;
  }

 private:
  mutable std::mutex mu_;
  std::FILE* out_;
  const std::string path_;
  size_t events_ = 0;
  std::string problem_;
};

}  // namespace

std::string EventJson(const ExecEvent& e) {
  nlohmann::ordered_json j;
  j["event"] = EventTypeName(e.type);
  j["step"] = e.step;
  j["time_ms"] = e.wall_ms;
  j["elapsed_ms"] = e.elapsed_ms;
  // run_started carries the plan's step count in `attempt`; it is written as "steps".
  bool started = e.type == ExecEvent::Type::kRunStarted;
  j["attempt"] = started ? 0 : e.attempt;
  if (started) j["steps"] = e.attempt;
  j["exit_code"] = e.exit_code;
  j["message"] = e.message;
  j["details"] = e.details;
  j["log"] = e.log_path;
  // Output of arbitrary commands may hold invalid UTF-8: replace it rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::unique_ptr<ProgressReporter> NewJsonEventsReporter(const std::string& path, std::string* err) {
  std::FILE* out = std::fopen(path.c_str(), "ae");
  if (!out) {
    *err = "cannot open events file " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::make_unique<JsonEventsReporter>(out, path);
}

}  // namespace asmplan
