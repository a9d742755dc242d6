#include "runtime/step_state.h"

namespace asmplan {
namespace {

constexpr const char* kNames[] = {"pending", "running", "succeeded",
                                  "failed",  "skipped", "awaiting-confirmation"};

}  // namespace

const char* StepStateName(StepState state) { return kNames[static_cast<int>(state)]; }

bool ParseStepState(std::string_view text, StepState* state) {
  for (int i = 0; i < 6; ++i) {
    if (text == kNames[i]) {
      *state = static_cast<StepState>(i);
      return true;
    }
  }
  return false;
}

bool operator==(const StepRecord& a, const StepRecord& b) {
  return a.state == b.state && a.attempts == b.attempts && a.started_ms == b.started_ms &&
         a.ended_ms == b.ended_ms && a.exit_code == b.exit_code && a.log_path == b.log_path &&
         a.message == b.message;
}

}  // namespace asmplan
