// `asmplan run` and `resume` arguments through the built binary: repeatable options take one
// value each, options that belong to --mark-done are refused without it.
#include <gtest/gtest.h>

#include "runtime/checkpoint_journal.h"
#include "tests/e2e/executor_process.h"
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
