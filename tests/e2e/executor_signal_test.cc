// SIGINT mid-run: the running command's process group is terminated, the run exits 130 with the
// interruption journaled, and `asmplan resume` settles the interrupted step by its verify guard.
#include <gtest/gtest.h>
#include <unistd.h>

#include "runtime/checkpoint_journal.h"
#include "tests/e2e/executor_process.h"
#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

Plan SleepyPlan(const TempDir& dir) {
  Plan plan;
  plan.name = "sleepy";
  Step a;
  a.id = "a";
  a.run = {{"sleep", "30"}};
  Guard holds;
  holds.kind = GuardKind::kCommandSucceeds;
  holds.argv = {"true"};
  a.verify = {holds};
  Step b;
  b.id = "b";
  b.after = {"a"};
  b.run = {{"touch", dir / "b-ran"}};
  plan.steps = {a, b};
  return plan;
}

bool WaitForState(const std::string& journal, const std::string& step, StepState state) {
  for (int i = 0; i < 1000; ++i) {
    Checkpoint cp;
    std::string err;
    if (LoadJournal(journal, &cp, &err) && cp.steps.count(step) && cp.steps[step].state == state) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

/// Waits until step `a`'s command runs. The journal says running before the command starts, and
/// a signal in between leaves `a` not started (journaled back to pending): wait for the command.
void WaitWhileStepARuns(testing::AsmplanProcess* run, const std::string& state) {
  EXPECT_TRUE(WaitForState(state + "/journal", "a", StepState::kRunning));
  for (int i = 0; i < 500 && run->SessionProcesses().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

/// Kills `run` with SIGKILL once step `a`'s command runs; returns what is left of its session.
std::vector<long> KillWhileStepARuns(testing::AsmplanProcess* run, const std::string& state) {
  WaitWhileStepARuns(run, state);
  run->Signal(SIGKILL);
  EXPECT_EQ(run->Wait(), 128 + SIGKILL);
  return run->SessionProcesses();
}

// SIGINT, and SIGHUP (a closed terminal: the steps' own process groups never see the hangup, so
// without it their commands would outlive the executor, unrecorded), stop the run resumably.
TEST(ExecutorSignalTest, SigintOrSighupLeavesAResumableCheckpoint) {
  for (int sig : {SIGINT, SIGHUP}) {
    SCOPED_TRACE(sig);
    TempDir dir;
    ASSERT_TRUE(testing::WritePlanFile(SleepyPlan(dir), dir / "plan.yaml"));
    std::string state = dir / "state";
    testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", state}, dir.path());
    WaitWhileStepARuns(&run, state);
    auto start = std::chrono::steady_clock::now();
    run.Signal(sig);
    EXPECT_EQ(run.Wait(), 130);
    // The sleep was terminated, not waited for.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    EXPECT_TRUE(run.WaitForSessionToEmpty(5000));
    Checkpoint cp;
    std::string err, out;
    ASSERT_TRUE(LoadJournal(state + "/journal", &cp, &err)) << err;
    EXPECT_EQ(cp.steps["a"].state, StepState::kRunning);
    bool journaled = false;
    for (const JournalRecord& r : cp.history) {
      journaled |= r.kind == JournalRecord::Kind::kInterrupt && r.number == sig;
    }
    EXPECT_TRUE(journaled);
    EXPECT_NE(::access((dir / "b-ran").c_str(), F_OK), 0);
    ASSERT_TRUE(ReadWholeFile(dir / "asmplan.out", &out, &err));
    EXPECT_NE(out.find(sig == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGHUP"),
              std::string::npos)
        << out;

    testing::AsmplanProcess resume({"resume", "--state-dir", state}, dir.path());
    EXPECT_EQ(resume.Wait(), 0);
    ASSERT_TRUE(LoadJournal(state + "/journal", &cp, &err)) << err;
    EXPECT_EQ(cp.steps["a"].state, StepState::kSucceeded);
    EXPECT_EQ(cp.steps["a"].attempts, 1);  // settled by verify, not run again
    EXPECT_EQ(::access((dir / "b-ran").c_str(), F_OK), 0);
  }
}

// `nohup asmplan run ...`: SIGHUP ignored by the parent stays ignored; the run outlives the
// terminal.
TEST(ExecutorSignalTest, UnderNohupSighupIsIgnored) {
  TempDir dir;
  Plan plan;
  plan.name = "nohup";
  Step a;
  a.id = "a";
  a.run = {{"sleep", "0.5"}};
  Step b;
  b.id = "b";
  b.after = {"a"};
  b.run = {{"touch", dir / "b-ran"}};
  plan.steps = {a, b};
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  std::string state = dir / "state";
  ::signal(SIGHUP, SIG_IGN);  // inherited by the child, as nohup does
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", state}, dir.path());
  ::signal(SIGHUP, SIG_DFL);
  ASSERT_TRUE(WaitForState(state + "/journal", "a", StepState::kRunning));
  run.Signal(SIGHUP);
  EXPECT_EQ(run.Wait(), 0);
  EXPECT_EQ(::access((dir / "b-ran").c_str(), F_OK), 0);
}

// `asmplan run ... | head -1`: the reader goes away, the run does not die of SIGPIPE between a
// command's start and its record; it goes on to the end with its checkpoint.
TEST(ExecutorSignalTest, AClosedOutputPipeDoesNotKillTheRun) {
  TempDir dir;
  Plan plan;
  plan.name = "piped";
  for (const char* id : {"a", "b", "c"}) {
    Step s;
    s.id = id;
    if (!plan.steps.empty()) s.after = {plan.steps.back().id};
    s.run = {{"touch", dir / (std::string(id) + "-ran")}};
    plan.steps.push_back(s);
  }
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // nobody reads
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", dir / "state"}, dir.path(),
                              fds[1]);
  ::close(fds[1]);
  EXPECT_EQ(run.Wait(), 0);
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_EQ(::access((dir / (std::string(id) + "-ran")).c_str(), F_OK), 0) << id;
  }
  Checkpoint cp;
  std::string err;
  ASSERT_TRUE(LoadJournal(dir / "state/journal", &cp, &err)) << err;
  EXPECT_EQ(cp.steps["c"].state, StepState::kSucceeded);
}

TEST(ExecutorSignalTest, SecondRunOnALockedStateDirExitsFour) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePlanFile(SleepyPlan(dir), dir / "plan.yaml"));
  std::string state = dir / "state";
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", state}, dir.path());
  ASSERT_TRUE(WaitForState(state + "/journal", "a", StepState::kRunning));
  testing::AsmplanProcess second({"resume", "--state-dir", state}, dir.path());
  EXPECT_EQ(second.Wait(), 4);
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(), 130);
  std::string out, err;
  ASSERT_TRUE(ReadWholeFile(dir / "asmplan.out", &out, &err));
  EXPECT_NE(out.find("is locked by pid " + std::to_string(run.pid())), std::string::npos) << out;
}

// `resume --dry-run` says what resume would do with each step, while the run is live and after it
// was interrupted, and changes nothing: no journal record, no command run.
TEST(ExecutorSignalTest, ResumeDryRunSaysWhatResumeWouldDoAndChangesNothing) {
  TempDir dir;
  Plan plan = SleepyPlan(dir);
  plan.params = {ParamValue{"token", "string", "", "ASMPLAN_SECRET_TOKEN", true}};
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  std::string state = dir / "state", err, out, before, after;
  ::setenv("ASMPLAN_SECRET_TOKEN", "x", 1);
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", state}, dir.path());
  ::unsetenv("ASMPLAN_SECRET_TOKEN");
  WaitWhileStepARuns(&run, state);
  testing::AsmplanProcess live({"resume", "--dry-run", "--state-dir", state}, dir.path());
  EXPECT_EQ(live.Wait(), 0);
  run.Signal(SIGINT);
  EXPECT_EQ(run.Wait(), 130);
  ASSERT_TRUE(ReadWholeFile(state + "/journal", &before, &err)) << err;
  ASSERT_TRUE(ReadWholeFile(dir / "asmplan.out", &out, &err)) << err;
  EXPECT_NE(
      out.find("# pid " + std::to_string(run.pid()) +
               " runs it now (it holds the lock): resume is refused (exit 4) until it ends\n"),
      std::string::npos)
      << out;
  ::unlink((dir / "asmplan.out").c_str());

  testing::AsmplanProcess dry({"resume", "-n", "--state-dir", state}, dir.path());
  EXPECT_EQ(dry.Wait(), 0);
  ASSERT_TRUE(ReadWholeFile(dir / "asmplan.out", &out, &err)) << err;
  EXPECT_NE(out.find("# resume of plan sleepy (sha256 "), std::string::npos) << out;
  // Resume would refuse without the secret: said.
  EXPECT_NE(out.find("# secret parameter `token` has no value: set ASMPLAN_SECRET_TOKEN: resume is "
                     "refused (exit 2) until it is set\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("# step a: was running when the run stopped: succeeded if its verify holds "
                     "now; otherwise the run stops and asks for --rerun or --mark-done\nsleep 30\n"
                     "#   verify command [\"true\"] succeeds\n# step b (after a): runs\ntouch "),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("runs it now"), std::string::npos) << out;
  ASSERT_TRUE(ReadWholeFile(state + "/journal", &after, &err)) << err;
  EXPECT_EQ(after, before);
  EXPECT_NE(::access((dir / "b-ran").c_str(), F_OK), 0);

  // What resume itself cannot take is refused the same way.
  testing::AsmplanProcess typo({"resume", "-n", "--rerun", "c", "--state-dir", state}, dir.path());
  EXPECT_EQ(typo.Wait(), 2);
  testing::AsmplanProcess mark(
      {"resume", "-n", "--mark-done", "a", "--reason", "x", "--state-dir", state}, dir.path());
  EXPECT_EQ(mark.Wait(), 2);
  ASSERT_TRUE(ReadWholeFile(state + "/journal", &after, &err)) << err;
  EXPECT_EQ(after, before);
}

// A kill -9 leaves the running command's process group alive (it is not the executor's). Resume
// refuses (exit 4) while it runs, naming it and how to stop it, and journals nothing; `status`
// notes it on its step. Once it has ended, resume settles the step without running it again.
TEST(ExecutorSignalTest, ResumeRefusesWhileAKilledRunsCommandStillRuns) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePlanFile(SleepyPlan(dir), dir / "plan.yaml"));
  std::string state = dir / "state", err;
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", state}, dir.path());
  std::vector<long> left = KillWhileStepARuns(&run, state);
  ASSERT_EQ(left.size(), 1u);
  std::string sleep_pid = std::to_string(left[0]);
  std::string before, after, out;
  ASSERT_TRUE(ReadWholeFile(state + "/journal", &before, &err)) << err;

  // Ctrl-C while resume waits for it stops the wait at once, as an interrupt, having done nothing.
  testing::AsmplanProcess interrupted({"resume", "--state-dir", state}, dir.path());
  // Once it says it waits (its signal handling is set up by then).
  for (int i = 0; i < 500 && out.find("waiting up to 10s") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ReadWholeFile(dir / "asmplan.out", &out, &err);
  }
  auto signalled = std::chrono::steady_clock::now();
  interrupted.Signal(SIGINT);
  EXPECT_EQ(interrupted.Wait(), 130);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(3));
  testing::AsmplanProcess refused({"resume", "--state-dir", state}, dir.path());
  EXPECT_EQ(refused.Wait(), 4);
  testing::AsmplanProcess status({"status", "--state-dir", state}, dir.path());
  EXPECT_EQ(status.Wait(), 0);
  ASSERT_TRUE(ReadWholeFile(dir / "asmplan.out", &out, &err)) << err;
  EXPECT_NE(out.find("commands started by a killed run in " + state +
                     " are still running:\n  pid " + sleep_pid + " (sleep), step a, running for "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("note     waiting up to 10s for commands the killed run left running to end:\n"
                     "  pid " +
                     sleep_pid + " (sleep), step a, running for "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("stop them (`kill -TERM -- -" + sleep_pid + "`; `pgrep -a -g " + sleep_pid +
                     "` shows a group first), then resume again"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("interrupted while waiting for the killed run's commands to end; nothing was "
                     "done"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("killed (no process holds its lock; resume waits for its commands still "
                     "running, below)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("still running (pid " + sleep_pid +
                     "); resume waits up to 10s for it to end, then refuses"),
            std::string::npos)
      << out;
  ASSERT_TRUE(ReadWholeFile(state + "/journal", &after, &err)) << err;
  EXPECT_EQ(after, before);

  ::kill(-static_cast<pid_t>(left[0]), SIGTERM);
  EXPECT_TRUE(run.WaitForSessionToEmpty(5000));
  testing::AsmplanProcess resume({"resume", "--state-dir", state}, dir.path());
  EXPECT_EQ(resume.Wait(), 0);
  Checkpoint cp;
  ASSERT_TRUE(LoadJournal(state + "/journal", &cp, &err)) << err;
  EXPECT_EQ(cp.steps["a"].state, StepState::kSucceeded);
  EXPECT_EQ(cp.steps["a"].attempts, 1);  // settled by its verify, not run again
  EXPECT_EQ(::access((dir / "b-ran").c_str(), F_OK), 0);
}

// A command of the killed run that ends within resume's grace period is waited for, not refused.
// A command that the killed run left running finishes its work: its output pipe still has a
// reader (its own fd 3), so its next line does not kill it with SIGPIPE halfway through (as it did
// to `kubectl rollout restart` after its first deployment).
TEST(ExecutorSignalTest, AKilledRunsCommandOutlivesItsNextLineOfOutput) {
  TempDir dir;
  Plan plan = SleepyPlan(dir);
  plan.steps[0].run = {
      {"sh", "-c", "sleep 1; echo one; echo two >&2; sleep 0.2; touch " + (dir / "a-finished")}};
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  std::string state = dir / "state";
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", state}, dir.path());
  KillWhileStepARuns(&run, state);
  EXPECT_TRUE(run.WaitForSessionToEmpty(10'000));
  EXPECT_EQ(::access((dir / "a-finished").c_str(), F_OK), 0);
}

TEST(ExecutorSignalTest, ResumeWaitsForAKilledRunsCommandThatEndsSoon) {
  TempDir dir;
  Plan plan = SleepyPlan(dir);
  plan.steps[0].run = {{"sleep", "5"}};
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  std::string state = dir / "state", err, out;
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", state}, dir.path());
  ASSERT_EQ(KillWhileStepARuns(&run, state).size(), 1u);
  testing::AsmplanProcess resume({"resume", "--state-dir", state}, dir.path());
  EXPECT_EQ(resume.Wait(), 0);
  // Resume went on only once the sleep had ended.
  EXPECT_TRUE(run.SessionProcesses().empty());
  ASSERT_TRUE(ReadWholeFile(dir / "asmplan.out", &out, &err)) << err;
  EXPECT_NE(out.find("waiting up to 10s for commands the killed run left running to end:"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(" (sleep), step a, running for "), std::string::npos) << out;
  Checkpoint cp;
  ASSERT_TRUE(LoadJournal(state + "/journal", &cp, &err)) << err;
  EXPECT_EQ(cp.steps["a"].state, StepState::kSucceeded);
  EXPECT_EQ(cp.steps["a"].attempts, 1);
}

}  // namespace
}  // namespace asmplan
