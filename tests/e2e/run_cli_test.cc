// `asmplan run` and `resume` arguments through the built binary: repeatable options take one
// value each, options that belong to --mark-done are refused without it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "runtime/checkpoint_journal.h"
#include "tests/e2e/executor_process.h"
#include "tests/support/armed_journal.h"
#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

Plan GatedPlan() {
  Plan plan;
  plan.name = "gated";
  Step gate;
  gate.id = "gate";
  gate.confirm = "go?";
  gate.run = {{"true"}};
  Step after;
  after.id = "after";
  after.after = {"gate"};
  after.run = {{"true"}};
  plan.steps = {gate, after};
  return plan;
}

std::string Output(const TempDir& dir) {
  std::string out, err;
  EXPECT_TRUE(ReadWholeFile(dir / "asmplan.out", &out, &err)) << err;
  ::unlink((dir / "asmplan.out").c_str());
  return out;
}

// Many steps at once need more open files than a low default soft limit allows: asmplan raises
// it toward the hard limit instead of failing steps with "Too many open files", and when even the
// hard limit is too low, says so before anything starts.
TEST(RunCliTest, ManyJobsRaiseTheOpenFileLimitOrAreRefusedUpFront) {
  TempDir dir;
  Plan plan;
  plan.name = "wide";
  for (int i = 0; i < 60; ++i) {
    Step s;
    s.id = "s" + std::to_string(i);
    s.run = {{"sh", "-c", "echo started; sleep 1"}};
    plan.steps.push_back(s);
  }
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  testing::AsmplanProcess run(
      {"run", dir / "plan.yaml", "--jobs", "60", "--state-dir", dir / "state"}, dir.path(), -1,
      {64, 4096});
  EXPECT_EQ(run.Wait(), 0) << Output(dir);
  testing::AsmplanProcess low(
      {"run", dir / "plan.yaml", "--jobs", "60", "--state-dir", dir / "low"}, dir.path(), -1,
      {64, 64});
  EXPECT_EQ(low.Wait(), 2);
  std::string said = Output(dir);
  EXPECT_NE(said.find("error: --jobs 60 needs about 304 open files, and this process may have "
                      "only 64 (ulimit -Hn): give a smaller --jobs"),
            std::string::npos)
      << said;
  EXPECT_NE(::access((dir / "low").c_str(), F_OK), 0);  // nothing started, nothing created
}

// What `run` cannot read is an I/O error (exit 1) however the file is named, and a device is
// refused before it is read (/dev/zero used to fill the memory); `-` reads a compiled plan from
// standard input, as `show -` does.
TEST(RunCliTest, UnreadableInputsExitOneAndDashReadsStdin) {
  TempDir dir;
  for (std::string file : {"/dev/zero", "missing.yaml", "missing.asmplan"}) {
    testing::AsmplanProcess run({"run", file, "--dry-run"}, dir.path());
    EXPECT_EQ(run.Wait(), 1) << file;
    std::string said = Output(dir);
    EXPECT_NE(said.find("cannot read"), std::string::npos) << said;
  }
  Plan plan = GatedPlan();
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  int in = ::open((dir / "plan.yaml").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(in, 0);
  testing::AsmplanProcess run({"run", "-", "--dry-run"}, dir.path(), -1, {0, 0}, in);
  ::close(in);
  EXPECT_EQ(run.Wait(), 0);
  std::string said = Output(dir);
  EXPECT_NE(said.find("# plan gated"), std::string::npos) << said;
  // A pipe given by name, as `run <(asmplan compile ...)` gives one, is read too.
  std::string text, err;
  ASSERT_TRUE(ReadWholeFile(dir / "plan.yaml", &text, &err)) << err;
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  testing::AsmplanProcess piped({"run", "/dev/stdin", "--dry-run"}, dir.path(), -1, {0, 0}, fds[0]);
  ::close(fds[0]);
  EXPECT_EQ(piped.Wait(), 0);
  said = Output(dir);
  EXPECT_NE(said.find("# plan gated"), std::string::npos) << said;
}

// --events to a FIFO (a consumer reads it as the run goes): the check that it is no journal must
// not open it to look, which would wait for a writer that is asmplan itself.
TEST(RunCliTest, EventsIntoAFifoAreWritten) {
  TempDir dir;
  Plan plan = GatedPlan();
  plan.steps[0].confirm.clear();
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  std::string fifo = dir / "events.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string events;
  std::thread consumer([&] {
    std::ifstream in(fifo);
    events.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  testing::AsmplanProcess run(
      {"run", dir / "plan.yaml", "--state-dir", dir / "state", "--events", fifo}, dir.path());
  int status = -1;
  for (int i = 0; i < 2000 && ::waitpid(run.pid(), &status, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  bool ended = WIFEXITED(status);
  if (!ended) {
    ::kill(run.pid(), SIGKILL);
    std::ofstream(fifo) << "";  // lets the consumer end
  }
  consumer.join();
  ASSERT_TRUE(ended) << "still running after 20 s";
  EXPECT_EQ(WEXITSTATUS(status), 0) << Output(dir);
  EXPECT_NE(events.find("\"event\":\"run_finished\""), std::string::npos) << events;
}

TEST(RunCliTest, RepeatableOptionsTakeOneValueEach) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePlanFile(GatedPlan(), dir / "plan.yaml"));
  std::string state = dir / "state";
  // FILE after --approve STEP is FILE, not a second step to approve.
  testing::AsmplanProcess run({"run", "--approve", "gate", dir / "plan.yaml", "--state-dir", state},
                              dir.path());
  EXPECT_EQ(run.Wait(), 0) << Output(dir);
  testing::AsmplanProcess rerun(
      {"resume", "--rerun", "gate", "--rerun", "after", "--approve", "gate", "--state-dir", state},
      dir.path());
  EXPECT_EQ(rerun.Wait(), 0) << Output(dir);
  Checkpoint cp;
  std::string err;
  ASSERT_TRUE(LoadJournal(state + "/journal", &cp, &err)) << err;
  EXPECT_EQ(cp.steps["gate"].attempts, 2);
  EXPECT_EQ(cp.steps["after"].attempts, 2);
}

// A run whose events file cannot be written keeps its outcome and says the file is incomplete.
TEST(RunCliTest, AnEventsFileThatCannotBeWrittenIsToldAtTheEnd) {
  TempDir dir;
  Plan plan = GatedPlan();
  plan.steps[0].confirm.clear();
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  testing::AsmplanProcess run(
      {"run", dir / "plan.yaml", "--state-dir", dir / "state", "--events", "/dev/full"},
      dir.path());
  EXPECT_EQ(run.Wait(), 0);
  std::string out = Output(dir);
  EXPECT_NE(out.find("warning: events file /dev/full is incomplete: writing event 1 failed (No "
                     "space left on device), and no later event was written\n"),
            std::string::npos)
      << out;
}

// --dry-run checks --approve as the run does: a preview does not pass a typo the run refuses.
TEST(RunCliTest, DryRunRefusesAnApprovalOfNoStep) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePlanFile(GatedPlan(), dir / "plan.yaml"));
  testing::AsmplanProcess run(
      {"run", dir / "plan.yaml", "--dry-run", "--approve", "gaet", "--state-dir", dir / "state"},
      dir.path());
  EXPECT_EQ(run.Wait(), 2);
  std::string out = Output(dir);
  EXPECT_NE(out.find("error: --approve: the plan has no step `gaet`"), std::string::npos) << out;
}

// The way to continue names the run's state directory: the hint works when pasted as it is.
TEST(RunCliTest, TheHintToResumeNamesTheStateDirectory) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePlanFile(GatedPlan(), dir / "plan.yaml"));
  std::string state = dir / "my state";
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", state}, dir.path());
  EXPECT_EQ(run.Wait(), 3);
  std::string out = Output(dir);
  EXPECT_NE(out.find("continue with `asmplan resume --state-dir '" + state + "' --approve gate`"),
            std::string::npos)
      << out;
  // A preview refuses what the run would refuse: this directory holds a run now.
  testing::AsmplanProcess preview({"run", dir / "plan.yaml", "--state-dir", state, "--dry-run"},
                                  dir.path());
  EXPECT_EQ(preview.Wait(), 2);
  out = Output(dir);
  EXPECT_NE(out.find("holds a run already; continue it with `asmplan resume"), std::string::npos)
      << out;
}

// --dry-run prints every command exactly as it would run, in execution order, where it would run,
// with secrets as their references, and changes nothing: no state directory, no command run.
TEST(RunCliTest, DryRunPrintsEveryCommandInOrderAndChangesNothing) {
  TempDir dir;
  Plan plan;
  plan.name = "dry";
  ParamValue token{"token", "string", "", "ASMPLAN_SECRET_TOKEN", true};
  plan.params = {token};
  Step first;
  first.id = "first";
  first.run = {{"touch", dir / "ran"}, {"kubectl", "apply", "--token=${token}", "two words"}};
  Step second;
  second.id = "second";
  second.after = {"first"};
  second.verify = {[] {
    Guard g;
    g.kind = GuardKind::kPodsAllReady;
    g.ns = "payments";
    return g;
  }()};
  second.run = {{"work/istio/bin/istioctl", "install", "-y"}};
  plan.steps = {first, second};
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  std::string state = dir / "state";
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--dry-run", "--state-dir", state},
                              dir.path());
  EXPECT_EQ(run.Wait(), 0);
  std::string out = Output(dir);
  const std::string expected[] = {
      "# commands run in " + state + "/workspace\n",
      "# step first\n",
      "touch " + (dir / "ran") + "\n",
      "kubectl apply '--token=${token}' 'two words'\n",
      "# step second (after first)\n",
      "work/istio/bin/istioctl install -y\n",
      "#   verify pods in ns \"payments\" all ready\n",
  };
  size_t at = 0;
  for (const std::string& line : expected) {
    size_t found = out.find(line, at);
    EXPECT_NE(found, std::string::npos) << line << "\n---\n" << out;
    if (found != std::string::npos) at = found;
  }
  EXPECT_NE(::access((dir / "ran").c_str(), F_OK), 0);
  EXPECT_NE(::access(state.c_str(), F_OK), 0);
  // The secret is not set: the real run would be refused, and the dry run says so.
  const std::string refused =
      "# secret parameter `token` has no value: set ASMPLAN_SECRET_TOKEN: the run is refused "
      "(exit 2) until it is set\n";
  EXPECT_NE(out.find(refused), std::string::npos) << out;
  ::setenv("ASMPLAN_SECRET_TOKEN", "s3cr3t-value", 1);
  testing::AsmplanProcess with({"run", dir / "plan.yaml", "--dry-run", "--state-dir", state},
                               dir.path());
  ::unsetenv("ASMPLAN_SECRET_TOKEN");
  EXPECT_EQ(with.Wait(), 0);
  out = Output(dir);
  EXPECT_EQ(out.find(refused), std::string::npos) << out;
  EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << out;
}

// What a command said reaches the operator's terminal with its control bytes escaped: in the
// event lines and in the final summary alike.
TEST(RunCliTest, ControlBytesInMessagesAreEscaped) {
  TempDir dir;
  Plan plan;
  plan.name = "escapes";
  Step a;
  a.id = "a";
  a.run = {{"true"}};
  Guard g;
  g.kind = GuardKind::kCommandSucceeds;
  g.argv = {"sh", "-c", "printf '\\033[2Jcleared\\n' >&2; exit 1"};
  a.verify = {g};
  plan.steps = {a};
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--state-dir", dir / "state"}, dir.path());
  EXPECT_EQ(run.Wait(), 1);
  std::string out = Output(dir);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("error: step `a` failed: verify"), std::string::npos) << out;
  EXPECT_NE(out.find("\\x1b[2Jcleared"), std::string::npos) << out;
}

// A failed command guard's message quotes the last line the command printed, cut to 300 bytes. A
// secret in that line is redacted before the cut: none of its first bytes are left in the message,
// the journal, the events or the log.
TEST(RunCliTest, ASecretIsRedactedBeforeAQuotedLineIsCut) {
  TempDir dir;
  Plan plan;
  plan.name = "secret-cut";
  plan.params = {ParamValue{"token", "string", "", "ASMPLAN_SECRET_TOKEN", true}};
  Step a;
  a.id = "a";
  a.run = {{"true"}};
  Guard g;
  g.kind = GuardKind::kCommandSucceeds;
  // 290 zeros, then the secret: a cut at 297 bytes goes through it.
  g.argv = {"sh", "-c", "printf '%0290d%s\\n' 0 \"$1\"; exit 1", "sh", "${token}"};
  a.verify = {g};
  plan.steps = {a};
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  std::string state = dir / "state";
  ::setenv("ASMPLAN_SECRET_TOKEN", "TOPSECRET-0123456789", 1);
  testing::AsmplanProcess run(
      {"run", dir / "plan.yaml", "--state-dir", state, "--events", dir / "events.jsonl"},
      dir.path());
  ::unsetenv("ASMPLAN_SECRET_TOKEN");
  EXPECT_EQ(run.Wait(), 1);
  std::string out = Output(dir);
  EXPECT_NE(out.find(std::string(290, '0') + "***"), std::string::npos) << out;
  for (const std::string& file :
       {state + "/journal", dir / "events.jsonl", state + "/logs/a.log"}) {
    std::string bytes, err;
    ASSERT_TRUE(ReadWholeFile(file, &bytes, &err)) << err;
    EXPECT_NE(bytes.find(std::string(290, '0') + "***"), std::string::npos) << file;
    EXPECT_EQ(bytes.find("TOPS"), std::string::npos) << file;
  }
  EXPECT_EQ(out.find("TOPS"), std::string::npos) << out;
}

// A corrupt journal is bad input for `status` and `resume` (exit 2), not a failed step (exit 1);
// a torn tail is noted by `status`.
TEST(RunCliTest, ACorruptJournalIsInvalidInput) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePlanFile(GatedPlan(), dir / "plan.yaml"));
  std::string state = dir / "state";
  testing::AsmplanProcess run({"run", "--yes", dir / "plan.yaml", "--state-dir", state},
                              dir.path());
  ASSERT_EQ(run.Wait(), 0) << Output(dir);
  Output(dir);
  std::string bytes, err;
  ASSERT_TRUE(ReadWholeFile(state + "/journal", &bytes, &err)) << err;
  ASSERT_TRUE(WriteFileAtomic(state + "/journal", bytes + "\x05\x00\x00", &err)) << err;
  testing::AsmplanProcess torn({"status", "--state-dir", state}, dir.path());
  EXPECT_EQ(torn.Wait(), 0);
  EXPECT_NE(Output(dir).find("note: the journal ends in a torn record"), std::string::npos);
  size_t header = bytes.find('\n') + 1;
  bytes[header + 10] ^= 0x04;  // inside the first record
  ASSERT_TRUE(WriteFileAtomic(state + "/journal", bytes, &err)) << err;
  for (const char* command : {"status", "resume"}) {
    testing::AsmplanProcess p({command, "--state-dir", state}, dir.path());
    EXPECT_EQ(p.Wait(), 2) << command;
    EXPECT_NE(Output(dir).find("checkpoint journal is corrupt"), std::string::npos) << command;
  }
}

// A step armed (JournalRecord::kArm) before the machine restarted may have started: `status` shows
// it running, and `resume` says why and asks about it (it has no verify and must not run twice).
TEST(RunCliTest, AStepArmedBeforeARestartIsShownRunningAndAskedAbout) {
  TempDir dir;
  Plan plan;
  plan.name = "armed";
  Step a;
  a.id = "a";
  a.run = {{"false"}};
  Step b;
  b.id = "b";
  b.run = {{"true"}};
  plan.steps = {a, b};
  ASSERT_TRUE(testing::WritePlanFile(plan, dir / "plan.yaml"));
  std::string state = dir / "state", err;
  testing::AsmplanProcess run({"run", dir / "plan.yaml", "--jobs", "1", "--state-dir", state},
                              dir.path());
  ASSERT_EQ(run.Wait(), 1) << Output(dir);
  Output(dir);
  // What a session killed on an earlier boot, after arming b, leaves.
  ASSERT_TRUE(AppendArmedThenKilled(state + "/journal", "an-earlier-boot", "h", "b", &err)) << err;
  testing::AsmplanProcess status({"status", "--state-dir", state}, dir.path());
  EXPECT_EQ(status.Wait(), 0);
  std::string shown = Output(dir);
  std::string b_line = shown.substr(shown.find("\nb "));
  b_line = b_line.substr(0, b_line.find('\n', 1));
  EXPECT_NE(b_line.find("running"), std::string::npos) << shown;
  testing::AsmplanProcess resume({"resume", "--state-dir", state}, dir.path());
  EXPECT_EQ(resume.Wait(), 3);
  std::string said = Output(dir);
  EXPECT_NE(said.find("a step about to start when the run stopped may have started (the machine "
                      "restarted since the last session, or this is another one): b"),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("--mark-done b"), std::string::npos) << said;
}

// --events appends to its file: pointed at the journal it would destroy the checkpoint, so any
// file inside the state directory is refused before anything runs.
TEST(RunCliTest, EventsInsideTheStateDirectoryAreRefused) {
  TempDir dir;
  ASSERT_TRUE(testing::WritePlanFile(GatedPlan(), dir / "plan.yaml"));
  std::string state = dir / "state";
  testing::AsmplanProcess first(
      {"run", "--yes", dir / "plan.yaml", "--state-dir", state, "--events", state + "/ev.jsonl"},
      dir.path());
  EXPECT_EQ(first.Wait(), 2);
  EXPECT_NE(Output(dir).find("is inside the state directory"), std::string::npos);
  EXPECT_NE(::access(state.c_str(), F_OK), 0);  // nothing ran
  testing::AsmplanProcess run({"run", "--yes", dir / "plan.yaml", "--state-dir", state},
                              dir.path());
  ASSERT_EQ(run.Wait(), 0) << Output(dir);
  Output(dir);
  testing::AsmplanProcess resume(
      {"resume", "--state-dir", state, "--events", dir / "state/../state/journal"}, dir.path());
  EXPECT_EQ(resume.Wait(), 2);
  EXPECT_NE(Output(dir).find("is inside the state directory"), std::string::npos);
  // A hard link to the journal is the journal under another name.
  ASSERT_EQ(::link((state + "/journal").c_str(), (dir / "events.jsonl").c_str()), 0);
  testing::AsmplanProcess linked({"resume", "--state-dir", state, "--events", dir / "events.jsonl"},
                                 dir.path());
  EXPECT_EQ(linked.Wait(), 2);
  EXPECT_NE(Output(dir).find("is a hard link to a file of the state directory"), std::string::npos);
  // Also one below it (where logs and the workspace are).
  std::string err;
  ASSERT_TRUE(WriteFileAtomic(state + "/workspace/notes", "", &err)) << err;
  ASSERT_EQ(::link((state + "/workspace/notes").c_str(), (dir / "log-link.jsonl").c_str()), 0);
  testing::AsmplanProcess log_linked(
      {"resume", "--state-dir", state, "--events", dir / "log-link.jsonl"}, dir.path());
  EXPECT_EQ(log_linked.Wait(), 2);
  EXPECT_NE(Output(dir).find("is a hard link to a file of the state directory"), std::string::npos);
  // Another run's journal, which appending would make unreadable.
  testing::AsmplanProcess other({"run", "--yes", dir / "plan.yaml", "--state-dir", dir / "other",
                                 "--events", state + "/journal"},
                                dir.path());
  EXPECT_EQ(other.Wait(), 2);
  EXPECT_NE(Output(dir).find("is an asmplan checkpoint journal (another run's)"),
            std::string::npos);
  // A link to a file not there yet inside the state directory: appending would create it there.
  std::string fresh = dir / "fresh";
  ASSERT_EQ(::mkdir(fresh.c_str(), 0755), 0);
  ASSERT_EQ(::symlink((fresh + "/journal").c_str(), (dir / "dangling.jsonl").c_str()), 0);
  testing::AsmplanProcess dangling(
      {"run", "--yes", dir / "plan.yaml", "--state-dir", fresh, "--events", dir / "dangling.jsonl"},
      dir.path());
  EXPECT_EQ(dangling.Wait(), 2);
  EXPECT_NE(Output(dir).find("is inside the state directory"), std::string::npos);
  EXPECT_NE(::access((fresh + "/journal").c_str(), F_OK), 0);
  Checkpoint cp;
  EXPECT_TRUE(LoadJournal(state + "/journal", &cp, &err)) << err;
  EXPECT_EQ(cp.steps["after"].state, StepState::kSucceeded);
}

TEST(RunCliTest, ReasonAndForceNeedMarkDone) {
  TempDir dir;
  for (const char* option : {"--reason", "--force"}) {
    std::vector<std::string> args = {"resume", "--state-dir", dir / "none", option};
    if (std::string(option) == "--reason") args.push_back("why");
    testing::AsmplanProcess resume(args, dir.path());
    EXPECT_EQ(resume.Wait(), 2) << option;
    EXPECT_NE(Output(dir).find(std::string(option) + " requires --mark-done"), std::string::npos)
        << option;
  }
}

}  // namespace
}  // namespace asmplan
