// What the executor tells the outside world, behind an interface (as ninja's Status): the
// terminal live view, the one-line-per-event printer and the JSON events file implement it.
// Everything in an event is already redacted of secrets.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/plan_model.h"

namespace asmplan {

struct ExecEvent {
  enum class Type {
    kRunStarted,      ///< message: "run" or "resume"; attempt = steps in the plan
    kStepStarted,     ///< a step left pending
    kStepSkipped,     ///< `skip if` held (message: the guard)
    kAttemptStarted,  ///< attempt N of the commands
    kAttemptFailed,   ///< message says why and whether it retries
    kFetchStage,      ///< message: the fetch stage
    kWaiting,         ///< a guard does not hold yet: message = guard, details = why
    kStepSucceeded,
    kStepFailed,    ///< message says why; log_path names the log
    kStepAwaiting,  ///< stopped at a confirm gate or an operator decision
    kNote,          ///< anything else worth a line (settled by verify, lock taken over, ...)
    kInterrupted,   ///< a signal stopped the run
    kRunFinished,   ///< message: "succeeded", "failed", "awaiting", "interrupted"
  };
  Type type = Type::kNote;
  std::string step;
  Millis wall_ms = 0;     ///< when it happened
  Millis elapsed_ms = 0;  ///< since the step (or run) started
  int attempt = 0;
  int exit_code = -1;
  std::string message;
  std::vector<std::string> details;
  std::string log_path;
};

/// "run_started", "step_started", ...: the `event` field of the JSON lines.
const char* EventTypeName(ExecEvent::Type type);

class ProgressReporter {
 public:
  virtual ~ProgressReporter() = default;
  virtual void OnEvent(const ExecEvent& event) = 0;
  /// Called about once a second while steps run, so a live view can update elapsed times.
  virtual void OnTick(Millis /*wall_ms*/) {}
  /// Called before and after a confirmation prompt takes the terminal.
  virtual void Pause() {}
  virtual void Resume() {}
  /// What went wrong writing events that someone relies on (a file, not a terminal), or "".
  virtual std::string Problem() const { return ""; }
};

/// Forwards every call to each of `reporters` in order.
std::unique_ptr<ProgressReporter> NewTeeReporter(
    std::vector<std::unique_ptr<ProgressReporter>> reporters);

}  // namespace asmplan
