// `asmplan check | compile | graph` through the built binary: exit codes, -o, stdin, DOT.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/support/scratch_dir.h"

namespace asmplan {
namespace {

class CliTest : public ::testing::Test {
 protected:
  /// Runs `asmplan ARGS` in the scratch dir; stdout to out.txt, stderr to err.txt.
  int Run(const std::string& args, const std::string& stdin_file = "/dev/null") {
    std::string cmd = "cd " + dir_.path() + " && " + ASMPLAN_BIN_DIR + "/asmplan " + args + " <" +
                      stdin_file + " >out.txt 2>err.txt";
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_.File(name));
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name)) << text;
  }

  testing::ScratchDir dir_;
};

const char kPlan[] =
    "plan p {\n  param ns : string\n  step a { run kubectl get pods -n ${ns} }\n"
    "  step b after a { confirm \"ok?\" }\n}\n";

TEST_F(CliTest, CheckReportsAndExitsTwo) {
  Write("p.asmplan", kPlan);
  EXPECT_EQ(Run("check p.asmplan"), 2);
  EXPECT_NE(
      Read("err.txt").find("p.asmplan:2:9: error: parameter `ns` has no value [missing-param]"),
      std::string::npos)
      << Read("err.txt");
  EXPECT_EQ(Run("check p.asmplan --set ns=payments"), 0) << Read("err.txt");
  EXPECT_EQ(Read("out.txt"), "p.asmplan: ok: plan `p`, 2 steps\n");
}

TEST_F(CliTest, CompileWritesOutputAtomically) {
  Write("p.asmplan", kPlan);
  Write("values.yaml", "ns: payments\n");
  ASSERT_EQ(Run("compile p.asmplan --values values.yaml -o plan.yaml"), 0) << Read("err.txt");
  std::string plan = Read("plan.yaml");
  EXPECT_NE(plan.find("[\"kubectl\", \"get\", \"pods\", \"-n\", \"payments\"]"), std::string::npos)
      << plan;
  EXPECT_NE(plan.find("source: \"values.yaml:1\""), std::string::npos) << plan;
  // A failed compile leaves the earlier output alone.
  EXPECT_EQ(Run("compile p.asmplan -o plan.yaml"), 2);
  EXPECT_EQ(Read("plan.yaml"), plan);
  EXPECT_EQ(Run("compile p.asmplan --set ns=x -o no-such-dir/plan.yaml"), 1);
}

TEST_F(CliTest, ReadsStandardInput) {
  Write("p.asmplan", kPlan);
  ASSERT_EQ(Run("compile - --set ns=payments", dir_.File("p.asmplan")), 0) << Read("err.txt");
  EXPECT_NE(Read("out.txt").find("plan: \"p\""), std::string::npos);
}

TEST_F(CliTest, GraphPrintsDot) {
  Write("p.asmplan", kPlan);
  ASSERT_EQ(Run("graph p.asmplan --set ns=payments"), 0) << Read("err.txt");
  std::string dot = Read("out.txt");
  EXPECT_EQ(dot.rfind("digraph \"p\" {", 0), 0u) << dot;
  EXPECT_NE(dot.find("\"a\" -> \"b\";"), std::string::npos) << dot;
}

TEST_F(CliTest, MissingFileIsExitOne) {
  EXPECT_EQ(Run("check nothing.asmplan"), 1);
  EXPECT_NE(Read("err.txt").find("[unreadable-file]"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsSayWhatIsWrongAndExitTwo) {
  Write("p.asmplan", kPlan);
  for (const char* jobs : {"0", "-3", "abc", "5x", "1001"}) {
    EXPECT_EQ(Run(std::string("run p.asmplan --set ns=a --jobs ") + jobs), 2) << jobs;
    EXPECT_NE(Read("err.txt").find(std::string("--jobs: expects a whole number from 1 to 1000, "
                                               "got `") +
                                   jobs + "`"),
              std::string::npos)
        << Read("err.txt");
  }
  EXPECT_EQ(Run("frobnicate"), 2);
  EXPECT_NE(Read("err.txt").find("unknown command `frobnicate` (commands: check, compile"),
            std::string::npos)
      << Read("err.txt");
}

TEST_F(CliTest, ResumeAndStatusOfAMissingRunChangeNothing) {
  EXPECT_EQ(Run("resume --state-dir typo"), 2);
  EXPECT_NE(Read("err.txt").find("no run to resume in typo (no such directory)"), std::string::npos)
      << Read("err.txt");
  EXPECT_NE(::access(dir_.File("typo").c_str(), F_OK), 0);  // not created by the attempt
  EXPECT_EQ(Run("status --state-dir ."), 2);
  EXPECT_NE(Read("err.txt").find("no run in . (it has no journal)"), std::string::npos)
      << Read("err.txt");
}

}  // namespace
}  // namespace asmplan
