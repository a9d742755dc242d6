// `asmplan sandbox up|status|down` as real processes: each test its own state dir and ports.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sandbox/sandbox_launcher.h"
#include "sandbox/sandbox_summary.h"
#include "tests/support/sandbox_process.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/temp_dir.h"

namespace asmplan::sandbox {
namespace {

using testing::ProcessResult;
using testing::RunProcess;

const std::string kAsmplan = std::string(ASMPLAN_BIN_DIR) + "/asmplan";

constexpr char kScenario[] = R"(mesh: {version: 1.6.14-asm.1, profile: asm-multicloud}
timings: {tick_ms: 20, pod_pending_ms: 40, pod_start_ms: 80, pod_ready_ms: 80,
          termination_grace_ms: 200}
namespaces:
  - name: shop
    labels: {istio-injection: enabled}
    deployments:
      - {name: cart, replicas: 3}
)";

/// Whether `pid` is gone: no such process, or only a zombie waiting for its reaper.
bool ProcessGone(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  return text.empty() ||
         (paren != std::string::npos && text.size() > paren + 2 && text[paren + 2] == 'Z');
}

// `down` waits until the sandbox has exited. A process on its way out has already lost its
// cmdline (its memory is gone) while it is not a zombie yet: that is not exited (`down` used to
// return then, and the pid was still there). A pid that names another program now is.
TEST(SandboxExitedTest, AProcessWithoutItsCmdlineIsStillExiting) {
  TempDir proc;
  auto fake = [&proc](int pid, char state, const std::string& cmdline,
                      unsigned long flags = 4194560) {
    std::filesystem::create_directories(proc / std::to_string(pid));
    std::ofstream(proc / (std::to_string(pid) + "/stat"))
        << pid << " (asmplan-sandbo) " << state << " 1 " << pid << " 1 0 -1 " << flags << "\n";
    std::ofstream(proc / (std::to_string(pid) + "/cmdline")) << cmdline;
  };
  auto argv = [](std::initializer_list<std::string> args) {
    std::string out;
    for (const std::string& a : args) out += a + '\0';
    return out;
  };
  fake(10, 'S', argv({"/usr/lib/asmplan/asmplan-sandbox", "--scenario", "s.yaml"}));
  fake(11, 'R', "");  // exiting
  fake(12, 'Z', "");
  fake(13, 'S', argv({"/usr/bin/sleep", "100"}));
  EXPECT_FALSE(SandboxExited(10, proc.path()));
  EXPECT_FALSE(SandboxExited(11, proc.path()));
  EXPECT_TRUE(SandboxExited(12, proc.path()));
  EXPECT_TRUE(SandboxExited(13, proc.path()));
  fake(15, 'S', "", 0x00208040);                // a kernel thread took the pid over
  EXPECT_TRUE(SandboxExited(14, proc.path()));  // gone
  EXPECT_TRUE(SandboxExited(15, proc.path()));
}

class SandboxCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    state_dir_ = dir_.File("state");
    scenario_ = dir_.File("scenario.yaml");
    std::ofstream(scenario_) << kScenario;
  }
  // Whatever a test left running is stopped by its pid.
  void TearDown() override { Asmplan({"down", "--state-dir", state_dir_}); }

  ProcessResult Asmplan(std::vector<std::string> args) {
    args.insert(args.begin(), {kAsmplan, "sandbox"});
    return RunProcess(args, {}, 60);
  }

  long SandboxPid() {
    std::ifstream in(state_dir_ + "/sandbox.json");
    auto j = nlohmann::json::parse(in, nullptr, false);
    return j.is_object() ? j.value("pid", 0L) : 0L;
  }

  testing::ScratchDir dir_;
  std::string state_dir_;
  std::string scenario_;
};

TEST_F(SandboxCliTest, UpStatusDown) {
  ProcessResult up = Asmplan({"up", "--scenario", scenario_, "--state-dir", state_dir_});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_NE(up.out.find("\nexport KUBECONFIG=" + state_dir_ + "/kubeconfig\n"), std::string::npos)
      << up.out;
  EXPECT_NE(up.out.find("\nexport PATH=" + std::string(ASMPLAN_SANDBOX_BIN_DIR) + ":$PATH\n"),
            std::string::npos)
      << up.out;
  long pid = SandboxPid();
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(ProcessGone(pid));
  EXPECT_NE(up.out.find("# sandbox running (pid " + std::to_string(pid) + ")"), std::string::npos);

  ProcessResult status = Asmplan({"status", "--state-dir", state_dir_});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out.rfind("sandbox: running\npid: " + std::to_string(pid) + "\n", 0), 0u)
      << status.out;
  EXPECT_NE(status.out.find("mesh: 1.6.14-asm.1, profile asm-multicloud\n"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("workloads: "), std::string::npos) << status.out;

  ProcessResult down = Asmplan({"down", "--state-dir", state_dir_});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(down.out, "sandbox stopped (pid " + std::to_string(pid) + ")\n");
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/sandbox.json"));

  status = Asmplan({"status", "--state-dir", state_dir_});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_EQ(status.out.rfind("sandbox: stopped\n", 0), 0u) << status.out;
}

TEST_F(SandboxCliTest, UpRefusesWhileOneRunsFromTheStateDir) {
  ASSERT_EQ(Asmplan({"up", "--scenario", scenario_, "--state-dir", state_dir_}).exit_code, 0);
  long pid = SandboxPid();
  ProcessResult again = Asmplan({"up", "--scenario", scenario_, "--state-dir", state_dir_});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "error: a sandbox from " + state_dir_ + " is already running (pid " +
                           std::to_string(pid) + ")\n");
  EXPECT_EQ(SandboxPid(), pid);  // the running one is untouched
  EXPECT_FALSE(ProcessGone(pid));
}

TEST_F(SandboxCliTest, BadScenarioExitsTwoWithTheSandboxsMessage) {
  std::ofstream(scenario_) << "mesh: {version: 1.6.14-asm.1}\nnamespaces:\n  - name: [\n";
  ProcessResult up = Asmplan({"up", "--scenario", scenario_, "--state-dir", state_dir_});
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_NE(up.err.find("the sandbox exited with code 2 before it was ready"), std::string::npos)
      << up.err;
  EXPECT_NE(up.err.find(scenario_ + ":"), std::string::npos) << up.err;  // names the file
  EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/sandbox.json"));
  EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/sandbox.pid"));
}

TEST_F(SandboxCliTest, DownWithNothingRunningIsFine) {
  ProcessResult down = Asmplan({"down", "--state-dir", state_dir_});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(down.out, "no sandbox running from " + state_dir_ + "\n");
}

TEST_F(SandboxCliTest, UpWithoutScenarioIsInvalid) {
  ProcessResult up = Asmplan({"up", "--state-dir", state_dir_});
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_NE(up.err.find("--scenario is required"), std::string::npos) << up.err;
}

// A port out of range used to be taken modulo 65536 (the kubeconfig then named one nothing
// listened on), and a timeout of `nan` printed "not ready after -2147483648s".
TEST_F(SandboxCliTest, UpRefusesAPortOrTimeoutOutOfRange) {
  std::ofstream(scenario_) << "mesh: {version: 1.6.14-asm.1}\nnamespaces: []\n";
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--port", "70000"}, {"--port", "-5"}, {"--timeout", "nan"}, {"--timeout", "0"}}) {
    std::vector<std::string> args = {"up", "--scenario", scenario_, "--state-dir", state_dir_};
    args.insert(args.end(), bad.begin(), bad.end());
    ProcessResult up = Asmplan(args);
    EXPECT_EQ(up.exit_code, 2) << bad[1];
    EXPECT_NE(up.err.find(bad[0] + ": "), std::string::npos) << up.err;
    EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/sandbox.pid")) << bad[1];
  }
}

TEST(SandboxSummaryTest, AddsUpNamespacesAndPods) {
  auto state = nlohmann::json::parse(R"({
    "mesh": {"enabled": true, "version": "1.5.10-asm.2", "profile": "asm-multicloud"},
    "namespaces": [
      {"name": "a", "pods": {"total": 3, "ready": 2, "terminating": 1}},
      {"name": "b", "pods": {"total": 5, "ready": 5, "terminating": 0}},
      {"name": "c"}]})");
  EXPECT_EQ(SummarizeSandboxState(state),
            "mesh: 1.5.10-asm.2, profile asm-multicloud\n"
            "workloads: 3 namespaces, 8 pods (7 ready, 1 terminating)\n");
  // The admin cluster has no mesh.
  state["mesh"]["enabled"] = false;
  EXPECT_EQ(SummarizeSandboxState(state).rfind("workloads: ", 0), 0u);
}

}  // namespace
}  // namespace asmplan::sandbox
