// `asmplan check | compile | graph` through the built binary: exit codes, -o, stdin, DOT.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

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
  // Bound twice on one command line: refused, as twice in one file is, not the last one winning.
  EXPECT_EQ(Run("check p.asmplan --set ns=payments --set ns=orders"), 2);
  EXPECT_EQ(Read("err.txt"), "--set ns: error: `ns` bound twice by --set [duplicate-binding]\n");
  Write("one.asmplan", "plan one {\n  step a { run true }\n}\n");
  EXPECT_EQ(Run("check one.asmplan"), 0) << Read("err.txt");
  EXPECT_EQ(Read("out.txt"), "one.asmplan: ok: plan `one`, 1 step\n");
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

// The compiled plan names its file the same however the path was typed (./x, a/../x, or an
// absolute path under the working directory), so its hash does not depend on that.
TEST_F(CliTest, TheSamePlanTypedDifferentlyCompilesToTheSameBytes) {
  ::mkdir(dir_.File("plans").c_str(), 0755);
  Write("plans/p.asmplan", kPlan);
  ASSERT_EQ(Run("compile plans/p.asmplan --set ns=x -o a.yaml"), 0) << Read("err.txt");
  const std::string a = Read("a.yaml");
  EXPECT_NE(a.find("  - path: \"plans/p.asmplan\"\n"), std::string::npos) << a;
  for (const std::string& typed : std::vector<std::string>{
           "./plans/p.asmplan", ".//plans/./p.asmplan", dir_.File("plans/p.asmplan")}) {
    ASSERT_EQ(Run("compile " + typed + " --set ns=x -o b.yaml"), 0) << Read("err.txt");
    EXPECT_EQ(Read("b.yaml"), a) << typed;
  }
}

// -o never destroys what it should not: the plan's own sources and devices are refused (exit 2),
// a symlink stays a link to the new content, a private file stays private.
TEST_F(CliTest, CompileOutputRefusesSourcesAndDevicesAndKeepsLinksAndModes) {
  Write("p.asmplan", kPlan);
  Write("values.yaml", "ns: payments\n");
  EXPECT_EQ(Run("compile p.asmplan --values values.yaml -o p.asmplan"), 2);
  EXPECT_EQ(Read("p.asmplan"), kPlan);
  EXPECT_NE(Read("err.txt").find("refusing to write the compiled plan to p.asmplan, a plan "
                                 "source's name"),
            std::string::npos)
      << Read("err.txt");
  Write("other.asmplan", kPlan);  // another environment's source: never overwritten either
  EXPECT_EQ(Run("compile p.asmplan --values values.yaml -o other.asmplan"), 2);
  EXPECT_EQ(Read("other.asmplan"), kPlan);
  EXPECT_EQ(Run("compile p.asmplan --values values.yaml -o ./values.yaml"), 2);
  EXPECT_EQ(Read("values.yaml"), "ns: payments\n");
  EXPECT_NE(Read("err.txt").find("refusing to write the compiled plan over ./values.yaml, a source "
                                 "of this plan"),
            std::string::npos)
      << Read("err.txt");
  // A named pipe stands for a device here (a test must never risk replacing /dev/null).
  ASSERT_EQ(::mkfifo(dir_.File("pipe").c_str(), 0600), 0);
  EXPECT_EQ(Run("compile p.asmplan --set ns=x -o pipe"), 2);
  EXPECT_NE(Read("err.txt").find("cannot write pipe: not a regular file"), std::string::npos)
      << Read("err.txt");
  struct stat pipe {};
  ASSERT_EQ(::lstat(dir_.File("pipe").c_str(), &pipe), 0);
  EXPECT_TRUE(S_ISFIFO(pipe.st_mode));
  EXPECT_EQ(Run("compile p.asmplan --set ns=x -o ."), 2);

  Write("private.yaml", "old\n");
  ASSERT_EQ(::chmod(dir_.File("private.yaml").c_str(), 0600), 0);
  ASSERT_EQ(::symlink("private.yaml", dir_.File("link.yaml").c_str()), 0);
  ASSERT_EQ(Run("compile p.asmplan --set ns=x -o link.yaml"), 0) << Read("err.txt");
  struct stat link {
  }, file{};
  ASSERT_EQ(::lstat(dir_.File("link.yaml").c_str(), &link), 0);
  EXPECT_TRUE(S_ISLNK(link.st_mode));
  ASSERT_EQ(::stat(dir_.File("private.yaml").c_str(), &file), 0);
  EXPECT_EQ(file.st_mode & 0777, 0600u);
  EXPECT_NE(Read("private.yaml").find("plan: \"p\""), std::string::npos);
}

// Output that cannot be written is a failure, not exit 0 with half a plan.
TEST_F(CliTest, AnUnwritableStandardOutputIsAFailure) {
  struct stat full {};
  if (::stat("/dev/full", &full) != 0 || !S_ISCHR(full.st_mode)) GTEST_SKIP() << "no /dev/full";
  Write("p.asmplan", kPlan);
  std::string cmd = "cd " + dir_.path() + " && " + ASMPLAN_BIN_DIR +
                    "/asmplan compile p.asmplan --set ns=x >/dev/full 2>err.txt";
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(Read("err.txt").find("cannot write to standard output"), std::string::npos)
      << Read("err.txt");
}

// Under a file size limit (`ulimit -f`) a write past it fails with a message and exit 1, and
// leaves no temporary file; it used to kill asmplan with SIGXFSZ, silently.
TEST_F(CliTest, AFileSizeLimitIsAnErrorNotASignal) {
  Write("p.asmplan", kPlan);
  // What it says goes through a pipe, which the limit does not cover.
  std::string cmd = "cd " + dir_.path() + " && (ulimit -f 0; " + ASMPLAN_BIN_DIR +
                    "/asmplan compile p.asmplan --set ns=x -o out.yaml 2>&1; echo \"rc=$?\") | "
                    "cat >err.txt";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_NE(Read("err.txt").find("cannot write out.yaml: File too large"), std::string::npos)
      << Read("err.txt");
  EXPECT_NE(Read("err.txt").find("rc=1\n"), std::string::npos) << Read("err.txt");
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
    EXPECT_EQ(entry.path().filename().string().find("out.yaml"), std::string::npos) << entry.path();
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

// Only regular files are read: a device would be read for ever, and a FIFO waits for a writer.
TEST_F(CliTest, ADeviceOrAFifoIsRefusedNotReadForEver) {
  EXPECT_EQ(Run("check /dev/zero"), 1);
  EXPECT_EQ(Read("err.txt"),
            "/dev/zero: error: cannot read `/dev/zero`: not a regular file (a device, pipe or "
            "socket) [unreadable-file]\n");
  ASSERT_EQ(::mkfifo(dir_.File("fifo").c_str(), 0644), 0);
  Write("env.asmplan", "use \"fifo\" {\n}\n");
  EXPECT_EQ(Run("check env.asmplan"), 2);
  EXPECT_NE(Read("err.txt").find("env.asmplan:1:5: error: cannot read `fifo`: not a regular file"),
            std::string::npos)
      << Read("err.txt");
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
  // An empty --state-dir would quietly mean the default one.
  for (const char* cmd : {"run p.asmplan --set ns=a", "resume", "status"}) {
    EXPECT_EQ(Run(std::string(cmd) + " --state-dir ''"), 2) << cmd;
    EXPECT_NE(Read("err.txt").find("--state-dir: must not be empty"), std::string::npos)
        << Read("err.txt");
  }
  // An empty --events (an unset variable) would quietly write no events.
  EXPECT_EQ(Run("run p.asmplan --set ns=a --events ''"), 2);
  EXPECT_NE(Read("err.txt").find("--events: must not be empty"), std::string::npos)
      << Read("err.txt");
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
