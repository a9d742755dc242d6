// Shared by the executor tests: a plan builder and an executor wired to fakes and a real journal
// in a temporary state directory.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/checkpoint_journal.h"
#include "runtime/executor.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_command_runner.h"
#include "tests/support/fake_guard_evaluator.h"
#include "tests/support/temp_dir.h"

namespace asmplan {

/// Records every event; thread-safe.
class RecordingReporter : public ProgressReporter {
 public:
  void OnEvent(const ExecEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events.push_back(e);
  }
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : events) {
      out.push_back(std::string(EventTypeName(e.type)) + " " + e.step + " " + e.message);
    }
    return out;
  }
  std::vector<ExecEvent> events;

 private:
  std::mutex mu_;
};

/// Runs commands through `inner`, then calls `hook` outside of the fake's lock (so the hook may
/// call back into the runner, e.g. through Executor::Interrupt). With `first`, the hook is called
/// before the command (and its on_started) instead; the command's result is returned then.
class HookedRunner : public CommandRunner {
 public:
  using Hook = std::function<bool(const CommandSpec&, CommandResult*)>;
  HookedRunner(CommandRunner& inner, Hook hook, bool first = false)
      : inner_(inner), hook_(std::move(hook)), first_(first) {}
  CommandResult Run(const CommandSpec& spec) override {
    CommandResult r;
    if (first_) hook_(spec, &r);
    r = inner_.Run(spec);
    if (!first_) hook_(spec, &r);
    return r;
  }
  void InterruptAll(int signal) override { inner_.InterruptAll(signal); }

 private:
  CommandRunner& inner_;
  Hook hook_;
  bool first_;
};

/// Answers confirm gates with a fixed answer and counts the questions.
class ScriptedConfirmer : public Confirmer {
 public:
  ScriptedConfirmer(bool can_ask, bool answer) : can_ask_(can_ask), answer_(answer) {}
  bool CanAsk() override { return can_ask_; }
  bool Ask(const std::string&, const std::string&, const std::atomic<bool>&) override {
    ++asked;
    return answer_;
  }
  int asked = 0;

 private:
  bool can_ask_, answer_;
};

inline Guard CommandGuard(const std::string& arg) {
  Guard g;
  g.kind = GuardKind::kCommandSucceeds;
  g.argv = {"check", arg};
  return g;
}

inline Guard PodsReady(const std::string& ns) {
  Guard g;
  g.kind = GuardKind::kPodsAllReady;
  g.ns = ns;
  return g;
}

inline Step MakeStep(const std::string& id, std::vector<std::string> after = {},
                     std::vector<std::vector<std::string>> run = {}) {
  Step s;
  s.id = id;
  s.after = std::move(after);
  s.run = run.empty() ? std::vector<std::vector<std::string>>{{"do", id}} : std::move(run);
  return s;
}

struct ExecutorHarness {
  TempDir dir;
  FakeCommandRunner runner;
  FakeClock clock;
  FakeGuardEvaluator guards;
  RecordingReporter reporter;
  std::unique_ptr<JournalWriter> journal;
  Secrets secrets;
  ExecutorOptions options;
  Confirmer* confirmer = nullptr;
  ArtifactFetcher* fetcher = nullptr;
  CommandRunner* runner_override = nullptr;  ///< used instead of `runner` when set
  std::atomic<bool>* interrupted = nullptr;  ///< ExecutorEnv::interrupted
  Executor* executor = nullptr;              ///< set while Run() runs, for tests that interrupt

  ExecutorHarness() { options.state_dir = dir.path(); }

  std::string JournalPath() const { return dir / "journal"; }

  /// Creates the run's journal with a writer whose thread never syncs on its own (an hour's
  /// pause): only a start that waits for the disk makes records durable.
  bool CreateJournalSyncedOnlyOnDemand(const Plan& plan) {
    std::string err;
    journal = JournalWriter::Create(JournalPath(), plan.sha256, &err);
    EXPECT_TRUE(journal) << err;
    if (journal) journal->set_later_pause_for_test(std::chrono::hours(1));
    return journal != nullptr;
  }

  RunResult Run(const Plan& plan, std::unordered_map<std::string, StepRecord> initial = {}) {
    std::string err;
    if (!journal) {
      Checkpoint cp;
      if (LoadJournal(JournalPath(), &cp, &err)) {
        journal = JournalWriter::OpenForAppend(JournalPath(), cp.valid_bytes, &err);
      } else {
        journal = JournalWriter::Create(JournalPath(), plan.sha256, &err);
      }
    }
    EXPECT_TRUE(journal) << err;
    ExecutorEnv env;
    env.runner = runner_override ? runner_override : &runner;
    env.clock = &clock;
    env.guards = &guards;
    env.reporter = &reporter;
    env.confirmer = confirmer;
    env.fetcher = fetcher;
    env.journal = journal.get();
    env.secrets = &secrets;
    env.interrupted = interrupted;
    Executor exec(plan, env, options);
    executor = &exec;
    RunResult r = exec.Run(initial);
    executor = nullptr;
    return r;
  }

  Checkpoint Load() {
    Checkpoint cp;
    std::string err;
    EXPECT_TRUE(LoadJournal(JournalPath(), &cp, &err)) << err;
    return cp;
  }
  StepState StateOf(const std::string& id) { return Load().steps[id].state; }
};

}  // namespace asmplan
