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
  explicit JsonEventsReporter(std::FILE* out) : out_(out) {}
  ~JsonEventsReporter() override { std::fclose(out_); }
  void OnEvent(const ExecEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = EventJson(e) + "\n";
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  }

 private:
  std::mutex mu_;
  std::FILE* out_;
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
  return std::make_unique<JsonEventsReporter>(out);
}

}  // namespace asmplan
