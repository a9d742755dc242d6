// `asmplan sandbox up|status|down` as real processes: each test its own state dir and ports.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

/// Starts `/bin/sleep 60` as our child with SIGTERM ignored (the disposition survives its exec),
/// showing argv[0] `asmplan-sandbox`: a sandbox that will not stop when asked.
pid_t StartStubbornSandbox() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGTERM, SIG_IGN);
    char* argv[] = {const_cast<char*>("asmplan-sandbox"), const_cast<char*>("60"), nullptr};
    ::execv("/bin/sleep", argv);
    ::_exit(127);
  }
  return pid;
}

// `down` on a sandbox that ignores SIGTERM: after the grace period it gets SIGKILL, and `down`
// returns once it has ended.
TEST(StopSandboxTest, ASandboxThatIgnoresSigtermIsKilledAfterTheGrace) {
  TempDir state;
  pid_t pid = StartStubbornSandbox();
  ASSERT_GT(pid, 0);
  struct Reaper {  // an assertion that fails before StopSandbox leaves no `sleep 60` behind
    pid_t pid;
    ~Reaper() {
      if (pid <= 0) return;  // reaped by the test (kill(0) would signal our own group)
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{pid};
  std::ofstream(state / "sandbox.json") << nlohmann::json{{"pid", pid}}.dump();
  // It runs, under its argv[0], once RunningSandboxPid() sees it.
  for (int i = 0; i < 200 && RunningSandboxPid(state.path()) != pid; ++i) ::usleep(10'000);
  ASSERT_EQ(RunningSandboxPid(state.path()), pid);
  StopOutcome out;
  std::string err;
  EXPECT_TRUE(StopSandbox(state.path(), /*grace_s=*/0.2, &out, &err)) << err;
  EXPECT_EQ(out.pid, pid);
  EXPECT_TRUE(out.killed);
  int status = 0;  // ended already: reaped without waiting
  ASSERT_EQ(::waitpid(pid, &status, WNOHANG), pid);
  reaper.pid = 0;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_FALSE(std::filesystem::exists(state / "sandbox.json"));
}

// A sandbox that never gets ready (never writes sandbox.json) and ignores SIGTERM is killed when
// `up`'s timeout ends; nothing of it is left.
TEST(LaunchSandboxTest, ASandboxNeverReadyThatIgnoresSigtermIsKilled) {
  TempDir dir;
  std::string exe = dir / "stubborn";
  // SIGTERM is caught and noted, not obeyed; the pid is written once the trap is set.
  std::ofstream(exe) << "#!/bin/sh\ntrap 'echo TERM >> " << (dir / "signals") << "' TERM\n"
                     << "echo $$ > " << (dir / "pid") << "\nwhile :; do sleep 0.05; done\n";
  std::filesystem::permissions(exe, std::filesystem::perms::owner_all);
  LaunchOptions o;
  o.sandbox_exe = exe;
  o.scenario = "unused.yaml";
  o.state_dir = dir / "state";
  o.ready_timeout_s = 1.5;
  LaunchOutcome out = LaunchSandbox(o);
  EXPECT_EQ(out.kind, LaunchOutcome::Kind::kFailed);
  // (A fractional timeout used to read "after 1s".)
  EXPECT_NE(out.message.find("was not ready after 1.5s and was stopped"), std::string::npos)
      << out.message;
  std::ifstream in(dir / "pid");
  long pid = 0;
  ASSERT_TRUE(in >> pid);
  EXPECT_TRUE(ProcessGone(pid));           // killed and reaped by LaunchSandbox
  std::ifstream signals(dir / "signals");  // it got SIGTERM and lived on: SIGKILL ended it
  std::string got((std::istreambuf_iterator<char>(signals)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, "TERM\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "state/sandbox.pid"));
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
