// The executor: runs a compiled plan's steps as argv subprocesses through a CommandRunner, checks
// their guards through a GuardEvaluator, and journals every transition durably.
//
// The scheduling state is touched only in turns, one at a time (on the main thread, or on a worker
// whose job just ended); a pool of `jobs` worker threads runs the blocking work (command attempts,
// fetches). Per step: require -> skip if -> confirm -> fetch -> commands (with
// retry and backoff) -> wait until (polled) -> verify. Each poll tick asks the GuardEvaluator
// once for every guard that is due, so queries over one resource kind are shared.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/plan_model.h"
#include "runtime/artifact/artifact_fetcher.h"
#include "runtime/checkpoint_journal.h"
#include "runtime/clock.h"
#include "runtime/command_runner.h"
#include "runtime/guard_evaluator.h"
#include "runtime/progress_reporter.h"
#include "runtime/secrets.h"
#include "runtime/step_state.h"

namespace asmplan {

/// Asks an operator at a `confirm` gate.
class Confirmer {
 public:
  virtual ~Confirmer() = default;
  /// True when there is someone to ask (a terminal on stdin).
  virtual bool CanAsk() = 0;
  /// Asks "STEP: QUESTION [y/N]"; true only for yes. Called on a worker thread while the run
  /// goes on, one question at a time; returns false unanswered once `withdrawn` is set (the run
  /// was interrupted or stopped starting steps meanwhile).
  virtual bool Ask(const std::string& step, const std::string& question,
                   const std::atomic<bool>& withdrawn) = 0;
};

/// The side effects an executor uses; none is owned. `fetcher` and `confirmer` may be null.
struct ExecutorEnv {
  CommandRunner* runner = nullptr;
  Clock* clock = nullptr;
  GuardEvaluator* guards = nullptr;
  ArtifactFetcher* fetcher = nullptr;
  ProgressReporter* reporter = nullptr;
  Confirmer* confirmer = nullptr;
  JournalWriter* journal = nullptr;
  const Secrets* secrets = nullptr;  ///< null = the plan has no secrets
  /// The flag guard queries stop on, if any: Interrupt() sets it after it records the signal and
  /// before it signals commands, so a query that saw it unset and is starting is signalled with
  /// them (the runner's cancel protocol).
  std::atomic<bool>* interrupted = nullptr;
};

struct ExecutorOptions {
  std::string state_dir;           ///< logs in STATE/logs, commands run in STATE/workspace
  int jobs = 1;                    ///< steps active at once (a step waiting on a guard counts)
  bool assume_yes = false;         ///< --yes: every confirm gate proceeds
  std::set<std::string> approved;  ///< --approve STEP
  std::map<std::string, std::string> env;  ///< added to every command's environment
  std::string session = "run";             ///< "run" or "resume": journaled and reported
  /// This boot's ID (BootId()), journaled with the session; "" when unknown, or when the journal
  /// is older than v3. Only with it are steps armed (JournalRecord::kArm).
  std::string boot_id;
  /// How the operator continues this run, in messages: `asmplan resume --state-dir DIR`.
  std::string resume_command = "asmplan resume";
};

struct RunResult {
  enum class Outcome { kSucceeded, kFailed, kAwaiting, kInterrupted };
  Outcome outcome = Outcome::kSucceeded;
  std::vector<std::string> failed;    ///< steps that failed this session
  std::vector<std::string> awaiting;  ///< steps stopped at a gate or waiting for a decision
  std::string summary;                ///< for the operator: what failed, why, and its log
};

class Executor {
 public:
  Executor(const Plan& plan, ExecutorEnv env, ExecutorOptions options);
  ~Executor();

  /// Runs the plan starting from `initial` (the checkpoint's step records; missing = pending).
  /// Succeeded and skipped steps never run; failed and awaiting ones start again; a step that was
  /// running is settled by its `verify` guards first. Returns when nothing more can run.
  RunResult Run(const std::unordered_map<std::string, StepRecord>& initial);

  /// Thread-safe (a signal-watching thread calls it). The first call stops starting steps and
  /// sends SIGTERM to running commands; with `hard`, SIGKILL at once.
  void Interrupt(int signal, bool hard);

  /// The log path of `step`, relative to the state directory, distinct for distinct steps:
  /// "logs/<step>.log" with '[' as '.' and ']' dropped ("logs/restart.payments.log"); a name with
  /// other characters (replaced by '_') or longer than 120 gets "~" and 12 hex digits of its
  /// SHA-256 ("logs/w.a_b~5f0c…log").
  static std::string LogPathFor(const std::string& step);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace asmplan
