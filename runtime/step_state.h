// The recorded state of a step in a run: what the checkpoint journal stores and resume reads.
#pragma once

#include <string>
#include <string_view>

#include "compiler/plan_model.h"

namespace asmplan {

enum class StepState {
  kPending,               ///< not started yet
  kRunning,               ///< started; if the run died here, resume settles it by `verify`
  kSucceeded,             ///< done; never runs again
  kFailed,                ///< failed (exit code, timeout, guard); runs again on resume
  kSkipped,               ///< `skip if` held; never runs again
  kAwaitingConfirmation,  ///< stopped at a `confirm` gate nobody answered; asked again on resume
};

/// "pending", "running", "succeeded", "failed", "skipped", "awaiting-confirmation".
const char* StepStateName(StepState state);
/// The inverse of StepStateName; false for unknown text.
bool ParseStepState(std::string_view text, StepState* state);
/// True for succeeded and skipped: the states that release a step's dependents.
inline bool IsDone(StepState s) { return s == StepState::kSucceeded || s == StepState::kSkipped; }

/// One step's record. Times are wall-clock milliseconds since the epoch, 0 when unknown.
struct StepRecord {
  StepState state = StepState::kPending;
  int attempts = 0;  ///< command attempts (a fetch-only step: fetches) over all sessions of the run
  Millis started_ms = 0;  ///< when the step last started
  Millis ended_ms = 0;    ///< when it last reached a final state
  int exit_code = -1;     ///< of the last command attempt, -1 when none ended normally
  std::string log_path;   ///< relative to the state directory, e.g. "logs/use_context.log"
  std::string message;    ///< why it failed, was skipped or marked done ("" when nothing)
};

bool operator==(const StepRecord& a, const StepRecord& b);

}  // namespace asmplan
