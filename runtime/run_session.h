// One `asmplan run` or `asmplan resume` over a state directory:
//
//   STATE/lock         flock, holder's pid and host        STATE/plan.yaml  the compiled plan
//   STATE/journal      the checkpoint journal               STATE/logs/      one log per step
//   STATE/workspace/   commands' working directory          STATE/cache/     downloads
//
// Sets the directory up (or checks it on resume: plan hash, changed steps, operator decisions
// --rerun / --mark-done), then hands the plan to the Executor.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/executor.h"

namespace asmplan {

enum class SessionStatus {
  kSucceeded,
  kFailed,       ///< a step failed, or an I/O error
  kInvalid,      ///< bad request: unknown step, missing secret, state directory in use for a run
  kAwaiting,     ///< stopped at a confirm gate or an operator decision
  kLocked,       ///< another executor holds the lock
  kPlanChanged,  ///< the plan differs from the run's
  kInterrupted,
};

/// What a session uses from outside; nothing is owned.
struct SessionServices {
  /// For the executor; the session sets `journal` and `secrets` itself (left null here).
  ExecutorEnv env;
  std::function<const char*(const char*)> getenv;  ///< for ASMPLAN_SECRET_*
  /// Called with the executor just before it runs and with nullptr after, so a signal watcher
  /// can reach it. May be empty.
  std::function<void(Executor*)> on_executor;
  /// Set once the operator interrupted (a signal): stops what the session waits for before the
  /// executor runs. May be null.
  const std::atomic<bool>* interrupted = nullptr;
};

struct RunRequest {
  std::string state_dir;
  int jobs = 1;
  bool assume_yes = false;
  std::set<std::string> approved;
};

struct ResumeRequest : RunRequest {
  const Plan* plan = nullptr;  ///< a plan given on the command line, compared with the run's
  bool accept_changes = false;
  std::vector<std::string> rerun;
  std::string mark_done;  ///< a step id, or ""
  std::string reason;
  bool force = false;
};

struct SessionResult {
  SessionStatus status = SessionStatus::kSucceeded;
  std::string message;  ///< for stderr: the run summary or why nothing ran
  std::string note;     ///< informational (lock taken over, changes accepted), or ""
};

/// Why `dir` cannot take a new run, or "" when it can: it is new, empty, or holds only what a run
/// killed before its journal existed leaves (its lock, then plan.yaml, and temporary files).
/// Anything else is a run, or someone's directory: a new run would overwrite its plan.yaml and
/// append to its logs. `run` and `run --dry-run` check with it.
std::string NotForNewRun(const std::string& dir);

/// Why `request` cannot be taken with `plan`: a --rerun or --mark-done step the plan does not have,
/// or an --approve naming no step with a confirm gate ("--rerun: the plan has no step `x`"); ""
/// when every name is sound (and no step is named by both --rerun and --mark-done). Resume and
/// `resume --dry-run` check with it.
std::string UnknownStepError(const Plan& plan, const ResumeRequest& request);

/// Reads the plan of the run in `dir` that its journal is bound to (`bound_sha`): plan.yaml, or
/// plan.next.yaml when a crash came between the journal's --accept-changes record and the rename
/// that makes it plan.yaml (`*pending` says which). False with the reason in `err`: unreadable,
/// not a compiled plan, or not the run's plan.
bool ReadStoredPlan(const std::string& dir, const std::string& bound_sha, Plan* plan, bool* pending,
                    std::string* err);

/// Starts a new run of `plan` (whose canonical text is `plan_text`) in request.state_dir.
/// Refuses a state directory that already holds a run.
SessionResult StartRun(const Plan& plan, const std::string& plan_text, const RunRequest& request,
                       const SessionServices& services);

/// Continues the run in request.state_dir.
SessionResult ResumeRun(const ResumeRequest& request, const SessionServices& services);

}  // namespace asmplan
