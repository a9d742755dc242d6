// Starting from a checkpoint (settle, rerun of failed steps), confirm gates, secrets, interrupts.
#include <gmock/gmock.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

#include "runtime/durable_file.h"
#include "tests/runtime/executor_harness.h"

namespace asmplan {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

StepRecord With(StepState state, int attempts = 1) {
  StepRecord r;
  r.state = state;
  r.attempts = attempts;
  return r;
}

/// As the runner answers when a signal comes before it spawns: the command was not started.
void InterruptBeforeTheSpawn(ExecutorHarness* h, CommandResult* r) {
  h->executor->Interrupt(SIGINT, false);
  *r = CommandResult();
  r->interrupted = true;
  r->not_started = true;
  r->error = "not started: the run was interrupted";
}

Plan ThreeSteps() {
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"})};
  return plan;
}

TEST(ExecutorResumeTest, SucceededAndSkippedNeverRunFailedRunsAgain) {
  ExecutorHarness h;
  RunResult r = h.Run(ThreeSteps(), {{"a", With(StepState::kSucceeded)},
                                     {"b", With(StepState::kSkipped, 0)},
                                     {"c", With(StepState::kFailed, 2)}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do c"));
  EXPECT_EQ(h.Load().steps["c"].attempts, 3);
  // Attempts are numbered over the whole run, as `status` counts them.
  bool third = false;
  for (const ExecEvent& e : h.reporter.events)
    third |= e.type == ExecEvent::Type::kAttemptStarted && e.message.rfind("attempt 3: ", 0) == 0;
  EXPECT_TRUE(third);
}

// `--rerun a` when b (after a) had succeeded and c (after b) had failed: c still comes after a,
// through b, even with jobs to spare.
TEST(ExecutorResumeTest, AStepAfterARerunStepWaitsForItAlsoThroughADoneStep) {
  ExecutorHarness h;
  h.options.jobs = 4;
  RunResult r = h.Run(ThreeSteps(), {{"a", With(StepState::kPending)},
                                     {"b", With(StepState::kSucceeded)},
                                     {"c", With(StepState::kFailed)}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do c"));
  std::vector<std::string> order;
  for (const ExecEvent& e : h.reporter.events) {
    if (e.type == ExecEvent::Type::kStepStarted) order.push_back("start " + e.step);
    if (e.type == ExecEvent::Type::kStepSucceeded) order.push_back("end " + e.step);
  }
  EXPECT_THAT(order, ElementsAre("start a", "end a", "start c", "end c"));
}

// Steps left running that need a decision and nothing else (no verify to settle them by, neither
// idempotent nor retried) are all named in one resume, whatever --jobs: each asks no guard and
// runs no command. (Before, a resume named --jobs of them and the next resume the rest.)
TEST(ExecutorResumeTest, EveryStepThatNeedsADecisionIsNamedInOneResume) {
  ExecutorHarness h;
  h.options.jobs = 2;
  Plan plan;
  std::unordered_map<std::string, StepRecord> initial;
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    plan.steps.push_back(MakeStep(id));
    initial[id] = With(StepState::kRunning);
  }
  plan.steps.push_back(MakeStep("later", {"a"}));
  RunResult r = h.Run(plan, initial);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kAwaiting);
  EXPECT_THAT(r.awaiting, ::testing::UnorderedElementsAre("a", "b", "c", "d", "e"));
  EXPECT_TRUE(h.runner.commands_ran().empty());
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    EXPECT_THAT(r.summary, HasSubstr("step `" + std::string(id) +
                                     "` was running when the run "
                                     "stopped and it has no verify guard"));
  }
}

// ...but not before the steps that are settled by their verify have begun: one that needs a
// decision holds the rest, and a step still waiting for a slot would be left for the next resume.
TEST(ExecutorResumeTest, StepsThatNeedADecisionWaitForTheOthersToBeginSettling) {
  ExecutorHarness h;
  h.options.jobs = 2;
  // c1's query fails once (asked again 2 s later), so c1 is still settling when c2 is done.
  h.guards.Script(CanonicalText(CommandGuard("c1")),
                  {FakeGuardEvaluator::Failed("connection refused"), FakeGuardEvaluator::Holds()});
  Plan plan;
  std::unordered_map<std::string, StepRecord> initial;
  for (const char* id : {"c1", "c2", "c3", "u1"}) {
    plan.steps.push_back(MakeStep(id));
    if (id[0] == 'c') plan.steps.back().verify = {CommandGuard(id)};
    initial[id] = With(StepState::kRunning);
  }
  RunResult r = h.Run(plan, initial);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kAwaiting) << r.summary;
  EXPECT_THAT(r.awaiting, ElementsAre("u1"));
  Checkpoint cp = h.Load();
  for (const char* id : {"c1", "c2", "c3"}) {
    EXPECT_EQ(cp.steps[id].state, StepState::kSucceeded) << id;
  }
}

TEST(ExecutorResumeTest, InterruptedStepWhoseVerifyHoldsIsSettledWithoutRunning) {
  ExecutorHarness h;
  Plan plan = ThreeSteps();
  plan.steps[1].verify = {CommandGuard("b-done")};
  RunResult r = h.Run(plan, {{"a", With(StepState::kSucceeded)}, {"b", With(StepState::kRunning)}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do c"));
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["b"].state, StepState::kSucceeded);
  EXPECT_EQ(cp.steps["b"].message,
            "settled: it was running when the run stopped and its verify holds");
}

TEST(ExecutorResumeTest, InterruptedRetriedStepWhoseVerifyFailsRunsAgain) {
  ExecutorHarness h;
  Plan plan = ThreeSteps();
  plan.steps[1].verify = {CommandGuard("b-done")};
  plan.steps[1].retries = 1;
  // Before the re-run verify does not hold; after it, it does.
  h.guards.Script(CanonicalText(CommandGuard("b-done")),
                  {FakeGuardEvaluator::Not("exit 1"), FakeGuardEvaluator::Holds()});
  RunResult r = h.Run(plan, {{"a", With(StepState::kSucceeded)}, {"b", With(StepState::kRunning)}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do b", "do c"));
  EXPECT_EQ(h.Load().steps["b"].attempts, 2);
}

TEST(ExecutorResumeTest, InterruptedIdempotentStepWithoutVerifyRunsAgain) {
  ExecutorHarness h;
  Plan plan = ThreeSteps();
  plan.steps[1].idempotent = true;
  RunResult r = h.Run(plan, {{"a", With(StepState::kSucceeded)}, {"b", With(StepState::kRunning)}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do b", "do c"));
}

// A step whose commands had completed when the run stopped (it was waiting for pods) goes on
// waiting on resume: its commands do not run again, and its waits are not skipped.
TEST(ExecutorResumeTest, AStepStoppedWhileWaitingWaitsAgainWithoutRunningItsCommands) {
  ExecutorHarness h;
  Plan plan = ThreeSteps();
  plan.steps[1].wait_until = {{PodsReady("ns1"), 60'000, 10'000}};
  plan.steps[1].verify = {CommandGuard("b-done")};
  h.guards.Script(CanonicalText(PodsReady("ns1")),
                  {FakeGuardEvaluator::Not("ns1/api: 1/2 ready"), FakeGuardEvaluator::Holds()});
  StepRecord waiting = With(StepState::kRunning);
  waiting.exit_code = 0;
  RunResult r = h.Run(plan, {{"a", With(StepState::kSucceeded)}, {"b", waiting}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do c"));
  EXPECT_EQ(h.guards.Asked(CanonicalText(PodsReady("ns1"))), 2);
  EXPECT_EQ(h.Load().steps["b"].state, StepState::kSucceeded);
}

// A step resumed into its waits checks its `require` again first: kubectl may point at another
// cluster now. If it does not hold, the step stays as it was (running, commands done) and the run
// stops asking to put it right; its commands never run again.
TEST(ExecutorResumeTest, AStepResumedIntoItsWaitsChecksItsRequireAgain) {
  ExecutorHarness h;
  Plan plan = ThreeSteps();
  plan.steps[1].require = {CommandGuard("right-cluster")};
  plan.steps[1].wait_until = {{PodsReady("ns1"), 60'000, 10'000}};
  h.guards.Script(CanonicalText(CommandGuard("right-cluster")),
                  {FakeGuardEvaluator::Not("current context is admin")});
  StepRecord waiting = With(StepState::kRunning);
  waiting.exit_code = 0;
  RunResult r = h.Run(plan, {{"a", With(StepState::kSucceeded)}, {"b", waiting}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kAwaiting) << r.summary;
  EXPECT_TRUE(h.runner.commands_ran().empty());
  EXPECT_THAT(r.summary, HasSubstr("step `b` was waiting when the run stopped, but now its require "
                                   "`command [\"check\", \"right-cluster\"] succeeds` does not "
                                   "hold: current context is admin"));
  EXPECT_EQ(h.guards.Asked(CanonicalText(PodsReady("ns1"))), 0);
  EXPECT_EQ(h.Load().steps.count("b"), 0u);  // nothing journaled: still running, commands done
}

// While a step carried over from the last run is settled or its require checked again, nothing new
// starts; once one needs a decision or does not hold its require (kubectl points at another
// cluster), nothing new starts at all: an independent step must not run on the wrong cluster.
TEST(ExecutorResumeTest, AStepThatNeedsADecisionHoldsBackIndependentSteps) {
  // With room for both at once, and whichever comes first in the plan: `a` is carried over.
  for (bool recheck : {true, false}) {
    for (bool a_first : {true, false}) {
      SCOPED_TRACE(std::string(recheck ? "recheck" : "settle") + (a_first ? ", a first" : ""));
      ExecutorHarness h;
      h.options.jobs = 4;
      Step a = MakeStep("a"), other = MakeStep("other");
      StepRecord carried = With(StepState::kRunning);
      if (recheck) {
        a.require = {CommandGuard("right-cluster")};
        a.wait_until = {{PodsReady("ns1"), 60'000, 10'000}};
        h.guards.Script(CanonicalText(CommandGuard("right-cluster")),
                        {FakeGuardEvaluator::Not("current context is admin")});
        carried.exit_code = 0;
      } else {
        a.verify = {CommandGuard("a-done")};
        h.guards.Script(CanonicalText(CommandGuard("a-done")), {FakeGuardEvaluator::Not("exit 1")});
      }
      other.require = {CommandGuard("other-ok")};  // holds: only the hold keeps it back
      Plan plan;
      plan.steps = a_first ? std::vector<Step>{a, other} : std::vector<Step>{other, a};
      RunResult r = h.Run(plan, {{"a", carried}});
      EXPECT_EQ(r.outcome, RunResult::Outcome::kAwaiting) << r.summary;
      EXPECT_THAT(r.awaiting, ElementsAre("a"));
      EXPECT_TRUE(h.runner.commands_ran().empty());
      EXPECT_EQ(h.Load().steps.count("other"), 0u);
      EXPECT_EQ(h.guards.Asked(CanonicalText(CommandGuard("other-ok"))), 0);
    }
  }
  // Once the carried-over step is sound, the rest runs as usual.
  ExecutorHarness h;
  Plan plan;
  plan.steps = {MakeStep("a"), MakeStep("other")};
  plan.steps[0].verify = {CommandGuard("a-done")};
  RunResult r = h.Run(plan, {{"a", With(StepState::kRunning)}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do other"));
}

// Settling asks for what a finished run would have seen: the verify and the waits. A rollout's
// new image can be in place (verify) while its pods are not ready (wait).
TEST(ExecutorResumeTest, AStepIsSettledOnlyWhenItsWaitsHoldToo) {
  ExecutorHarness h;
  Plan plan = ThreeSteps();
  plan.steps[1].wait_until = {{PodsReady("ns1"), 60'000, 10'000}};
  plan.steps[1].verify = {CommandGuard("b-done")};
  h.guards.Script(CanonicalText(PodsReady("ns1")), {FakeGuardEvaluator::Not("1/2 ready")});
  RunResult r = h.Run(plan, {{"a", With(StepState::kSucceeded)}, {"b", With(StepState::kRunning)}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kAwaiting);
  EXPECT_TRUE(h.runner.commands_ran().empty());
  EXPECT_THAT(r.summary, HasSubstr("its verify and waits do not all hold"));
}

/// Step `a` was stopped by the interrupt after its commands succeeded: journaled running with its
/// commands done, and the run says resume waits and verifies again.
void ExpectStoppedAfterItsCommands(ExecutorHarness* h, const RunResult& r) {
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted) << r.summary;
  Checkpoint cp = h->Load();
  EXPECT_EQ(cp.steps["a"].state, StepState::kRunning);
  EXPECT_EQ(cp.steps["a"].exit_code, 0);
  bool noted = false;
  for (const ExecEvent& e : h->reporter.events)
    noted |= e.message == "stopped after its commands; resume waits and verifies again";
  EXPECT_TRUE(noted);
}

// What makes the above possible: a step whose commands succeeded is journaled so before its
// waits, and a run stopped then says what resume will do.
TEST(ExecutorResumeTest, AStepInterruptedWhileWaitingIsJournaledWithItsCommandsDone) {
  ExecutorHarness h;
  h.guards.Script(CanonicalText(PodsReady("ns1")), {FakeGuardEvaluator::Not("1/2 ready")});
  h.guards.OnEvaluate([&h](const Guard&) { h.executor->Interrupt(SIGINT, false); });
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].wait_until = {{PodsReady("ns1"), 60'000, 10'000}};
  RunResult r = h.Run(plan);
  ExpectStoppedAfterItsCommands(&h, r);
}

TEST(ExecutorResumeTest, InterruptedUnsafeStepStopsAndAsks) {
  ExecutorHarness h;
  Plan plan = ThreeSteps();
  plan.steps[1].verify = {CommandGuard("b-done")};
  h.guards.Script(CanonicalText(CommandGuard("b-done")), {FakeGuardEvaluator::Not("exit 1")});
  RunResult r = h.Run(plan, {{"a", With(StepState::kSucceeded)}, {"b", With(StepState::kRunning)}});
  EXPECT_EQ(r.outcome, RunResult::Outcome::kAwaiting);
  EXPECT_TRUE(h.runner.commands_ran().empty());
  EXPECT_THAT(r.awaiting, ElementsAre("b"));
  EXPECT_EQ(r.summary,
            "step `b` was running when the run stopped and its verify does not hold; it is "
            "neither idempotent nor retried, so decide: `asmplan resume --rerun b` to run it "
            "again, or `asmplan resume --mark-done b --reason TEXT --force` if it completed "
            "(--force: its verify does not hold now)\n");
  // It stays `running`, so the next resume settles it again.
  EXPECT_EQ(h.Load().steps.count("b"), 0u);
  // Without a verify, --mark-done needs --force too.
  ExecutorHarness h2;
  r = h2.Run(ThreeSteps(), {{"a", With(StepState::kSucceeded)}, {"b", With(StepState::kRunning)}});
  EXPECT_THAT(r.summary, HasSubstr("--reason TEXT --force` if it completed (--force: no verify "
                                   "can confirm it)"));
}

TEST(ExecutorResumeTest, ConfirmGateWithoutTerminalAwaitsConfirmation) {
  ExecutorHarness h;
  Plan plan = ThreeSteps();
  plan.steps[1].confirm = "Check the workloads";
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kAwaiting);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a"));
  EXPECT_EQ(h.StateOf("b"), StepState::kAwaitingConfirmation);
  EXPECT_EQ(r.summary,
            "step `b` awaits confirmation: \"Check the workloads\"; continue with `asmplan "
            "resume --approve b` (or --yes)\n");
  // Resumed with --approve b, the gate opens and the run completes.
  h.options.approved = {"b"};
  Checkpoint cp = h.Load();
  r = h.Run(plan, cp.steps);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b", "do c"));
}

TEST(ExecutorResumeTest, ConfirmGateProceedsWithYes) {
  ExecutorHarness h;
  h.options.assume_yes = true;
  Plan plan = ThreeSteps();
  plan.steps[0].confirm = "Go?";
  EXPECT_EQ(h.Run(plan).outcome, RunResult::Outcome::kSucceeded);
  EXPECT_EQ(h.runner.commands_ran().size(), 3u);
}

TEST(ExecutorResumeTest, ConfirmGateAsksOnATerminal) {
  for (bool answer : {true, false}) {
    ExecutorHarness h;
    ScriptedConfirmer confirmer(true, answer);
    h.confirmer = &confirmer;
    Plan plan = ThreeSteps();
    plan.steps[0].confirm = "Go?";
    RunResult r = h.Run(plan);
    EXPECT_EQ(confirmer.asked, 1);
    EXPECT_EQ(r.outcome, answer ? RunResult::Outcome::kSucceeded : RunResult::Outcome::kAwaiting);
    EXPECT_EQ(h.runner.commands_ran().size(), answer ? 3u : 0u);
  }
}

// SIGINT at the [y/N] prompt (the terminal confirmer then answers no): the run is interrupted
// (exit 130), journaled so, and the step stays pending, not "not confirmed".
TEST(ExecutorResumeTest, AnInterruptAtThePromptInterruptsTheRun) {
  ExecutorHarness h;
  struct InterruptedAtPrompt : Confirmer {
    ExecutorHarness* h;
    bool CanAsk() override { return true; }
    bool Ask(const std::string&, const std::string&, const std::atomic<bool>&) override {
      h->executor->Interrupt(SIGINT, false);
      return false;
    }
  } confirmer;
  confirmer.h = &h;
  h.confirmer = &confirmer;
  Plan plan = ThreeSteps();
  plan.steps[0].confirm = "Go?";
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted) << r.summary;
  EXPECT_TRUE(h.runner.commands_ran().empty());
  Checkpoint cp = h.Load();
  EXPECT_NE(cp.steps["a"].state, StepState::kAwaitingConfirmation);
  bool journaled = false;
  for (const JournalRecord& rec : cp.history) {
    journaled |= rec.kind == JournalRecord::Kind::kInterrupt && rec.number == SIGINT;
  }
  EXPECT_TRUE(journaled);
}

/// Polls `done` in real time (a worker answers it) for up to 10 s.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

// While the operator reads a confirm prompt, the rest of the run goes on: another step's command
// runs and its success is journaled (the prompt used to hold the whole executor, so waits elsewhere
// timed out without being polled).
TEST(ExecutorResumeTest, OtherStepsRunAndAreJournaledWhileAPromptWaits) {
  ExecutorHarness h;
  h.options.jobs = 2;
  struct AnswersOnceBIsDone : Confirmer {
    ExecutorHarness* h;
    bool b_done_first = false;
    bool CanAsk() override { return true; }
    bool Ask(const std::string&, const std::string&, const std::atomic<bool>&) override {
      b_done_first = Eventually([this] {
        Checkpoint cp;
        std::string err;
        return LoadJournal(h->JournalPath(), &cp, &err) &&
               cp.steps["b"].state == StepState::kSucceeded;
      });
      return true;
    }
  } confirmer;
  confirmer.h = &h;
  h.confirmer = &confirmer;
  Plan plan;
  plan.steps = {MakeStep("gate"), MakeStep("b")};
  plan.steps[0].confirm = "Go?";
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kSucceeded) << r.summary;
  EXPECT_TRUE(confirmer.b_done_first);
  EXPECT_EQ(h.StateOf("gate"), StepState::kSucceeded);
}

// A step failing while a prompt waits withdraws the prompt: nothing new starts after a failure, so
// the run ends and reports it instead of waiting for an answer it would not act on; the gate has
// not been passed and asks again on resume.
TEST(ExecutorResumeTest, AFailureElsewhereWithdrawsAnOpenPrompt) {
  ExecutorHarness h;
  h.options.jobs = 2;
  h.runner.Expect("do b", FakeCommandRunner::Exit(1, "boom\n"));
  struct WaitsUntilWithdrawn : Confirmer {
    std::atomic<bool> asking{false};
    bool withdrawn_seen = false;
    bool CanAsk() override { return true; }
    bool Ask(const std::string&, const std::string&, const std::atomic<bool>& withdrawn) override {
      asking.store(true);
      withdrawn_seen = Eventually([&withdrawn] { return withdrawn.load(); });
      return false;
    }
  } confirmer;
  h.confirmer = &confirmer;
  // b fails only once the question is out (else the gate might see the run stopped first).
  HookedRunner hooked(h.runner, [&confirmer](const CommandSpec&, CommandResult*) {
    return Eventually([&confirmer] { return confirmer.asking.load(); });
  });
  h.runner_override = &hooked;
  Plan plan;
  plan.steps = {MakeStep("gate"), MakeStep("b")};
  plan.steps[0].confirm = "Go?";
  RunResult r = h.Run(plan);
  EXPECT_TRUE(confirmer.withdrawn_seen);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kFailed) << r.summary;
  EXPECT_THAT(r.failed, ElementsAre("b"));
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps.count("gate"), 0u);  // not "not confirmed": nobody answered
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do b"));
}

// Also a value that shell quoting changes (its `'` becomes '\''): redacted as shown, too.
TEST(ExecutorResumeTest, SecretsAreSubstitutedButNeverWritten) {
  for (std::string value : {"s3cr3t-value", "it's s3cr3t"}) {
    SCOPED_TRACE(value);
    ExecutorHarness h;
    h.secrets.Add("token", value);
    h.runner.SetDefault([](const CommandSpec& spec) {
      return FakeCommandRunner::Exit(2, "server said: bad token " + spec.argv[2] + "\n");
    });
    Plan plan;
    plan.steps = {MakeStep("login", {}, {{"login", "--token", "${token}"}})};
    RunResult r = h.Run(plan);
    EXPECT_EQ(h.runner.specs_ran()[0].argv[2], value);
    EXPECT_EQ(h.runner.specs_ran()[0].log_path, "");  // captured so it can be redacted
    std::string log, journal, err;
    ASSERT_TRUE(ReadWholeFile(h.dir / "logs/login.log", &log, &err)) << err;
    ASSERT_TRUE(ReadWholeFile(h.JournalPath(), &journal, &err)) << err;
    std::string shown = value == "s3cr3t-value" ? "***" : "'***'";
    EXPECT_EQ(log, "== attempt 1: login --token " + shown +
                       "\nserver said: bad token ***\n== `login --token " + shown +
                       "` exited with 2\n");
    EXPECT_EQ(journal.find("s3cr3t"), std::string::npos);
    EXPECT_EQ(r.summary.find("s3cr3t"), std::string::npos) << r.summary;
    // The failure quotes the command's last line, redacted too.
    EXPECT_THAT(r.summary, HasSubstr("` exited with 2: server said: bad token ***\n"));
    for (const ExecEvent& e : h.reporter.events) {
      EXPECT_EQ(e.message.find("s3cr3t"), std::string::npos) << e.message;
    }
  }
}

TEST(ExecutorResumeTest, InterruptStopsRunningStepsAndLeavesThemRunning) {
  ExecutorHarness h;
  HookedRunner hooked(h.runner, [&h](const CommandSpec& spec, CommandResult* r) {
    if (spec.argv[1] != "b") return true;
    h.executor->Interrupt(SIGINT, false);  // as the signal thread would, mid-command
    r->exit_code = -1;
    r->interrupted = true;
    r->term_signal = SIGTERM;
    return true;
  });
  h.runner_override = &hooked;
  RunResult r = h.Run(ThreeSteps());
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted);
  EXPECT_EQ(h.runner.interrupts(), 1);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b"));
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["b"].state, StepState::kRunning);
  EXPECT_EQ(cp.steps.count("c"), 0u);
  bool journaled = false;
  for (const JournalRecord& rec : cp.history) {
    journaled |= rec.kind == JournalRecord::Kind::kInterrupt && rec.number == SIGINT;
  }
  EXPECT_TRUE(journaled);
  EXPECT_THAT(r.summary, HasSubstr("interrupted by SIGINT; continue with `asmplan resume`"));
  // b has no verify: the note says what resume will do with it.
  bool noted = false;
  for (const ExecEvent& e : h.reporter.events) {
    noted |= e.step == "b" && e.message ==
                                  "stopped; resume runs it again if it is idempotent or retried, "
                                  "and asks otherwise";
  }
  EXPECT_TRUE(noted);
}

// The flag that stops guard queries is set before the commands are signalled: a kubectl query
// that found it unset and is starting is then signalled with them (the runner's cancel protocol).
// Set after, such a query would run on, and Ctrl-C would wait up to its 60 s timeout.
TEST(ExecutorResumeTest, InterruptSetsTheQueriesStopFlagBeforeItSignalsCommands) {
  class FlagAtInterrupt : public CommandRunner {
   public:
    FlagAtInterrupt(ExecutorHarness* h, std::atomic<bool>* flag) : h_(h), flag_(flag) {}
    CommandResult Run(const CommandSpec& spec) override {
      h_->executor->Interrupt(SIGINT, false);  // as the signal thread would, mid-command
      CommandResult r = h_->runner.Run(spec);
      r.exit_code = -1;
      r.interrupted = true;
      r.term_signal = SIGTERM;
      return r;
    }
    void InterruptAll(int signal) override {
      flag_at_signal.push_back(flag_->load());
      h_->runner.InterruptAll(signal);
    }
    std::vector<bool> flag_at_signal;

   private:
    ExecutorHarness* h_;
    std::atomic<bool>* flag_;
  };
  ExecutorHarness h;
  std::atomic<bool> flag{false};
  FlagAtInterrupt runner(&h, &flag);
  h.runner_override = &runner;
  h.interrupted = &flag;
  RunResult r = h.Run(ThreeSteps());
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted);
  EXPECT_THAT(runner.flag_at_signal, ElementsAre(true));
}

// A command the interrupt stopped that exits 0 anyway (it traps SIGTERM): its work may be half
// done, so the step is left as a stopped one, and the note says what resume will really do with it
// (not "stopped after its commands", which the journal does not say).
TEST(ExecutorResumeTest, AnInterruptedCommandThatExitsZeroIsNotTakenForCompleted) {
  ExecutorHarness h;
  HookedRunner hooked(h.runner, [&h](const CommandSpec&, CommandResult* r) {
    h.executor->Interrupt(SIGINT, false);
    r->exit_code = 0;
    r->interrupted = true;
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  plan.steps = {MakeStep("a")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted);
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["a"].state, StepState::kRunning);
  EXPECT_EQ(cp.steps["a"].exit_code, -1);
  EXPECT_THAT(h.reporter.Lines(),
              Contains("note a stopped; resume runs it again if it is idempotent or retried, and "
                       "asks otherwise"));
}

// A timed-out command that traps SIGTERM exits 0: the attempt still failed. Its 0 must not reach
// the journal as "commands done" (here through the record a retry restores when a signal stops it
// before its spawn), or resume would take the step's commands for completed and, with no guard
// to check, mark it succeeded.
TEST(ExecutorResumeTest, ATimedOutCommandThatExitsZeroIsNotTakenForDone) {
  ExecutorHarness h;
  int calls = 0;
  HookedRunner hooked(h.runner, [&h, &calls](const CommandSpec&, CommandResult* r) {
    *r = CommandResult();
    if (++calls == 1) {
      r->exit_code = 0;
      r->timed_out = true;
    } else {
      InterruptBeforeTheSpawn(&h, r);
    }
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].timeout_ms = 1'000;
  plan.steps[0].retries = 1;
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted) << r.summary;
  EXPECT_EQ(calls, 2);
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["a"].state, StepState::kRunning);
  EXPECT_NE(cp.steps["a"].exit_code, 0);
}

// A command that succeeds just as the signal comes (its completion is handled after the interrupt):
// the step does not go on to its waits, which would poll guards no one answers any more, for
// ever; it stops as a step interrupted while waiting does.
TEST(ExecutorResumeTest, ACommandThatSucceedsAsTheSignalComesStopsBeforeItsWaits) {
  ExecutorHarness h;
  h.guards.Script(CanonicalText(PodsReady("ns1")), {FakeGuardEvaluator::Holds()});
  HookedRunner hooked(h.runner, [&h](const CommandSpec&, CommandResult*) {
    h.executor->Interrupt(SIGINT, false);
    // The worker is still finishing when the loop handles the signal.
    for (int k = 0; k < 10'000; ++k) {
      for (const std::string& line : h.reporter.Lines()) {
        if (line.rfind("interrupted", 0) == 0) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ADD_FAILURE() << "the interrupt was not handled";
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].wait_until = {{PodsReady("ns1"), 60'000, 10'000}};
  RunResult r = h.Run(plan);
  EXPECT_EQ(h.guards.calls().size(), 0u);
  ExpectStoppedAfterItsCommands(&h, r);
}

// A signal between the journaled start of an attempt and its spawn: the command never ran, so the
// journal says again what it said before (nothing to settle or ask about on resume) and no
// warning is shown.
TEST(ExecutorResumeTest, AnAttemptStoppedBeforeItsCommandStartedIsNotLeftRunning) {
  ExecutorHarness h;
  HookedRunner hooked(h.runner, [&h](const CommandSpec&, CommandResult* r) {
    InterruptBeforeTheSpawn(&h, r);
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  plan.steps = {MakeStep("a")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted) << r.summary;
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["a"].state, StepState::kPending);
  EXPECT_EQ(cp.steps["a"].attempts, 0);
  std::vector<std::string> lines = h.reporter.Lines();
  EXPECT_THAT(lines, Contains("note a not started"));
  for (const std::string& line : lines) EXPECT_EQ(line.find("WARNING"), std::string::npos) << line;
}

// A signal while the guards are being queried: the queries it stopped are not an answer, so
// the step is neither failed nor succeeded but left running, for resume to settle by verify.
TEST(ExecutorResumeTest, AnInterruptedGuardQueryIsNotAFailedVerify) {
  ExecutorHarness h;
  GuardObservation stopped =
      FakeGuardEvaluator::Failed("`kubectl get pods -n a -o json` was interrupted");
  h.guards.Script(CanonicalText(CommandGuard("v")), {stopped});
  h.guards.OnEvaluate([&h](const Guard&) { h.executor->Interrupt(SIGINT, false); });
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].verify = {CommandGuard("v")};
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted) << r.summary;
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["a"].state, StepState::kRunning);
  bool journaled = false;
  for (const JournalRecord& rec : cp.history) {
    journaled |= rec.kind == JournalRecord::Kind::kInterrupt && rec.number == SIGINT;
  }
  EXPECT_TRUE(journaled);
}

TEST(ExecutorResumeTest, InterruptDuringBackoffStopsRetrying) {
  ExecutorHarness h;
  h.runner.Expect("do a", FakeCommandRunner::Exit(1));
  HookedRunner hooked(h.runner, [&h](const CommandSpec&, CommandResult*) {
    h.executor->Interrupt(SIGTERM, false);
    return true;
  });
  h.runner_override = &hooked;
  Plan plan;
  plan.steps = {MakeStep("a")};
  plan.steps[0].retries = 5;
  plan.steps[0].backoff_ms = 1000;
  RunResult r = h.Run(plan);
  EXPECT_EQ(r.outcome, RunResult::Outcome::kInterrupted);
  EXPECT_EQ(h.runner.commands_ran().size(), 1u);
}

}  // namespace
}  // namespace asmplan
