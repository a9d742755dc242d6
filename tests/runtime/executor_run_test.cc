// The executor's scheduling, retries, timeouts and guard phases, with fakes only.
#include <gmock/gmock.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/durable_file.h"
#include "tests/runtime/executor_harness.h"
#include "tests/support/armed_journal.h"
#include "tests/support/file_size_limit.h"
#include "tests/support/sync_hold.h"

namespace asmplan {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

CommandResult TimedOut() {
  CommandResult r;
  r.timed_out = true;
  return r;
}

TEST(ExecutorRunTest, RunsStepsInDependencyOrderAndJournalsThem) {
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"})};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b", "do c"));
  Checkpoint cp = h.Load();
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_EQ(cp.steps[id].state, StepState::kSucceeded) << id;
    EXPECT_EQ(cp.steps[id].attempts, 1) << id;
    EXPECT_EQ(cp.steps[id].exit_code, 0) << id;
    EXPECT_EQ(cp.steps[id].log_path, std::string("logs/") + id + ".log");
  }
  auto specs = h.runner.specs_ran();
  EXPECT_EQ(specs[0].cwd, h.dir / "workspace");
  EXPECT_EQ(specs[0].log_path, h.dir / "logs/a.log");
  // Marked as this run's, so a resume after a kill -9 can find a command still running.
  EXPECT_EQ(specs[1].env.at("ASMPLAN_STATE_DIR"), fs::canonical(h.dir.path()).string());
  EXPECT_EQ(specs[1].env.at("ASMPLAN_STEP"), "b");
}

// A step's duration runs from when it began, its require and skip checks included, as the live
// view counts it, not from its first command.
TEST(ExecutorRunTest, AStepsDurationIncludesItsChecks) {
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].require = {CommandGuard("slow")};
  h.guards.OnEvaluate([&](const Guard&) { h.clock.Advance(2000); });
  RunResult r = h.Run(plan);
  ASSERT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  StepRecord a = h.Load().steps["a"];
  EXPECT_GE(a.ended_ms - a.started_ms, 2000);
}

// A failed command's message quotes the last line it printed (kubectl's verdict comes last),
// in the summary and the journal; the log keeps everything.
const char kResumeHint[] =
    "once the cause is fixed, continue with `asmplan resume`: failed steps run again, finished "
    "ones do not\n";

TEST(ExecutorRunTest, AFailedCommandsMessageQuotesItsLastLine) {
  ExecutorHarness h;
  h.runner.Expect("do a", FakeCommandRunner::Exit(1,
                                                  "Warning: v1beta1 is deprecated\n"
                                                  "Error from server (NotFound): namespaces "
                                                  "\"payments\" not found\n\n"));
  Plan plan;
  plan.steps = {MakeStep("a")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.summary,
            "step `a` failed: `do a` exited with 1: Error from server (NotFound): namespaces "
            "\"payments\" not found\n  log: " +
                (h.dir / "logs/a.log") + "\n" + kResumeHint);
  EXPECT_EQ(h.Load().steps["a"].message,
            "`do a` exited with 1: Error from server (NotFound): namespaces \"payments\" not "
            "found");
  std::string log, err;
  ASSERT_TRUE(ReadWholeFile(h.dir / "logs/a.log", &log, &err)) << err;
  EXPECT_THAT(log, HasSubstr("Warning: v1beta1 is deprecated\n"));
  // An attempt that printed only blank lines quotes nothing: not its log header, nor what an
  // earlier attempt printed.
  ExecutorHarness h2;
  h2.runner.Expect("do a", FakeCommandRunner::Exit(1, "the first reason\n"));
  h2.runner.Expect("do a", FakeCommandRunner::Exit(1, "\n\n"));
  plan.steps[0].retries = 1;
  r = h2.Run(plan);
  EXPECT_EQ(h2.Load().steps["a"].message, "`do a` exited with 1");
  bool first_quoted = false;
  for (const ExecEvent& e : h2.reporter.events)
    first_quoted |= e.message.find("exited with 1: the first reason") != std::string::npos;
  EXPECT_TRUE(first_quoted);
}

TEST(ExecutorRunTest, FailureStartsNothingNewAndNamesStepAndLog) {
  ExecutorHarness h;
  h.runner.Expect("do b", FakeCommandRunner::Exit(3));
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"}), MakeStep("d", {"a"})};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_THAT(r.failed, ElementsAre("b"));
  EXPECT_EQ(r.summary, "step `b` failed: `do b` exited with 3\n  log: " + (h.dir / "logs/b.log") +
                           "\n" + kResumeHint);
  // With one job, b ran before d; after b failed nothing new started.
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b"));
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["b"].state, StepState::kFailed);
  EXPECT_EQ(cp.steps["b"].exit_code, 3);
  EXPECT_EQ(cp.steps.count("c"), 0u);
  EXPECT_EQ(cp.steps.count("d"), 0u);
}

// Each command's header goes to the log with its first output or its failure; a step whose
// commands all succeed silently leaves no log file.
TEST(ExecutorRunTest, TheLogHoldsCommandsThatSaidSomethingOrFailed) {
  ExecutorHarness h;
  h.runner.Expect("one", FakeCommandRunner::Exit(0, "hi\n"));
  h.runner.Expect("three", FakeCommandRunner::Exit(1, "bad\n"));
  Plan plan;
  plan.steps = {MakeStep("quiet", {}, {{"zero"}}),
                MakeStep("a", {"quiet"}, {{"one"}, {"two"}, {"three"}})};
  h.Run(plan);
  EXPECT_FALSE(fs::exists(h.dir / "logs/quiet.log"));
  std::string log, err;
  ASSERT_TRUE(ReadWholeFile(h.dir / "logs/a.log", &log, &err)) << err;
  EXPECT_EQ(log, "== attempt 1: one\nhi\n== attempt 1: three\nbad\n== `three` exited with 1\n");
  EXPECT_EQ(h.runner.specs_ran()[1].log_preamble, "== attempt 1: one\n");
}

// asmplan's own `==` line after a command whose last line had no newline starts a line of its own
// ("abc== ... exited with 1" before).
TEST(ExecutorRunTest, TheLogsOwnLinesStartALineAfterOutputWithoutANewline) {
  ExecutorHarness h;
  h.runner.Expect("one", FakeCommandRunner::Exit(1, "abc"));
  Plan plan;
  plan.steps = {MakeStep("a", {}, {{"one"}})};
  h.Run(plan);
  std::string log, err;
  ASSERT_TRUE(ReadWholeFile(h.dir / "logs/a.log", &log, &err)) << err;
  EXPECT_EQ(log, "== attempt 1: one\nabc\n== `one` exited with 1\n");
}

TEST(ExecutorRunTest, StepCommandsRunInOrderAndStopAtTheFirstFailure) {
  ExecutorHarness h;
  h.runner.Expect("two", FakeCommandRunner::Exit(1));
  Plan plan;
  plan.steps = {MakeStep("a", {}, {{"one"}, {"two"}, {"three"}})};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("one", "two"));
}

TEST(ExecutorRunTest, RetriesWithGrowingBackoffWithoutRealSleep) {
  ExecutorHarness h;
  h.runner.Expect("do a", FakeCommandRunner::Exit(1));
  h.runner.Expect("do a", FakeCommandRunner::Exit(1));
  h.runner.Expect("do a", FakeCommandRunner::Exit(0));
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].retries = 3;
  plan.steps[0].backoff_ms = 1000;
  auto began = std::chrono::steady_clock::now();
  RunResult r = h.Run(plan);
  // The backoffs (3 s on the fake clock) took no real second: a loop that waited for them on a
  // condition variable (real time) instead of the Clock would take 3.
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(1));
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_EQ(h.runner.commands_ran().size(), 3u);
  EXPECT_EQ(h.clock.NowMs(), 1000 + 2000);  // backoff * 2^(k-1)
  EXPECT_EQ(h.Load().steps["a"].attempts, 3);
  std::vector<std::string> lines = h.reporter.Lines();
  EXPECT_THAT(lines, ::testing::Contains("attempt_failed a `do a` exited with 1; retrying in 2s "
                                         "(retry 2 of 3)"));
  // The log the failed attempts began does not end with a failure: the silent success says so.
  std::string log, err;
  ASSERT_TRUE(ReadWholeFile(h.dir / "logs/a.log", &log, &err)) << err;
  EXPECT_EQ(log,
            "== attempt 1: do a\n== `do a` exited with 1\n"
            "== attempt 2: do a\n== `do a` exited with 1\n"
            "== attempt 3 succeeded\n");
}

TEST(ExecutorRunTest, RetriesExhaustedFailTheStep) {
  ExecutorHarness h;
  h.runner.Expect("do a", FakeCommandRunner::Exit(7));
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].retries = 2;
  plan.steps[0].backoff_ms = 500;
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_EQ(h.runner.commands_ran().size(), 3u);
  EXPECT_EQ(h.clock.NowMs(), 500 + 1000);
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["a"].attempts, 3);
  EXPECT_EQ(cp.steps["a"].message, "`do a` exited with 7");
}

TEST(ExecutorRunTest, TimeoutIsPerAttemptAndNamed) {
  ExecutorHarness h;
  h.runner.Expect("do a", TimedOut());
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].timeout_ms = 15 * 60 * 1000;
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_EQ(h.runner.specs_ran()[0].timeout_ms, 15 * 60 * 1000);
  EXPECT_EQ(h.Load().steps["a"].message, "`do a` timed out after 15m");
}

TEST(ExecutorRunTest, RequireFailsBeforeAnythingRuns) {
  ExecutorHarness h;
  h.guards.Script(CanonicalText(PodsReady("x")),
                  {FakeGuardEvaluator::Not("0 of 1 pods ready", {"x/p: 0/1 ready"})});
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].require = {PodsReady("x")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_TRUE(h.runner.commands_ran().empty());
  EXPECT_EQ(h.Load().steps["a"].message,
            "require `pods in ns \"x\" all ready` does not hold: 0 of 1 pods ready\n"
            "  x/p: 0/1 ready");
}

TEST(ExecutorRunTest, SkipIfSkipsAndReleasesDependents) {
  ExecutorHarness h;
  h.guards.Script(CanonicalText(CommandGuard("done")), {FakeGuardEvaluator::Holds()});
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"})};
  plan.steps[0].skip_if = {CommandGuard("done")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do b"));
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["a"].state, StepState::kSkipped);
  EXPECT_EQ(cp.steps["a"].message, "skip if `command [\"check\", \"done\"] succeeds` holds");
}

TEST(ExecutorRunTest, SkipIfThatCannotBeEvaluatedFails) {
  ExecutorHarness h;
  GuardObservation err = FakeGuardEvaluator::Failed("kubectl: connection refused");
  h.guards.Script(CanonicalText(CommandGuard("done")), {err});
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].skip_if = {CommandGuard("done")};
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kFailed);
  EXPECT_TRUE(h.runner.commands_ran().empty());
}

// One failed query (an API server's 500) does not fail a verify whose work is done: the check
// asks again after 2 s, 4 s and 8 s; a query that keeps failing fails the step after that.
TEST(ExecutorRunTest, AFailedGuardQueryIsAskedAgainBeforeTheStepFails) {
  ExecutorHarness h;
  GuardObservation err = FakeGuardEvaluator::Failed("Error from server (InternalError)");
  h.guards.Script(CanonicalText(CommandGuard("v")), {err, FakeGuardEvaluator::Holds()});
  h.guards.Script(CanonicalText(CommandGuard("r")), {err});
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"})};
  plan.steps[0].verify = {CommandGuard("v")};
  plan.steps[1].require = {CommandGuard("r")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a"));
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["a"].state, StepState::kSucceeded);
  EXPECT_EQ(cp.steps["b"].state, StepState::kFailed);
  EXPECT_THAT(cp.steps["b"].message, HasSubstr("Error from server (InternalError)"));
  EXPECT_EQ(h.guards.Asked(CanonicalText(CommandGuard("r"))), 4);
  bool noted = false;
  for (const ExecEvent& e : h.reporter.events)
    noted |= e.step == "a" && e.message ==
                                  "a guard query failed (Error from server (InternalError)); "
                                  "asking again in 2s (1 of 3)";
  EXPECT_TRUE(noted);
}

// The last event of --events says how the run ended, with the code asmplan exits with.
TEST(ExecutorRunTest, RunFinishedCarriesTheExitCode) {
  for (auto [exit_code, outcome] :
       {std::pair{1, RunResult::Outcome::kFailed}, std::pair{0, RunResult::Outcome::kSucceeded}}) {
    ExecutorHarness h;
    if (exit_code == 1) h.runner.Expect("do a", FakeCommandRunner::Exit(1));
    Plan plan;
    plan.steps = {MakeStep("a")};
    EXPECT_EQ(h.Run(plan).outcome, outcome);
    ASSERT_FALSE(h.reporter.events.empty());
    const ExecEvent& last = h.reporter.events.back();
    EXPECT_EQ(last.type, ExecEvent::Type::kRunFinished);
    EXPECT_EQ(last.exit_code, exit_code);
  }
}

TEST(ExecutorRunTest, WaitPollsEveryIntervalUntilItHolds) {
  ExecutorHarness h;
  std::string text = CanonicalText(PodsReady("ns1"));
  h.guards.Script(text, {FakeGuardEvaluator::Not("0 of 2 ready"),
                         FakeGuardEvaluator::Not("1 of 2 ready"), FakeGuardEvaluator::Holds()});
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].wait_until = {{PodsReady("ns1"), 60'000, 10'000}};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_EQ(h.guards.calls().size(), 3u);
  // After commands, the first look comes one interval later: 10 s, 20 s, 30 s.
  EXPECT_EQ(h.clock.NowMs(), 30'000);
}

// The longest duration the language accepts (about 292 million years) never wraps a deadline
// around into the past: the wait goes on polling until its guard holds.
TEST(ExecutorRunTest, TheLongestWaitTimeoutDoesNotOverflow) {
  ExecutorHarness h;
  std::string text = CanonicalText(PodsReady("ns1"));
  h.guards.Script(text, {FakeGuardEvaluator::Not("0 of 2 ready"),
                         FakeGuardEvaluator::Not("1 of 2 ready"), FakeGuardEvaluator::Holds()});
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].wait_until = {{PodsReady("ns1"), std::numeric_limits<Millis>::max(), 10'000}};
  h.clock.Advance(5'000);  // monotonic time is never 0 in a real run
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  EXPECT_EQ(h.guards.calls().size(), 3u);
}

TEST(ExecutorRunTest, WaitTimeoutShowsFirstAndLastObservation) {
  ExecutorHarness h;
  std::string text = CanonicalText(PodsReady("ns1"));
  h.guards.Script(text, {FakeGuardEvaluator::Not("0 of 2 ready", {"ns1/a: 0/2", "ns1/b: 0/2"}),
                         FakeGuardEvaluator::Not("1 of 2 ready", {"ns1/b: 1/2"})});
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].wait_until = {{PodsReady("ns1"), 30'000, 10'000}};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_EQ(h.clock.NowMs(), 30'000);
  EXPECT_EQ(h.Load().steps["a"].message,
            "timed out after 30s waiting until pods in ns \"ns1\" all ready\n"
            "  first (10s): 0 of 2 ready\n"
            "    ns1/a: 0/2\n"
            "    ns1/b: 0/2\n"
            "  changed (20s): 1 of 2 ready\n"
            "    - ns1/a: 0/2\n"
            "    - ns1/b: 0/2\n"
            "    + ns1/b: 1/2\n"
            "  last (30s): 1 of 2 ready\n"
            "    ns1/b: 1/2");
  EXPECT_THAT(r.summary, HasSubstr("log: " + (h.dir / "logs/a.log")));
}

TEST(ExecutorRunTest, VerifyThatDoesNotHoldFailsTheStep) {
  ExecutorHarness h;
  h.guards.Script(CanonicalText(CommandGuard("v")), {FakeGuardEvaluator::Not("exit 1")});
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"})};
  plan.steps[0].verify = {CommandGuard("v")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a"));
  EXPECT_EQ(h.Load().steps["a"].message,
            "verify `command [\"check\", \"v\"] succeeds` does not hold: exit 1");
  // The summary names the log; the silent command did not create it, the failure did.
  std::string log, err;
  ASSERT_TRUE(ReadWholeFile(h.dir / "logs/a.log", &log, &err)) << err;
  EXPECT_EQ(log, "== verify `command [\"check\", \"v\"] succeeds` does not hold: exit 1\n");
}

// A guard whose query failed was not answered: the message says it could not be evaluated, and
// a wait on a secret names it as written, `${token}`, as every other message does.
TEST(ExecutorRunTest, AFailedQueryCannotBeEvaluatedAndSecretsKeepTheirNames) {
  ExecutorHarness h;
  GuardObservation failed = FakeGuardEvaluator::Failed("kubectl could not start");
  h.guards.Script(CanonicalText(CommandGuard("v")), {failed});
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].verify = {CommandGuard("v")};
  h.Run(plan);
  EXPECT_EQ(
      h.Load().steps["a"].message,
      "cannot evaluate verify `command [\"check\", \"v\"] succeeds`: kubectl could not start");

  ExecutorHarness s;
  s.secrets.Add("token", "s3cr3t");
  s.guards.Script(CanonicalText(CommandGuard("s3cr3t")), {FakeGuardEvaluator::Not("no")});
  plan.steps = {MakeStep("w")};
  plan.steps[0].wait_until = {{CommandGuard("${token}"), 20'000, 10'000}};
  s.Run(plan);
  EXPECT_THAT(s.Load().steps["w"].message,
              HasSubstr("waiting until command [\"check\", \"${token}\"] succeeds\n"));
}

// A log the runner could not write is said as a warning; the step's outcome is its command's.
TEST(ExecutorRunTest, ALogWriteErrorIsAWarning) {
  ExecutorHarness h;
  CommandResult unlogged = FakeCommandRunner::Exit(0);
  unlogged.error = "cannot write log file /s/logs/a.log: No space left on device";
  h.runner.Expect("do a", unlogged);
  Plan plan;
  plan.steps = {MakeStep("a")};
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.reporter.Lines(),
              Contains("note a WARNING: cannot write log file /s/logs/a.log: No space left on "
                       "device"));
}

// A waiting line shows the guard's details below its summary, but not a detail that only repeats
// the summary (as a guard with nothing to say object by object reports it).
TEST(ExecutorRunTest, AWaitingLineDoesNotRepeatItsSummaryAsADetail) {
  ExecutorHarness h;
  h.guards.Script(CanonicalText(PodsReady("n1")),
                  {FakeGuardEvaluator::Not("no pods in namespace n1", {"no pods in namespace n1"}),
                   FakeGuardEvaluator::Not("1 of 2 pods ready", {"n1/web-1: 1/2 ready"}),
                   FakeGuardEvaluator::Holds()});
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].wait_until = {{PodsReady("n1"), 60'000, 5'000}};
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  std::vector<std::vector<std::string>> details;
  for (const ExecEvent& e : h.reporter.events) {
    if (e.type == ExecEvent::Type::kWaiting) details.push_back(e.details);
  }
  ASSERT_EQ(details.size(), 2u);
  EXPECT_TRUE(details[0].empty());
  EXPECT_THAT(details[1], ElementsAre("n1/web-1: 1/2 ready"));
}

TEST(ExecutorRunTest, WaitingGuardsOfParallelStepsShareOneEvaluateCall) {
  ExecutorHarness h;
  h.options.jobs = 3;
  for (const char* ns : {"n1", "n2", "n3"}) {
    h.guards.Script(CanonicalText(PodsReady(ns)),
                    {FakeGuardEvaluator::Not("no"), FakeGuardEvaluator::Holds()});
  }
  Plan plan;
  for (const char* ns : {"n1", "n2", "n3"}) {
    Step s;
    s.id = std::string("w[") + ns + "]";
    s.wait_until = {{PodsReady(ns), 60'000, 5'000}};
    plan.steps.push_back(s);
  }
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  auto calls = h.guards.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].size(), 3u);
  EXPECT_EQ(calls[1].size(), 3u);
}

// Waits with one interval poll on a shared grid: a wait that began 3 s after another is polled
// with it from its second look on, in one Evaluate call (one kubectl query per kind).
TEST(ExecutorRunTest, WaitsThatBeganAtDifferentTimesArePolledTogether) {
  ExecutorHarness h;
  h.options.jobs = 2;
  h.guards.Script(
      CanonicalText(PodsReady("n1")),
      {FakeGuardEvaluator::Not("no"), FakeGuardEvaluator::Not("no"), FakeGuardEvaluator::Holds()});
  h.guards.Script(CanonicalText(PodsReady("n2")),
                  {FakeGuardEvaluator::Not("no"), FakeGuardEvaluator::Holds()});
  HookedRunner hooked(h.runner, [&h](const CommandSpec&, CommandResult*) {
    // a's first look (at 0 s, on the guard thread) comes before c ends, as in a real run.
    for (int waited = 0; waited < 5'000 && h.guards.calls().empty(); ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    h.clock.Advance(3'000);  // the command c takes 3 s
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  Step a;
  a.id = "a";
  a.wait_until = {{PodsReady("n1"), 60'000, 10'000}};
  Step b;
  b.id = "b";
  b.after = {"c"};
  b.wait_until = {{PodsReady("n2"), 60'000, 10'000}};
  plan.steps = {a, MakeStep("c"), b};
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  // a looks at 0 s, b at 3 s (when c is done), then both at 10 s, a alone at 20 s.
  EXPECT_THAT(h.guards.calls(), ElementsAre(ElementsAre(CanonicalText(PodsReady("n1"))),
                                            ElementsAre(CanonicalText(PodsReady("n2"))),
                                            ElementsAre(CanonicalText(PodsReady("n1")),
                                                        CanonicalText(PodsReady("n2"))),
                                            ElementsAre(CanonicalText(PodsReady("n1")))));
  EXPECT_EQ(h.clock.NowMs(), 20'000);
}

// A slow guard query (a verify whose kubectl takes long) holds up no other step: while it is out,
// the next step's command runs.
TEST(ExecutorRunTest, ASlowGuardQueryHoldsUpNoOtherStep) {
  ExecutorHarness h;
  h.options.jobs = 2;
  std::atomic<bool> b_ran{false};
  bool b_ran_during_query = false;
  h.guards.OnEvaluate([&](const Guard&) {
    for (int waited = 0; waited < 5'000 && !b_ran.load(); waited += 5) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    b_ran_during_query = b_ran.load();
  });
  HookedRunner hooked(h.runner, [&](const CommandSpec& spec, CommandResult*) {
    if (spec.argv[1] == "b") b_ran = true;
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  Step a;
  a.id = "a";
  a.verify = {CommandGuard("slow")};
  plan.steps = {a, MakeStep("b")};
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_TRUE(b_ran_during_query);
}

TEST(ExecutorRunTest, GroupParallelLimitsActiveSteps) {
  ExecutorHarness h;
  h.options.jobs = 4;
  Plan plan;
  Group g;
  g.name = "restart";
  g.parallel = 2;
  for (const char* ns : {"n1", "n2", "n3", "n4"}) {
    h.guards.Script(CanonicalText(PodsReady(ns)),
                    {FakeGuardEvaluator::Not("no"), FakeGuardEvaluator::Holds()});
    Step s;
    s.id = std::string("restart[") + ns + "]";
    s.group = "restart";
    s.wait_until = {{PodsReady(ns), 60'000, 5'000}};
    g.steps.push_back(s.id);
    plan.steps.push_back(s);
  }
  plan.groups = {g};
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  for (const auto& call : h.guards.calls()) EXPECT_LE(call.size(), 2u);
  EXPECT_EQ(h.guards.calls().front().size(), 2u);
}

TEST(ExecutorRunTest, JobsLimitsActiveSteps) {
  ExecutorHarness h;
  h.options.jobs = 1;
  Plan plan;
  for (const char* ns : {"n1", "n2"}) {
    h.guards.Script(CanonicalText(PodsReady(ns)),
                    {FakeGuardEvaluator::Not("no"), FakeGuardEvaluator::Holds()});
    Step s;
    s.id = ns;
    s.wait_until = {{PodsReady(ns), 60'000, 5'000}};
    plan.steps.push_back(s);
  }
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  for (const auto& call : h.guards.calls()) EXPECT_EQ(call.size(), 1u);
}

// Turns run on whichever thread gets there first: the main loop or a worker whose job ended. With
// many jobs ending at once, every completion is applied once (none lost while another thread is
// in a turn, none twice), each step runs once and only after its dependency, and the run ends.
TEST(ExecutorRunTest, ManyJobsEndingAtOnceAreEachAppliedOnce) {
  ExecutorHarness h;
  h.options.jobs = 8;
  Plan plan;
  for (int i = 0; i < 150; ++i) {
    std::string n = std::to_string(i);
    plan.steps.push_back(MakeStep("a" + n));
    plan.steps.push_back(MakeStep("b" + n, {"a" + n}));
  }
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  std::vector<std::string> ran = h.runner.commands_ran();
  EXPECT_EQ(ran.size(), 300u);
  std::set<std::string> seen;
  for (const std::string& command : ran) {
    EXPECT_TRUE(seen.insert(command).second) << command << " ran twice";
    if (command.rfind("do b", 0) == 0) {
      EXPECT_TRUE(seen.count("do a" + command.substr(4))) << command << " ran before its a";
    }
  }
  Checkpoint cp = h.Load();
  for (const Step& s : plan.steps) EXPECT_EQ(cp.steps[s.id].state, StepState::kSucceeded) << s.id;
}

TEST(ExecutorRunTest, StepsFinishingTogetherShareOneDurableWrite) {
  ExecutorHarness h;
  h.options.jobs = 3;
  Plan plan;
  for (const char* id : {"x", "y", "z"}) {
    Step s;
    s.id = id;
    s.verify = {CommandGuard(id)};
    plan.steps.push_back(s);
  }
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  // One write for the session record (its turn posts the verify queries), one for the three
  // successes and the finish record.
  EXPECT_EQ(h.journal->syncs(), 2u);
  EXPECT_EQ(h.Load().records, 5u);
}

// The turn that applies the last step's end ends the run: the finish record comes at once, and one
// fdatasync makes both durable (a run's end waits for one disk flush, not two).
TEST(ExecutorRunTest, TheLastStepsEndIsMadeDurableWithTheFinishRecord) {
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("a")};
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_EQ(h.journal->syncs(), 2u);  // the session record with a's start; a's end with the finish
  EXPECT_TRUE(h.journal->DurableThrough(fs::file_size(h.JournalPath())));
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["a"].state, StepState::kSucceeded);
  ASSERT_FALSE(cp.history.empty());
  EXPECT_EQ(cp.history.back().kind, JournalRecord::Kind::kFinish);
}

// "step, its state in the journal file, the fdatasyncs made so far".
std::string StateOnDisk(ExecutorHarness& h, const std::string& id) {
  Checkpoint cp;
  std::string err;
  EXPECT_TRUE(LoadJournal(h.JournalPath(), &cp, &err)) << err;
  return id + " " + StepStateName(cp.steps[id].state) + " " + std::to_string(h.journal->syncs());
}

// The worker that runs a command first makes the journal durable: at each command the journal on
// disk says the step is running, and one more fdatasync has been made since the last command.
TEST(ExecutorRunTest, ACommandStartsOnlyOnceItsRunningRecordIsDurable) {
  ExecutorHarness h;
  std::vector<std::string> seen;
  HookedRunner hooked(h.runner, [&h, &seen](const CommandSpec& spec, CommandResult*) {
    seen.push_back(StateOnDisk(h, spec.argv[1]));
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"})};
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(seen, ElementsAre("a running 1", "b running 2", "c running 3"));
}

// Points the journal's descriptor at `fd`: on a pipe write() still works, fdatasync() is EINVAL.
void PointJournalAt(ExecutorHarness& h, int fd) {
  fs::path journal = fs::canonical(h.JournalPath());
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (fs::read_symlink(entry.path(), ec) == journal) {
      EXPECT_GE(::dup2(fd, std::stoi(entry.path().filename().string())), 0);
    }
  }
}

// Runs `plan` with the journal's descriptor pointed at a pipe (see PointJournalAt) just before
// step a's command starts, or (`before_a` false) once it has ended; `after_a` runs then too. The
// run fails naming the error, and a is left running on disk.
RunResult RunWithSyncFailingAtA(ExecutorHarness& h, const Plan& plan, bool before_a,
                                const std::function<void()>& after_a = nullptr) {
  int pipe_fds[2] = {-1, -1};
  EXPECT_EQ(::pipe(pipe_fds), 0);
  HookedRunner after(h.runner, [&](const CommandSpec& spec, CommandResult*) {
    if (spec.argv[1] != "a") return true;
    if (!before_a) PointJournalAt(h, pipe_fds[1]);
    if (after_a) after_a();
    return true;
  });
  HookedRunner before(
      after,
      [&](const CommandSpec& spec, CommandResult*) {
        if (before_a && spec.argv[1] == "a") PointJournalAt(h, pipe_fds[1]);
        return true;
      },
      /*first=*/true);
  h.runner_override = &before;
  RunResult r = h.Run(plan);
  h.runner_override = nullptr;
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_THAT(r.summary, HasSubstr("the checkpoint journal failed: cannot sync journal " +
                                   h.JournalPath() + ": Invalid argument"));
  EXPECT_EQ(h.Load().steps["a"].state, StepState::kRunning);
  return r;
}

// " durable" when everything in the journal file is durable, else " not durable". (Unlike syncs(),
// it does not wait for a sync under way.)
std::string Durability(ExecutorHarness& h) {
  return h.journal->DurableThrough(fs::file_size(h.JournalPath())) ? " durable" : " not durable";
}

// "step, its state in the journal file, whether all of the file is durable".
std::string OnDisk(ExecutorHarness& h, const std::string& id) {
  Checkpoint cp;
  std::string err;
  EXPECT_TRUE(LoadJournal(h.JournalPath(), &cp, &err)) << err;
  return id + " " + StepStateName(cp.steps[id].state) + Durability(h);
}

// A step that resume would run again anyway (idempotent, or retried) does not wait for the disk:
// its command starts once its running record is written (which a kill -9 of asmplan cannot lose),
// and the journal's thread makes it durable meanwhile; nothing waits for that but what rests on
// it. Here the sync is held back until the command has ended. Not so in the session's first turn,
// nor in the turn where a dependency ended (its end must be durable first), nor for a step that
// must not run twice. No more fdatasyncs than when every step waits.
TEST(ExecutorRunTest, AStepThatMayRunAgainStartsWhileItsRunningRecordIsSynced) {
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("x"), MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"})};
  plan.steps[0].idempotent = true;
  plan.steps[1].idempotent = true;
  plan.steps[2].retries = 1;
  std::string err;
  h.journal = JournalWriter::Create(h.JournalPath(), plan.sha256, &err);
  ASSERT_TRUE(h.journal) << err;
  SyncHold hold(*h.journal);
  std::vector<std::string> seen;
  // Outside in: a probe before the command, the fake (which calls on_started), a probe after it.
  HookedRunner after(h.runner, [&](const CommandSpec& spec, CommandResult*) {
    if (spec.argv[1] == "a") {
      EXPECT_TRUE(hold.Wait()) << "a's sync did not start";
    }
    seen.back() += Durability(h);
    if (spec.argv[1] == "a") hold.Release();
    return true;
  });
  HookedRunner before(
      after,
      [&](const CommandSpec& spec, CommandResult*) {
        seen.push_back(OnDisk(h, spec.argv[1]));
        if (spec.argv[1] == "a") hold.Hold();
        return true;
      },
      /*first=*/true);
  h.runner_override = &before;
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  // "step, its state on disk, whether that is durable when its command starts, and once it has
  // ended": a's command ended while its sync was held.
  EXPECT_THAT(seen, ElementsAre("x running durable durable", "a running not durable not durable",
                                "b running durable durable", "c running durable durable"));
  ExecutorHarness waiting;
  plan.steps[0].idempotent = plan.steps[1].idempotent = false;
  plan.steps[2].retries = 0;
  EXPECT_EQ(waiting.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_EQ(h.journal->syncs(), waiting.journal->syncs());
}

// A step that must not run twice and waits for a job slot is armed: its `arm` record reaches the
// disk with the running steps' records, so when a slot frees, its command starts at once, its
// running record written but not yet synced (a kill -9 of asmplan cannot lose it; after a power
// loss resume finds the arm, and settles the step as one that may have started). Here the
// journal's thread never syncs on its own: b's arm was durable with a's start; c's, written with
// b's start, is not, so c waits for the disk, and from then on two steps per slot are armed.
TEST(ExecutorRunTest, AnArmedStepStartsWithoutWaitingForTheDisk) {
  ExecutorHarness h;
  h.options.boot_id = "boot-1";
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b"), MakeStep("c"), MakeStep("d"), MakeStep("e")};
  ASSERT_TRUE(h.CreateJournalSyncedOnlyOnDemand(plan));
  std::vector<std::string> seen;
  HookedRunner before(
      h.runner,
      [&](const CommandSpec& spec, CommandResult*) {
        seen.push_back(OnDisk(h, spec.argv[1]));
        return true;
      },
      /*first=*/true);
  h.runner_override = &before;
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(seen, ElementsAre("a running durable", "b running not durable", "c running durable",
                                "d running not durable", "e running not durable"));
  EXPECT_EQ(ArmRecords(h.JournalPath()), 4);  // b to e
  EXPECT_TRUE(h.Load().armed.empty());

  // Not armed: a step resume would run again anyway, one with guards or a gate before its
  // commands, and every step when the boot ID is unknown.
  ExecutorHarness other;
  other.options.boot_id = "boot-1";
  Plan mixed;
  mixed.steps = {MakeStep("a"), MakeStep("i"), MakeStep("r"), MakeStep("g")};
  mixed.steps[1].idempotent = true;
  mixed.steps[2].require = {CommandGuard("r")};
  mixed.steps[3].confirm = "go?";
  other.options.assume_yes = true;
  EXPECT_EQ(other.Run(mixed).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_EQ(ArmRecords(other.JournalPath()), 0);
  ExecutorHarness unknown;
  EXPECT_EQ(unknown.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_EQ(ArmRecords(unknown.JournalPath()), 0);
}

// At most jobs * depth steps wait armed: here at -j1, while y and z run, v (armed while x ran)
// stays the one armed step, though u became ready before it. And once an armed step has waited
// longer than a group commit takes (c runs for a second), one step per slot is armed again. Each
// entry: a step as its command starts, and how many armed steps wait then.
TEST(ExecutorRunTest, ArmedStepsAreFewAndOnePerSlotOnceStepsTakeLong) {
  auto run = [](Plan plan, bool sync_at_start) {
    ExecutorHarness h;
    h.options.boot_id = "boot-1";
    EXPECT_TRUE(h.CreateJournalSyncedOnlyOnDemand(plan));
    std::vector<std::string> seen;
    HookedRunner before(
        h.runner,
        [&](const CommandSpec& spec, CommandResult*) {
          std::string e;
          Checkpoint cp = h.Load();
          seen.push_back(spec.argv[1] + ":" + std::to_string(cp.armed.size()));
          // The next step's arm, written with this start, durable before it starts.
          if (sync_at_start) {
            EXPECT_TRUE(h.journal->SyncThrough(cp.valid_bytes, &e)) << e;
          }
          if (spec.argv[1] == "c") h.clock.Advance(1000);
          return true;
        },
        /*first=*/true);
    h.runner_override = &before;
    EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
    return seen;
  };
  Plan fan;
  fan.steps = {MakeStep("x"), MakeStep("y", {"x"}), MakeStep("z", {"y"}), MakeStep("u", {"x"}),
               MakeStep("v")};
  EXPECT_THAT(run(fan, true), ElementsAre("x:1", "y:1", "z:1", "u:1", "v:0"));
  Plan slow;
  for (const char* id : {"a", "b", "c", "d", "e", "f"}) slow.steps.push_back(MakeStep(id));
  // c's arm was not durable when it started: two per slot from then, until d, armed a second
  // before it started.
  EXPECT_THAT(run(slow, false), ElementsAre("a:1", "b:1", "c:2", "d:1", "e:1", "f:0"));
}

// Steps shorter than a group commit double the depth each time one starts before its arm is
// durable, up to 16 per slot: what a power loss can leave to settle. Here the journal's thread
// never syncs on its own, so only the starts that wait for the disk make arms durable.
TEST(ExecutorRunTest, ArmedStepsPerSlotStopAtSixteen) {
  ExecutorHarness h;
  h.options.boot_id = "boot-1";
  Plan plan;
  for (int i = 0; i < 200; ++i) plan.steps.push_back(MakeStep("s" + std::to_string(i)));
  ASSERT_TRUE(h.CreateJournalSyncedOnlyOnDemand(plan));
  size_t most = 0;
  HookedRunner before(
      h.runner,
      [&](const CommandSpec&, CommandResult*) {
        most = std::max(most, h.Load().armed.size());
        return true;
      },
      /*first=*/true);
  h.runner_override = &before;
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_EQ(most, 16u);
}

// The same when the dependency that ended is not a direct one: c follows b, which was done before
// this session, and b follows a. a's end releases c through b in the turn it is journaled, so c
// waits for the disk although b has no record in that turn.
TEST(ExecutorRunTest, AStepReleasedThroughAStepDoneBeforeWaitsForItsDependencysEnd) {
  ExecutorHarness h;
  std::vector<std::string> seen;
  HookedRunner before(
      h.runner,
      [&h, &seen](const CommandSpec& spec, CommandResult*) {
        seen.push_back(spec.argv[1] + Durability(h));
        return true;
      },
      /*first=*/true);
  h.runner_override = &before;
  Plan plan;
  plan.steps = {MakeStep("x"), MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"})};
  plan.steps[1].idempotent = true;  // starts early: x's end does not concern it
  plan.steps[3].idempotent = true;
  StepRecord done;
  done.state = StepState::kSucceeded;
  EXPECT_EQ(h.Run(plan, {{"b", done}}).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do x", "do a", "do c"));
  EXPECT_THAT(seen, ElementsAre("x durable", "a not durable", "c durable"));
}

// Nor does the next step that may run again wait for the sync of an earlier one's end, when it
// does not follow it: d starts while a's records are still being synced (held back here until d's
// command starts). e follows a: it starts once a's end is durable (d's sync, held back in turn).
TEST(ExecutorRunTest, AStepDoesNotWaitForTheSyncOfAnUnrelatedStepsEnd) {
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("x"), MakeStep("a"), MakeStep("d"), MakeStep("e", {"a"})};
  for (Step& s : plan.steps) s.idempotent = true;
  std::string err;
  h.journal = JournalWriter::Create(h.JournalPath(), plan.sha256, &err);
  ASSERT_TRUE(h.journal) << err;
  SyncHold hold(*h.journal);
  std::vector<std::string> seen;
  uint64_t a_started_by = 0;  // the journal's size when a starts: a's start is in it
  uint64_t a_ended_by = 0;    // the same when d starts: a's end is in it
  std::thread releaser;
  std::atomic<bool> released{false};
  // a's command ends once its sync is held: what that sync covers is then known (a's start).
  HookedRunner after(h.runner, [&](const CommandSpec& spec, CommandResult*) {
    if (spec.argv[1] == "a") {
      EXPECT_TRUE(hold.Wait()) << "a's sync did not start";
    }
    return true;
  });
  HookedRunner before(
      after,
      [&](const CommandSpec& spec, CommandResult*) {
        const std::string& id = spec.argv[1];
        if (id == "a") {
          hold.Hold();
          a_started_by = fs::file_size(h.JournalPath());
        }
        if (id == "d") {
          seen.push_back(OnDisk(h, "a") + " at d, its start" +
                         (h.journal->DurableThrough(a_started_by) ? " durable" : " not durable"));
          a_ended_by = fs::file_size(h.JournalPath());
          hold.Release();
          // d's own sync (its turn holds a's end) is held in turn, and let go 50 ms later: e
          // starts only after that.
          for (int i = 0; i < 5000 && !h.journal->DurableThrough(a_started_by); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          hold.Hold();
          releaser = std::thread([&] {
            EXPECT_TRUE(hold.Wait()) << "d's sync did not start";  // d's on_started asks for it
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            released = true;
            hold.Release();
          });
        }
        seen.push_back(id != "e" ? id + Durability(h)
                       : released.load() && h.journal->DurableThrough(a_ended_by)
                           ? "e: after d's sync, a's end durable"
                           : "e: a's end not known durable");
        return true;
      },
      /*first=*/true);
  h.runner_override = &before;
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do x", "do a", "do d", "do e"));
  EXPECT_THAT(seen, ElementsAre("x durable", "a not durable",
                                "a succeeded not durable at d, its start not durable",
                                "d not durable", "e: after d's sync, a's end durable"));
  EXPECT_TRUE(h.journal->DurableThrough(fs::file_size(h.JournalPath())));
  releaser.join();
}

// The sync of an early start's records fails while the step's first command runs: its next
// command (which waits for that sync) does not start, nor does anything else, and the step is left
// for resume to settle or run again.
TEST(ExecutorRunTest, AFailedSyncAfterAnEarlyStartStopsTheStepAfterItsCommand) {
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("x"), MakeStep("a", {}, {{"do", "a"}, {"do", "a", "again"}}),
                MakeStep("b", {"a"})};
  plan.steps[1].idempotent = true;  // x runs first: a starts early in the next turn
  RunWithSyncFailingAtA(h, plan, /*before_a=*/true);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do x", "do a"));
  EXPECT_THAT(h.reporter.Lines(),
              Contains("note a stopped; resume runs it again if it is idempotent or retried, and "
                       "asks otherwise"));
}

// The journal's thread fails to sync an early start's records after the command ended: the next
// turn finds out before it applies anything, so b (which follows a) is not even begun.
TEST(ExecutorRunTest, AFailedSyncOnTheJournalsThreadIsSeenByTheNextTurn) {
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("x"), MakeStep("a"), MakeStep("b", {"a"})};
  plan.steps[1].idempotent = true;  // x runs first: a starts early in the next turn
  RunWithSyncFailingAtA(h, plan, /*before_a=*/true, [&h] {
    for (int i = 0; i < 5000 && h.journal->DurableThrough(0); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do x", "do a"));
  for (const ExecEvent& e : h.reporter.events) EXPECT_NE(e.step, "b") << EventTypeName(e.type);
}

// A journal that cannot be written stops the run: nothing new starts and the summary says why.
TEST(ExecutorRunTest, AJournalWriteFailureStopsTheRun) {
  ExecutorHarness h;
  std::unique_ptr<FileSizeLimit> full;
  HookedRunner hooked(h.runner, [&h, &full](const CommandSpec& spec, CommandResult*) {
    if (spec.argv[1] == "a") full = std::make_unique<FileSizeLimit>(fs::file_size(h.JournalPath()));
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"})};
  RunResult r = h.Run(plan);
  full.reset();
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed);
  EXPECT_THAT(r.summary, HasSubstr("the checkpoint journal failed: cannot append to journal " +
                                   h.JournalPath() + ": File too large"));
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a"));
  EXPECT_EQ(h.runner.interrupts(), 0);  // running commands are left to finish, not stopped
  // What reached the disk still loads: a is running there, and resume settles it.
  EXPECT_EQ(h.Load().steps["a"].state, StepState::kRunning);
}

// Log names are readable for identifiers with plain indexes and distinct for any two steps.
TEST(ExecutorRunTest, LogPathsAreReadableAndDistinct) {
  EXPECT_EQ(Executor::LogPathFor("restart[payments]"), "logs/restart.payments.log");
  EXPECT_EQ(Executor::LogPathFor("a[b][c-1]"), "logs/a.b.c-1.log");
  std::vector<std::string> ids = {"w[a/b]",
                                  "w[a_b]",
                                  "w[a b]",
                                  "w[a.b]",
                                  "w.a_b",
                                  "a[bc]",
                                  "a[b]c",
                                  "a[b[c]]",
                                  "a[b][c]",
                                  "a.b.c",
                                  "a[]",
                                  "a.",
                                  std::string(300, 'x'),
                                  std::string(301, 'x')};
  std::set<std::string> paths;
  for (const std::string& id : ids) {
    std::string path = Executor::LogPathFor(id);
    EXPECT_TRUE(paths.insert(path).second) << id << " shares " << path;
    EXPECT_LE(fs::path(path).filename().string().size(), 255u) << id;
  }
  EXPECT_EQ(Executor::LogPathFor("w[a/b]").rfind("logs/w.a_b~", 0), 0u);
  // A plain name cannot take a hashed one's path: the hash follows a `~`.
  std::string hashed = Executor::LogPathFor("w[a/b]");
  std::string digits = hashed.substr(hashed.find('~') + 1, 12);
  EXPECT_NE(Executor::LogPathFor("w[a_b-" + digits + "]"), hashed);
}

// The fdatasync a worker makes before starting a command fails (the journal's descriptor now
// refers to a pipe, where write() works and fdatasync() is EINVAL): that command never starts,
// and the run stops naming the error.
TEST(ExecutorRunTest, AFailedSyncOnTheWorkerStopsTheRunBeforeTheCommand) {
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"})};
  RunWithSyncFailingAtA(h, plan, /*before_a=*/false);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a"));
}

}  // namespace
}  // namespace asmplan
