// How a step's session ends (succeeded, skipped, failed, awaiting, abandoned), and how each
// transition reaches the journal and the reporter, redacted.
#include "runtime/executor_impl.h"

namespace asmplan {

void Executor::Impl::Record(int i) {
  JournalRecord r;
  r.kind = JournalRecord::Kind::kStep;
  r.wall_ms = env_.clock->WallMs();
  r.step = plan_.steps[i].id;
  r.record = runs_[i].record;
  r.record.message = secrets_.Redact(r.record.message);
  env_.journal->Append(r);
}

void Executor::Impl::Emit(ExecEvent::Type type, int i, const std::string& message,
                          std::vector<std::string> details) {
  const StepRun& run = runs_[i];
  ExecEvent e;
  e.type = type;
  e.step = plan_.steps[i].id;
  e.wall_ms = env_.clock->WallMs();
  e.elapsed_ms = env_.clock->NowMs() - run.started_ms;
  e.attempt = run.record.attempts;
  e.exit_code = run.record.exit_code;
  e.message = secrets_.Redact(message);
  for (std::string& d : details) d = secrets_.Redact(d);
  e.details = std::move(details);
  if (type == ExecEvent::Type::kStepFailed || type == ExecEvent::Type::kAttemptFailed) {
    e.log_path = AbsLog(i);
  }
  env_.reporter->OnEvent(e);
}

void Executor::Impl::Succeed(int i, StepState state, const std::string& message) {
  StepRun& run = runs_[i];
  run.record.state = state;
  if (!run.ran_commands && run.initial != StepState::kRunning)
    run.record.started_ms = run.began_wall_ms;  // guards only: this session's, not an older one
  run.record.ended_ms = env_.clock->WallMs();
  run.record.message = message;
  Record(i);
  Emit(state == StepState::kSkipped ? ExecEvent::Type::kStepSkipped
                                    : ExecEvent::Type::kStepSucceeded,
       i, message);
  run.phase = Phase::kEnded;
  live_.erase(i);
  sched_.Finish(i, true);
}

void Executor::Impl::Fail(int i, const std::string& message, int exit_code) {
  StepRun& run = runs_[i];
  run.record.state = StepState::kFailed;
  if (!run.ran_commands && run.initial != StepState::kRunning)
    run.record.started_ms = run.began_wall_ms;  // guards only: this session's, not an older one
  run.record.ended_ms = env_.clock->WallMs();
  run.record.message = message;
  if (exit_code != -1) run.record.exit_code = exit_code;
  // The summary names the log: a failure that no command or fetch wrote there (a guard's) goes
  // there too, so the log exists and says why.
  if (run.phase != Phase::kCommands && run.phase != Phase::kFetch)
    AppendToLog(i, "== " + secrets_.Redact(message) + "\n");
  Record(i);
  Emit(ExecEvent::Type::kStepFailed, i, message);
  failed_ = true;
  const std::string& id = plan_.steps[i].id;
  result_.failed.push_back(id);
  result_.summary +=
      "step `" + id + "` failed: " + secrets_.Redact(message) + "\n  log: " + AbsLog(i) + "\n";
  run.phase = Phase::kEnded;
  live_.erase(i);
  sched_.Finish(i, false);
}

void Executor::Impl::Await(int i, StepState state, const std::string& message) {
  StepRun& run = runs_[i];
  // An undecided interrupted step keeps its `running` record, so the next resume settles it again.
  if (state != StepState::kRunning) {
    run.record.state = state;
    run.record.message = message;
    Record(i);
  } else {
    held_ = true;
  }
  Emit(ExecEvent::Type::kStepAwaiting, i, message);
  result_.awaiting.push_back(plan_.steps[i].id);
  result_.summary += secrets_.Redact(message) + "\n";
  run.phase = Phase::kEnded;
  live_.erase(i);
  sched_.Finish(i, false);
}

void Executor::Impl::Abandon(int i) {
  // The journal keeps the step's last record: pending or failed if nothing ran this session,
  // running if a command did (resume waits again if its commands had completed, else settles it
  // by its verify guards).
  StepRun& run = runs_[i];
  run.phase = Phase::kEnded;
  live_.erase(i);
  sched_.Finish(i, false);
  // A step resumed into its waits ran no command this session, but its record says it did.
  const bool waiting = run.record.state == StepState::kRunning && run.record.exit_code == 0;
  const char* what = waiting ? "stopped after its commands; resume waits and verifies again"
                     : !run.ran_commands          ? "not started"
                     : plan_.steps[i].run.empty() ? "stopped while fetching; resume fetches again"
                     : !plan_.steps[i].verify.empty()
                         ? "stopped; resume settles it by its verify guards"
                         : "stopped; resume runs it again if it is idempotent "
                           "or retried, and asks otherwise";
  Emit(ExecEvent::Type::kNote, i, what);
}

}  // namespace asmplan
