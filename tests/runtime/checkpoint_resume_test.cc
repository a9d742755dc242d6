// Run sessions over a real state directory: starting, locking, resuming, operator decisions
// (--rerun, --mark-done) and changed plans (--accept-changes), with fakes for everything else.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "compiler/compiled_plan_io.h"
#include "runtime/durable_file.h"
#include "runtime/run_session.h"
#include "runtime/state_lock.h"
#include "tests/runtime/executor_harness.h"
#include "tests/support/armed_journal.h"

namespace asmplan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct SessionHarness {
  TempDir dir;
  FakeCommandRunner runner;
  FakeClock clock;
  FakeGuardEvaluator guards;
  RecordingReporter reporter;
  std::map<std::string, std::string> env;
  SessionServices svc;

  SessionHarness() {
    svc.env.runner = &runner;
    svc.env.clock = &clock;
    svc.env.guards = &guards;
    svc.env.reporter = &reporter;
    svc.getenv = [this](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
  }
  std::string state() const { return dir / "state"; }

  SessionResult Start(Plan plan) {
    std::string text = WriteCompiledPlan(&plan);
    RunRequest req;
    req.state_dir = state();
    return StartRun(plan, text, req, svc);
  }
  SessionResult Resume(ResumeRequest req) {
    req.state_dir = state();
    return ResumeRun(req, svc);
  }
  Checkpoint Load() {
    Checkpoint cp;
    std::string err;
    EXPECT_TRUE(LoadJournal(state() + "/journal", &cp, &err)) << err;
    return cp;
  }
};

Plan Abc() {
  Plan plan;
  plan.name = "abc";
  plan.steps = {MakeStep("a"), MakeStep("b", {"a"}), MakeStep("c", {"b"})};
  return plan;
}

TEST(CheckpointResumeTest, StartStoresThePlanBoundToTheJournal) {
  SessionHarness h;
  SessionResult r = h.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;
  std::string text, err;
  ASSERT_TRUE(ReadWholeFile(h.state() + "/plan.yaml", &text, &err)) << err;
  Plan stored;
  ASSERT_TRUE(ReadCompiledPlan(text, &stored, &err)) << err;
  EXPECT_EQ(h.Load().plan_sha256, stored.sha256);
  EXPECT_EQ(h.Load().steps["c"].state, StepState::kSucceeded);
}

// A new run makes logs/ and workspace/ before its plan and journal (so their renames' directory
// syncs cover them). A start that fails (or is killed) before its journal leaves them empty, and
// the directory still takes the next run; anything in them is someone's, and refused.
TEST(CheckpointResumeTest, AStartWhoseJournalCannotBeCreatedLeavesTheDirectoryForTheNextRun) {
  SessionHarness h;
  ASSERT_EQ(::mkdir(h.state().c_str(), 0755), 0);
  // The journal's temporary file (named by this process's pid) cannot be opened for writing.
  std::string blocker = h.state() + "/journal.tmp." + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(blocker.c_str(), 0755), 0);
  SessionResult r = h.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kFailed);
  EXPECT_THAT(r.message, HasSubstr("cannot write " + h.state() + "/journal"));
  EXPECT_TRUE(h.runner.commands_ran().empty());
  EXPECT_EQ(NotForNewRun(h.state()), "");
  std::string err;
  ASSERT_TRUE(WriteFileAtomic(h.state() + "/workspace/notes", "mine\n", &err)) << err;
  EXPECT_THAT(NotForNewRun(h.state()), HasSubstr("(it has `workspace`)"));
  ASSERT_EQ(::unlink((h.state() + "/workspace/notes").c_str()), 0);
  // An empty directory elsewhere, linked in as logs/: the run's logs would go there. Refused.
  ASSERT_EQ(::rmdir((h.state() + "/logs").c_str()), 0);
  ASSERT_EQ(::mkdir((h.dir / "elsewhere").c_str(), 0755), 0);
  ASSERT_EQ(::symlink((h.dir / "elsewhere").c_str(), (h.state() + "/logs").c_str()), 0);
  EXPECT_THAT(NotForNewRun(h.state()), HasSubstr("(it has `logs`)"));
  ASSERT_EQ(::unlink((h.state() + "/logs").c_str()), 0);
  ASSERT_EQ(::rmdir(blocker.c_str()), 0);
  r = h.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b", "do c"));
}

TEST(CheckpointResumeTest, StartRefusesADirectoryHoldingARun) {
  SessionHarness h;
  h.Start(Abc());
  SessionResult r = h.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "state directory " + h.state() +
                           " holds a run already; continue it with `asmplan resume --state-dir " +
                           h.state() + "`, or start afresh with another --state-dir");
}

// Hints name the state directory absolutely, so they work pasted in another directory.
TEST(CheckpointResumeTest, AbsolutePathIsAgainstTheCurrentDirectory) {
  char* here = ::getcwd(nullptr, 0);
  ASSERT_NE(here, nullptr);
  std::string cwd = here;
  std::free(here);
  EXPECT_EQ(AbsolutePath(".asmplan/p"), cwd + "/.asmplan/p");
  EXPECT_EQ(AbsolutePath("."), cwd);
  EXPECT_EQ(AbsolutePath("/srv/state"), "/srv/state");
}

TEST(CheckpointResumeTest, LockedDirectoryIsRefused) {
  SessionHarness h;
  std::string err, note;
  ASSERT_TRUE(MakeDirectories(h.state(), &err));
  bool other = false;
  auto lock = StateLock::Acquire(h.state(), &other, &note, &err);
  ASSERT_TRUE(lock);
  SessionResult r = h.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kLocked);
  EXPECT_THAT(r.message, HasSubstr("is locked by pid " + std::to_string(::getpid())));
  EXPECT_TRUE(h.runner.commands_ran().empty());
}

TEST(CheckpointResumeTest, ResumeRunsOnlyWhatDidNotSucceed) {
  SessionHarness h;
  h.runner.Expect("do b", FakeCommandRunner::Exit(1));
  h.runner.Expect("do b", FakeCommandRunner::Exit(0));
  EXPECT_EQ(h.Start(Abc()).status, SessionStatus::kFailed);
  SessionResult r = h.Resume({});
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b", "do b", "do c"));
  EXPECT_EQ(h.Load().steps["b"].attempts, 2);
}

TEST(CheckpointResumeTest, RerunRunsASucceededStepAgain) {
  SessionHarness h;
  h.Start(Abc());
  ResumeRequest req;
  req.rerun = {"b"};
  // While it runs again, its record no longer says "rerun requested" (status would show it).
  StepRecord during;
  h.runner.SetDefault([&](const CommandSpec&) {
    during = h.Load().steps["b"];
    return FakeCommandRunner::Exit(0);
  });
  EXPECT_EQ(h.Resume(req).status, SessionStatus::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b", "do c", "do b"));
  EXPECT_EQ(during.state, StepState::kRunning);
  EXPECT_EQ(during.attempts, 2);
  EXPECT_EQ(during.message, "");
  req.rerun = {"nope"};
  SessionResult r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "--rerun: the plan has no step `nope`");
}

// A `for` group's name is not a step: the refusal names the steps it holds.
TEST(CheckpointResumeTest, RerunOfAGroupNameListsItsSteps) {
  Plan plan = Abc();
  plan.steps.push_back(MakeStep("restart[x]", {"c"}));
  plan.steps.push_back(MakeStep("restart[y]", {"c"}));
  plan.steps[3].group = plan.steps[4].group = "restart";
  ResumeRequest req;
  req.rerun = {"restart"};
  EXPECT_EQ(UnknownStepError(plan, req),
            "--rerun: the plan has no step `restart`; it is a group of steps, name one of them: "
            "`restart[x]`, `restart[y]`");
  for (int k = 0; k < 6; ++k) {
    plan.steps.push_back(MakeStep("restart[n" + std::to_string(k) + "]", {"c"}));
    plan.steps.back().group = "restart";
  }
  req.rerun.clear();
  req.approved = {"restart"};
  EXPECT_EQ(UnknownStepError(plan, req),
            "--approve: the plan has no step `restart`; it is a group of steps, name one of them: "
            "`restart[x]`, `restart[y]`, `restart[n0]`, `restart[n1]`, `restart[n2]` and 3 more");
}

// Run again and recorded as done: one of them used to be silently ignored.
TEST(CheckpointResumeTest, RerunAndMarkDoneOfOneStepAreRefused) {
  Plan plan = Abc();
  ResumeRequest req;
  req.rerun = {"a", "b"};
  req.mark_done = "b";
  EXPECT_EQ(UnknownStepError(plan, req),
            "--rerun b and --mark-done b contradict each other: give one");
  req.mark_done = "c";
  EXPECT_EQ(UnknownStepError(plan, req), "");
}

// --approve with a typo, or naming a step without a confirm gate, is refused before anything runs.
TEST(CheckpointResumeTest, ApproveMustNameAConfirmGate) {
  SessionHarness h;
  Plan plan = Abc();
  plan.steps[1].confirm = "Go?";
  std::string text = WriteCompiledPlan(&plan);
  RunRequest req;
  req.state_dir = h.state();
  req.approved = {"bb"};
  SessionResult r = StartRun(plan, text, req, h.svc);
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "--approve: the plan has no step `bb`");
  EXPECT_TRUE(h.runner.commands_ran().empty());
  EXPECT_NE(::access((h.state() + "/journal").c_str(), F_OK), 0);
  req.approved = {"a"};
  r = StartRun(plan, text, req, h.svc);
  EXPECT_EQ(r.message, "--approve: the plan has no step `a` with a confirm gate");
  // A run stopped at the gate: resume refuses the typo too, then proceeds with the right name.
  EXPECT_EQ(h.Start(plan).status, SessionStatus::kAwaiting);
  ResumeRequest resume;
  resume.approved = {"bb"};
  EXPECT_EQ(h.Resume(resume).status, SessionStatus::kInvalid);
  resume.approved = {"b"};
  EXPECT_EQ(h.Resume(resume).status, SessionStatus::kSucceeded);
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b", "do c"));
}

TEST(CheckpointResumeTest, MarkDoneNeedsVerifyOrForceAndJournalsTheReason) {
  SessionHarness h;
  Plan plan = Abc();
  plan.steps[1].verify = {CommandGuard("b-ok")};
  h.runner.Expect("do b", FakeCommandRunner::Exit(1));
  h.guards.Script(CanonicalText(CommandGuard("b-ok")), {FakeGuardEvaluator::Not("exit 1")});
  EXPECT_EQ(h.Start(plan).status, SessionStatus::kFailed);
  ResumeRequest req;
  req.mark_done = "b";
  req.reason = "fixed by hand";
  SessionResult r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kFailed);
  EXPECT_EQ(r.message,
            "cannot mark `b` done: verify `command [\"check\", \"b-ok\"] succeeds` does not hold: "
            "exit 1\npass --force to mark it done anyway");
  req.force = true;
  h.reporter.events.clear();
  r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b", "do c"));
  // The operator is told what was recorded, when the session starts.
  ASSERT_FALSE(h.reporter.events.empty());
  EXPECT_EQ(h.reporter.events.front().type, ExecEvent::Type::kNote);
  EXPECT_EQ(h.reporter.events.front().message,
            "marked `b` done without checking its verify (--force): fixed by hand");
  Checkpoint cp = h.Load();
  EXPECT_EQ(cp.steps["b"].message, "marked done (forced): fixed by hand");
  bool journaled = false;
  for (const JournalRecord& rec : cp.history) {
    journaled |= rec.kind == JournalRecord::Kind::kMarkDone && rec.text == "fixed by hand" &&
                 rec.number == 1;
  }
  EXPECT_TRUE(journaled);
}

TEST(CheckpointResumeTest, MarkDoneWhenVerifyHolds) {
  SessionHarness h;
  Plan plan = Abc();
  plan.steps[1].verify = {CommandGuard("b-ok")};
  h.runner.Expect("do b", FakeCommandRunner::Exit(1));
  h.guards.Script(CanonicalText(CommandGuard("b-ok")), {FakeGuardEvaluator::Holds()});
  EXPECT_EQ(h.Start(plan).status, SessionStatus::kFailed);
  ResumeRequest req;
  req.mark_done = "b";
  req.reason = "done";
  h.reporter.events.clear();
  EXPECT_EQ(h.Resume(req).status, SessionStatus::kSucceeded);
  EXPECT_EQ(h.Load().steps["b"].message, "marked done: done");
  ASSERT_FALSE(h.reporter.events.empty());
  EXPECT_EQ(h.reporter.events.front().message, "marked `b` done, its verify holds: done");
}

TEST(CheckpointResumeTest, ChangedPlanIsRefusedNamingTheSteps) {
  SessionHarness h;
  h.runner.Expect("do b", FakeCommandRunner::Exit(1));
  h.Start(Abc());
  Plan changed = Abc();
  changed.steps[1].run = {{"do", "b", "--better"}};
  changed.steps[2].timeout_ms = 5000;
  WriteCompiledPlan(&changed);
  ResumeRequest req;
  req.plan = &changed;
  req.accept_changes = true;
  SessionResult r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kPlanChanged);
  EXPECT_THAT(r.message, HasSubstr("steps that differ: b (changed), c (changed); already "
                                   "started: b (failed), so this run cannot continue with it"));
}

TEST(CheckpointResumeTest, AcceptChangesWhenOnlyNeverStartedStepsChanged) {
  SessionHarness h;
  h.runner.Expect("do b", FakeCommandRunner::Exit(1));
  h.runner.Expect("do b", FakeCommandRunner::Exit(0));
  h.Start(Abc());
  Plan changed = Abc();
  changed.steps[2].run = {{"do", "c", "--better"}};
  changed.steps.push_back(MakeStep("d", {"c"}));
  WriteCompiledPlan(&changed);
  ResumeRequest req;
  req.plan = &changed;
  SessionResult r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kPlanChanged);
  EXPECT_THAT(r.message, HasSubstr("steps that differ: c (changed), d (added); none of them has "
                                   "started: pass --accept-changes"));
  req.accept_changes = true;
  // A typo in a step name of the new plan is refused before the change is accepted.
  req.rerun = {"dd"};
  r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "--rerun: the plan has no step `dd`");
  EXPECT_NE(h.Load().plan_sha256, changed.sha256);
  req.rerun.clear();
  // So is a --mark-done whose verify does not hold (a has none).
  req.mark_done = "a";
  req.reason = "checked by hand";
  r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kFailed);
  EXPECT_THAT(r.message, HasSubstr("cannot mark `a` done: it has no verify guard"));
  EXPECT_NE(h.Load().plan_sha256, changed.sha256);
  req.mark_done.clear();
  h.reporter.events.clear();
  r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;
  // The note is reported when the session starts, as its first event, not after the run.
  ASSERT_FALSE(h.reporter.events.empty());
  EXPECT_EQ(h.reporter.events.front().type, ExecEvent::Type::kNote);
  EXPECT_EQ(h.reporter.events.front().message,
            "continuing with the changed plan; changed steps: c (changed), d (added)");
  EXPECT_EQ(r.note, "");
  EXPECT_THAT(h.runner.commands_ran(),
              ElementsAre("do a", "do b", "do b", "do c --better", "do d"));
  EXPECT_EQ(h.Load().plan_sha256, changed.sha256);
  // The new plan is now the run's: resuming without a plan file keeps working.
  EXPECT_EQ(h.Resume({}).status, SessionStatus::kSucceeded);
}

// A step stopped at its confirm gate ran nothing: a plan that changes it (its confirmation text,
// here) may be accepted.
TEST(CheckpointResumeTest, AStepAtItsConfirmGateHasNotStarted) {
  SessionHarness h;
  Plan plan = Abc();
  plan.steps[1].confirm = "Go?";
  EXPECT_EQ(h.Start(plan).status, SessionStatus::kAwaiting);
  Plan changed = plan;
  changed.steps[1].confirm = "Checked the dashboards? Go?";
  WriteCompiledPlan(&changed);
  ResumeRequest req;
  req.plan = &changed;
  req.accept_changes = true;
  req.approved = {"b"};
  SessionResult r = h.Resume(req);
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;
  EXPECT_THAT(h.runner.commands_ran(), ElementsAre("do a", "do b", "do c"));
}

/// Abc() with a secret parameter `token` (from ASMPLAN_SECRET_TOKEN).
Plan AbcWithSecret() {
  Plan plan = Abc();
  ParamValue p;
  p.name = "token";
  p.type = "string";
  p.secret = true;
  plan.params = {p};
  return plan;
}

TEST(CheckpointResumeTest, MissingSecretIsInvalid) {
  SessionHarness h;
  Plan plan = AbcWithSecret();
  SessionResult r = h.Start(plan);
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "secret parameter `token` has no value: set ASMPLAN_SECRET_TOKEN");
  h.env["ASMPLAN_SECRET_TOKEN"] = "x";
  EXPECT_EQ(h.Start(plan).status, SessionStatus::kSucceeded);
}

// A short secret's redaction hides ordinary text that holds its value: said when the run starts,
// without the value.
TEST(CheckpointResumeTest, AShortSecretIsWarnedAbout) {
  for (const char* value : {"ab1", "long-enough-token"}) {
    SCOPED_TRACE(value);
    SessionHarness h;
    h.env["ASMPLAN_SECRET_TOKEN"] = value;
    EXPECT_EQ(h.Start(AbcWithSecret()).status, SessionStatus::kSucceeded);
    std::string notes;
    for (const ExecEvent& e : h.reporter.events) {
      if (e.type == ExecEvent::Type::kNote) notes += e.message + "\n";
    }
    bool short_one = std::string(value) == "ab1";
    EXPECT_EQ(notes.find("secret `token` is shorter than 6 characters: wherever its value appears "
                         "in output, logs, events or the journal, even inside other words, it is "
                         "shown as ***") != std::string::npos,
              short_one)
        << notes;
    EXPECT_EQ(notes.find("ab1"), std::string::npos) << notes;
  }
}

TEST(CheckpointResumeTest, ResumeWithoutARunSaysSo) {
  SessionHarness h;
  SessionResult r = h.Resume({});
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "no run to resume in " + h.state() +
                           " (no such directory); start one with `asmplan run`");
  EXPECT_NE(::access(h.state().c_str(), F_OK), 0);  // a mistyped directory is not created
  ASSERT_EQ(::mkdir(h.state().c_str(), 0755), 0);
  r = h.Resume({});
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "no run to resume in " + h.state() +
                           " (it has no journal); start one with `asmplan run`");
  EXPECT_NE(::access((h.state() + "/lock").c_str(), F_OK), 0);  // nothing is created in it
  std::string err;
  ASSERT_TRUE(WriteFileAtomic(h.dir / "file", "x", &err)) << err;
  ResumeRequest req;
  req.state_dir = h.dir / "file";
  r = ResumeRun(req, h.svc);
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "no run to resume in " + req.state_dir +
                           " (not a directory); start one with `asmplan run`");
}

// A run's state directory is new, empty, or what a run killed before its journal existed left
// (its lock and plan.yaml). Any other directory is refused before anything is written to it.
TEST(CheckpointResumeTest, StartRefusesADirectoryThatHoldsSomethingElse) {
  SessionHarness h;
  std::string err, before;
  ASSERT_TRUE(MakeDirectories(h.state() + "/logs", &err)) << err;
  ASSERT_TRUE(WriteFileAtomic(h.state() + "/logs/a.log", "keep\n", &err)) << err;
  ASSERT_TRUE(WriteFileAtomic(h.state() + "/notes.txt", "keep\n", &err)) << err;
  SessionResult r = h.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "state directory " + h.state() +
                           " is not empty and holds no asmplan run (it has `logs`, `notes.txt`): a "
                           "run would write over what is there; choose a new or empty directory");
  EXPECT_NE(::access((h.state() + "/lock").c_str(), F_OK), 0);
  ASSERT_TRUE(ReadWholeFile(h.state() + "/logs/a.log", &before, &err)) << err;
  EXPECT_EQ(before, "keep\n");
  EXPECT_TRUE(h.runner.commands_ran().empty());

  // A plan.yaml with no lock beside it is someone's file, not a killed run's.
  SessionHarness other;
  ASSERT_TRUE(MakeDirectories(other.state(), &err)) << err;
  ASSERT_TRUE(WriteFileAtomic(other.state() + "/plan.yaml", "mine\n", &err)) << err;
  r = other.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_THAT(r.message, HasSubstr("(it has `plan.yaml`)"));
  ASSERT_TRUE(ReadWholeFile(other.state() + "/plan.yaml", &before, &err)) << err;
  EXPECT_EQ(before, "mine\n");

  // With its lock, it is a run killed before its journal: started afresh.
  ASSERT_TRUE(WriteFileAtomic(other.state() + "/lock", "", &err)) << err;
  r = other.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;

  // A journal: refused as a run, before a lock is made beside it.
  SessionHarness journal;
  ASSERT_TRUE(MakeDirectories(journal.state(), &err)) << err;
  ASSERT_TRUE(WriteFileAtomic(journal.state() + "/journal", "x", &err)) << err;
  r = journal.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_THAT(r.message, HasSubstr(" holds a run already; continue it with `asmplan resume"));
  EXPECT_NE(::access((journal.state() + "/lock").c_str(), F_OK), 0);

  // A new file system's lost+found is no one's work.
  SessionHarness mounted;
  ASSERT_TRUE(MakeDirectories(mounted.state() + "/lost+found", &err)) << err;
  r = mounted.Start(Abc());
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;

  ASSERT_TRUE(WriteFileAtomic(h.dir / "file", "x", &err)) << err;
  RunRequest req;
  req.state_dir = h.dir / "file";
  Plan plan = Abc();
  r = StartRun(plan, WriteCompiledPlan(&plan), req, h.svc);
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_EQ(r.message, "--state-dir " + req.state_dir + " is not a directory");
}

// A torn tail is cut off only by a resume that goes ahead, its bytes kept; a refused resume changes
// nothing.
TEST(CheckpointResumeTest, ATornTailIsCutOnlyByAResumeThatGoesAheadAndIsKept) {
  SessionHarness h;
  h.runner.Expect("do b", FakeCommandRunner::Exit(1));
  h.runner.Expect("do b", FakeCommandRunner::Exit(0));
  h.Start(Abc());
  std::string journal = h.state() + "/journal", bytes, err;
  ASSERT_TRUE(ReadWholeFile(journal, &bytes, &err)) << err;
  const std::string torn = bytes + std::string("\x40\x00\x00\x00tor", 7);
  ASSERT_TRUE(WriteFileAtomic(journal, torn, &err)) << err;
  ResumeRequest typo;
  typo.rerun = {"zz"};
  EXPECT_EQ(h.Resume(typo).status, SessionStatus::kInvalid);
  Plan changed = Abc();
  changed.steps[2].run = {{"do", "c", "--better"}};
  WriteCompiledPlan(&changed);
  ResumeRequest other_plan;
  other_plan.plan = &changed;  // without --accept-changes: refused
  EXPECT_EQ(h.Resume(other_plan).status, SessionStatus::kPlanChanged);
  std::string after;
  ASSERT_TRUE(ReadWholeFile(journal, &after, &err)) << err;
  EXPECT_EQ(after, torn);
  h.reporter.events.clear();
  EXPECT_EQ(h.Resume({}).status, SessionStatus::kSucceeded);
  std::string kept;
  ASSERT_TRUE(ReadWholeFile(TornTailPath(journal, bytes.size()), &kept, &err)) << err;
  EXPECT_EQ(kept, torn.substr(bytes.size()));
  ASSERT_FALSE(h.reporter.events.empty());
  EXPECT_EQ(h.reporter.events.front().message,
            "ignored a torn last journal record (the executor was killed writing it); its bytes "
            "are kept in " +
                TornTailPath(journal, bytes.size()));
}

TEST(CheckpointResumeTest, EditedPlanFileIsRefused) {
  SessionHarness h;
  h.Start(Abc());
  std::string text, err;
  ASSERT_TRUE(ReadWholeFile(h.state() + "/plan.yaml", &text, &err));
  size_t at = text.find("do");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 2, "rm");
  ASSERT_TRUE(WriteFileAtomic(h.state() + "/plan.yaml", text, &err));
  SessionResult r = h.Resume({});
  EXPECT_EQ(r.status, SessionStatus::kInvalid);  // bad input (exit 2), as for `status`
  EXPECT_THAT(r.message, HasSubstr(h.state() + "/plan.yaml: "));
  EXPECT_THAT(r.message, HasSubstr("it was changed after compiling; put back the plan the run was "
                                   "started with (sha256 " +
                                   h.Load().plan_sha256.substr(0, 12) + "...)"));
  EXPECT_THAT(r.message, Not(HasSubstr("compile it again")));
  // A sound compiled plan that is not the run's: refused the same way, saying what happened.
  Plan other = Abc();
  other.steps[0].run = {{"rm", "a"}};
  ASSERT_TRUE(WriteFileAtomic(h.state() + "/plan.yaml", WriteCompiledPlan(&other), &err));
  r = h.Resume({});
  EXPECT_EQ(r.status, SessionStatus::kInvalid);
  EXPECT_THAT(r.message, HasSubstr("is not the plan this run's journal is bound to"));
  EXPECT_THAT(r.message, HasSubstr("put back the one the run was started with"));
}

// A crash between the durable --accept-changes record and the rename of plan.next.yaml: the
// journal is bound to the new plan, plan.yaml is still the old one. Reading the run finds the new
// plan; resume finishes the switch.
TEST(CheckpointResumeTest, AnAcceptCutOffBeforeItsRenameIsFinished) {
  SessionHarness h;
  h.runner.Expect("do b", FakeCommandRunner::Exit(1));
  h.runner.Expect("do b", FakeCommandRunner::Exit(0));
  Plan old = Abc();
  h.Start(old);
  Plan changed = Abc();
  changed.steps[2].run = {{"do", "c", "--better"}};
  const std::string changed_text = WriteCompiledPlan(&changed);
  ResumeRequest req;
  req.plan = &changed;
  req.accept_changes = true;
  ASSERT_EQ(h.Resume(req).status, SessionStatus::kSucceeded);
  ASSERT_EQ(h.Load().plan_sha256, changed.sha256);
  std::string err;
  ASSERT_TRUE(WriteFileAtomic(h.state() + "/plan.next.yaml", changed_text, &err)) << err;
  ASSERT_TRUE(WriteFileAtomic(h.state() + "/plan.yaml", WriteCompiledPlan(&old), &err)) << err;
  Plan read;
  bool pending = false;
  ASSERT_TRUE(ReadStoredPlan(h.state(), changed.sha256, &read, &pending, &err)) << err;
  EXPECT_TRUE(pending);
  EXPECT_EQ(read.sha256, changed.sha256);
  SessionResult r = h.Resume({});
  EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;
  std::string text;
  ASSERT_TRUE(ReadWholeFile(h.state() + "/plan.yaml", &text, &err)) << err;
  EXPECT_EQ(text, changed_text);
  EXPECT_NE(::access((h.state() + "/plan.next.yaml").c_str(), F_OK), 0);
}

// Commands a killed run left running on another host cannot be seen from here: resume says so when
// that session left a step cut off.
TEST(CheckpointResumeTest, ResumeSaysWhenTheLastSessionRanOnAnotherHost) {
  SessionHarness h;
  ASSERT_EQ(h.Start(Abc()).status, SessionStatus::kSucceeded);
  auto elsewhere = [&h](bool cut_off) {
    std::string err;
    Checkpoint cp = h.Load();
    auto journal = JournalWriter::OpenForAppend(h.state() + "/journal", cp.valid_bytes, &err);
    ASSERT_TRUE(journal) << err;
    JournalRecord session;
    session.kind = JournalRecord::Kind::kSession;
    session.text = "resume";
    session.number = 4242;
    session.host = "build-elsewhere-7";
    journal->Append(session);
    if (cut_off) {
      JournalRecord step;
      step.kind = JournalRecord::Kind::kStep;
      step.step = "c";
      step.record = cp.steps["c"];
      step.record.state = StepState::kRunning;  // its commands done, its checks not
      journal->Append(step);
    }
    ASSERT_TRUE(journal->Sync(&err)) << err;
  };
  auto notes = [&h] {
    std::string out;
    for (const ExecEvent& e : h.reporter.events) {
      if (e.type == ExecEvent::Type::kNote) out += e.message + "\n";
    }
    h.reporter.events.clear();
    return out;
  };
  const std::string said =
      "the last session ran on host build-elsewhere-7: commands it left running there cannot be "
      "seen from here";
  elsewhere(false);  // it finished there: nothing to say
  EXPECT_EQ(h.Resume({}).status, SessionStatus::kSucceeded);
  EXPECT_THAT(notes(), Not(HasSubstr("ran on host")));
  elsewhere(true);
  EXPECT_EQ(h.Resume({}).status, SessionStatus::kSucceeded);
  EXPECT_THAT(notes(), HasSubstr(said));
  EXPECT_EQ(h.Load().steps["c"].state, StepState::kSucceeded);
}

// A session killed after it armed b (JournalRecord::kArm) and before b's running record: on the
// boot that armed it, b never started, and resume runs it with no question; after the machine
// restarted (another boot ID in the journal), b may have started, and resume settles it as a step
// cut off while running: by its verify, or by asking.
TEST(CheckpointResumeTest, AnArmedStepIsAskedAboutOnlyAfterTheMachineRestarted) {
  if (BootId().empty()) GTEST_SKIP() << "this machine has no boot ID to compare";
  for (const std::string& boot : {BootId(), std::string("an-earlier-boot")}) {
    for (bool verify : {false, true}) {
      SCOPED_TRACE(boot + (verify ? " with verify" : ""));
      SessionHarness h;
      Plan plan;
      plan.name = "ab";
      plan.steps = {MakeStep("a"), MakeStep("b")};
      if (verify) plan.steps[1].verify = {CommandGuard("b")};
      bool a_failed = false;  // a fails once: the run stops after arming b
      h.runner.SetDefault([&a_failed](const CommandSpec& spec) {
        CommandResult r;
        r.exit_code = spec.argv[1] == "a" && !a_failed ? 1 : 0;
        a_failed = a_failed || r.exit_code != 0;
        return r;
      });
      ASSERT_EQ(h.Start(plan).status, SessionStatus::kFailed);
      // The killed session: it armed b and wrote nothing more.
      std::string err;
      EXPECT_TRUE(h.Load().armed.empty());  // the failed run's finish settled its arms
      ASSERT_TRUE(AppendArmedThenKilled(h.state() + "/journal", boot, HostName(), "b", &err))
          << err;
      SessionResult r = h.Resume({});
      bool restarted = boot != BootId();
      std::string notes;
      for (const ExecEvent& e : h.reporter.events) {
        if (e.type == ExecEvent::Type::kNote) notes += e.message + "\n";
      }
      EXPECT_EQ(
          notes.find("a step about to start when the run stopped may have started (the "
                     "machine restarted since the last session, or this is another one): "
                     "b; each is settled as a step cut off while running") != std::string::npos,
          restarted)
          << notes;
      std::vector<std::string> ran = h.runner.commands_ran();
      int b_ran = static_cast<int>(std::count(ran.begin(), ran.end(), "do b"));
      if (!restarted) {
        EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;
        EXPECT_EQ(b_ran, 1);
      } else if (verify) {
        EXPECT_EQ(r.status, SessionStatus::kSucceeded) << r.message;  // its verify holds
        EXPECT_EQ(b_ran, 0);
        EXPECT_EQ(h.Load().steps["b"].state, StepState::kSucceeded);
      } else {
        EXPECT_EQ(r.status, SessionStatus::kAwaiting) << r.message;
        EXPECT_THAT(r.message, HasSubstr("--mark-done b"));
        EXPECT_EQ(b_ran, 0);
        // Journaled as running: the next resume asks again, though this one finished.
        EXPECT_EQ(h.Load().steps["b"].state, StepState::kRunning);
        EXPECT_EQ(h.Resume({}).status, SessionStatus::kAwaiting);
        ran = h.runner.commands_ran();
        EXPECT_EQ(std::count(ran.begin(), ran.end(), "do b"), 0);
      }
    }
  }
}

}  // namespace
}  // namespace asmplan
