#include "runtime/progress_reporter.h"

namespace asmplan {
namespace {

constexpr const char* kNames[] = {
    "run_started", "step_started", "step_skipped",   "attempt_started", "attempt_failed",
    "fetch_stage", "waiting",      "step_succeeded", "step_failed",     "step_awaiting",
    "note",        "interrupted",  "run_finished"};

class TeeReporter : public ProgressReporter {
 public:
  explicit TeeReporter(std::vector<std::unique_ptr<ProgressReporter>> reporters)
      : reporters_(std::move(reporters)) {}
  void OnEvent(const ExecEvent& e) override {
    for (auto& r : reporters_) r->OnEvent(e);
  }
  void OnTick(Millis wall_ms) override {
    for (auto& r : reporters_) r->OnTick(wall_ms);
  }
  void Pause() override {
    for (auto& r : reporters_) r->Pause();
  }
  void Resume() override {
    for (auto& r : reporters_) r->Resume();
  }
  std::string Problem() const override {
    std::string all;
    for (const auto& r : reporters_) {
      std::string one = r->Problem();
      if (!one.empty()) all += (all.empty() ? "" : "; ") + one;
    }
    return all;
  }

 private:
  std::vector<std::unique_ptr<ProgressReporter>> reporters_;
};

}  // namespace

const char* EventTypeName(ExecEvent::Type type) { return kNames[static_cast<int>(type)]; }

std::unique_ptr<ProgressReporter> NewTeeReporter(
    std::vector<std::unique_ptr<ProgressReporter>> reporters) {
  return std::make_unique<TeeReporter>(std::move(reporters));
}

}  // namespace asmplan
