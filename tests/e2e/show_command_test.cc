// `asmplan show` through the built binary: exit codes, the summary, masked secrets, refusals.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "compiler/compiled_plan_io.h"
#include "tests/support/scratch_dir.h"

namespace asmplan {
namespace {

class ShowCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    plan_.name = "demo";
    plan_.title = "A demo plan";
    plan_.params = {{"context", "string", "\"kind-user\"", "plans/envs/sandbox.asmplan:2", false},
                    {"token", "string", "", "--set", true}};
    Step step;
    step.id = "use_context";
    step.source = "demo.asmplan:5";
    step.run = {{"kubectl", "--token", "${token}", "config", "use-context", "kind-user"}};
    plan_.steps = {step};
    plan_.sources = {{"demo.asmplan", std::string(64, 'e')}};
    text_ = WriteCompiledPlan(&plan_);
    Write("plan.yaml", text_);
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name), std::ios::binary) << text;
  }

  // Runs `asmplan ARGS` with stdout and stderr captured; returns the exit status.
  int Run(const std::string& args, const std::string& stdin_file = "/dev/null") {
    const std::string command = std::string(ASMPLAN_BIN_DIR) + "/asmplan " + args + " <" +
                                stdin_file + " >" + dir_.File("out") + " 2>" + dir_.File("err");
    const int status = std::system(command.c_str());
    out_ = Slurp(dir_.File("out"));
    err_ = Slurp(dir_.File("err"));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  testing::ScratchDir dir_;
  Plan plan_;
  std::string text_;
  std::string out_, err_;
};

TEST_F(ShowCommandTest, PrintsAVerifiedSummary) {
  EXPECT_EQ(Run("show " + dir_.File("plan.yaml")), 0) << err_;
  EXPECT_EQ(out_.rfind("plan demo: A demo plan\nsha256 " + plan_.sha256 + " (verified)\n", 0), 0u)
      << out_;
  EXPECT_NE(out_.find("token   : string = <secret: $ASMPLAN_SECRET_TOKEN at run time>"),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("run        kubectl --token ${token} config use-context kind-user\n"),
            std::string::npos)
      << out_;
  EXPECT_EQ(err_, "");
}

TEST_F(ShowCommandTest, QuietPrintsOnlyTheHashAndDashReadsStdin) {
  EXPECT_EQ(Run("show --quiet -", dir_.File("plan.yaml")), 0) << err_;
  EXPECT_EQ(out_, plan_.sha256 + "\n");
}

TEST_F(ShowCommandTest, AnEditedPlanIsRefusedWithExit2) {
  std::string edited = text_;
  edited.replace(edited.find("kind-user\"]"), 9, "prod-user");
  Write("edited.yaml", edited);
  EXPECT_EQ(Run("show " + dir_.File("edited.yaml")), 2);
  EXPECT_EQ(out_, "");
  EXPECT_EQ(err_.rfind(dir_.File("edited.yaml") +
                           ": error: compiled plan content does not match its sha256 (recorded " +
                           plan_.sha256,
                       0),
            0u)
      << err_;
}

TEST_F(ShowCommandTest, GarbageIsInvalidAndAMissingFileIsAnError) {
  Write("garbage.yaml", std::string("\x7f"
                                    "ELF\0\0\xff",
                                    7));
  EXPECT_EQ(Run("show " + dir_.File("garbage.yaml")), 2);
  EXPECT_NE(err_.find("error: compiled plan line 1: expected `sha256:"), std::string::npos) << err_;
  EXPECT_EQ(Run("show " + dir_.File("missing.yaml")), 1);
  EXPECT_EQ(err_, dir_.File("missing.yaml") +
                      ": error: cannot read the compiled plan: No such file or directory\n");
}

TEST_F(ShowCommandTest, ShowsEachCompiledShippedPlanAndRefusesItEdited) {
  for (const char* env : {"sandbox", "staging", "prod"}) {
    const std::string source = std::string(ASMPLAN_SOURCE_DIR) + "/plans/envs/" + env + ".asmplan";
    const std::string compiled = dir_.File(std::string(env) + ".yaml");
    ASSERT_EQ(Run("compile " + source + " -o " + compiled), 0) << env << ": " << err_;
    EXPECT_EQ(Run("show " + compiled), 0) << env << ": " << err_;
    EXPECT_EQ(out_.rfind("plan asm_downgrade: ", 0), 0u) << out_;
    EXPECT_NE(out_.find("all show 2/2"), std::string::npos) << out_;
    EXPECT_NE(out_.find("    key         sha256:"), std::string::npos) << out_;

    std::string text = Slurp(compiled);
    const size_t at = text.find("1.5.10");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 6, "1.6.14");
    Write("edited.yaml", text);
    EXPECT_EQ(Run("show " + dir_.File("edited.yaml")), 2) << env;
    EXPECT_NE(err_.find("does not match its sha256"), std::string::npos) << err_;
  }
}

TEST_F(ShowCommandTest, AGuardAtTheCompilersNestingLimitCanBeReadBack) {
  // `and` binds tighter than `or`, so the canonical text adds a parenthesis per level.
  std::string guard = "context is \"x\"";
  for (int i = 0; i < 99; ++i) guard = "context is \"a\" or context is \"b\" and (" + guard + ")";
  Write("deep.asmplan",
        "plan deep {\n  title \"deep\"\n  step s {\n    verify " + guard + "\n  }\n}\n");
  ASSERT_EQ(Run("compile " + dir_.File("deep.asmplan") + " -o " + dir_.File("deep.yaml")), 0)
      << err_;
  EXPECT_EQ(Run("show --quiet " + dir_.File("deep.yaml")), 0) << err_;
}

TEST_F(ShowCommandTest, HelpAndUsage) {
  EXPECT_EQ(Run("show --help"), 0);
  EXPECT_NE(out_.find("Usage: asmplan show [OPTIONS] COMPILED"), std::string::npos) << out_;
  EXPECT_EQ(Run("show"), 2);
}

}  // namespace
}  // namespace asmplan
