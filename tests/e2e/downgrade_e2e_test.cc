// The seed downgrade end to end: the shipped sandbox plan, run by the built asmplan with the real
// kubectl against asmplan-sandbox, killed, stalled and resumed, as an operator would.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/sandbox_process.h"

namespace asmplan {
namespace {

using nlohmann::json;
using testing::ProcessResult;
using testing::SandboxProcess;

const char* const kTarget = "1.5.10-asm.2";

std::string Asmplan() { return std::string(ASMPLAN_BIN_DIR) + "/asmplan"; }
std::string Source(const std::string& rel) { return std::string(ASMPLAN_SOURCE_DIR) + "/" + rel; }

std::string ImageTag(const std::string& image) { return image.substr(image.rfind(':') + 1); }

/// A started asmplan that the test may kill; stdout and stderr go to files.
class AsmplanChild {
 public:
  AsmplanChild(const std::vector<std::string>& args, const std::vector<std::string>& env,
               const std::string& log_prefix) {
    std::vector<std::string> argv = {Asmplan()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) envs.push_back(*e);
    envs.insert(envs.end(), env.begin(), env.end());  // later entries win in getenv
    std::vector<char*> a, ev;
    for (auto& s : argv) a.push_back(s.data());
    for (auto& s : envs) ev.push_back(s.data());
    a.push_back(nullptr);
    ev.push_back(nullptr);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open((log_prefix + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = open((log_prefix + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      execve(a[0], a.data(), ev.data());
      _exit(127);
    }
    for (int fd : {in, out, err}) close(fd);
  }
  ~AsmplanChild() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  /// Waits for the process; returns its exit code, or 128+signal.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void Kill9() { kill(pid_, SIGKILL); }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

/// The events the runs appended to one --events file.
std::vector<json> ReadEvents(const std::string& path) {
  std::vector<json> events;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_discarded()) events.push_back(j);  // a line torn by SIGKILL is not an event
  }
  return events;
}

int CountEvents(const std::vector<json>& events, const std::string& type, const std::string& step) {
  int n = 0;
  for (const json& e : events) n += e.value("event", "") == type && e.value("step", "") == step;
  return n;
}

class DowngradeE2eTest : public ::testing::Test {
 protected:
  void StartSandbox(const std::string& scenario) {
    std::string err;
    ASSERT_TRUE(sandbox_.Start(SandboxProcess::Scenario(scenario), &err)) << err;
    env_ = sandbox_.Env();
    state_ = sandbox_.dir() + "/run";
    events_ = sandbox_.dir() + "/events.jsonl";
  }

  /// Compiles the shipped sandbox environment for this sandbox's port, plus `sets`.
  void CompilePlan(std::vector<std::string> sets = {}) {
    plan_ = sandbox_.dir() + "/plan.yaml";
    std::vector<std::string> argv = {
        "/usr/bin/env",
        "-C",
        ASMPLAN_SOURCE_DIR,
        Asmplan(),
        "compile",
        "plans/envs/sandbox.asmplan",
        "-o",
        plan_,
        "--set",
        "release_base=http://127.0.0.1:" + std::to_string(sandbox_.user_port()) + "/releases",
        "--set",
        "poll_every=1s"};
    for (const std::string& s : sets) argv.insert(argv.end(), {"--set", s});
    ProcessResult r = testing::RunProcess(argv, env_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::unique_ptr<AsmplanChild> Start(const std::string& verb, std::vector<std::string> extra) {
    std::vector<std::string> args = {verb};
    if (verb == "run") args.push_back(plan_);
    args.insert(args.end(), {"--state-dir", state_, "--events", events_});
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<AsmplanChild>(
        args, env_, sandbox_.dir() + "/" + verb + "-" + std::to_string(++runs_));
  }

  /// Runs asmplan to its end; returns the exit code and keeps stdout+stderr in output_.
  int Run(const std::string& verb, std::vector<std::string> extra = {"--yes"}) {
    int code = Start(verb, extra)->Wait();
    std::string prefix = sandbox_.dir() + "/" + verb + "-" + std::to_string(runs_);
    output_ = SandboxProcess::ReadFile(prefix + ".out") + SandboxProcess::ReadFile(prefix + ".err");
    return code;
  }

  /// Polls the events file until `pred` holds for some event (at most 120 s).
  bool WaitForEvent(const std::function<bool(const std::vector<json>&)>& pred) {
    for (int i = 0; i < 1200; ++i) {
      if (pred(ReadEvents(events_))) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  json Pods(const std::string& ns) {
    ProcessResult r = sandbox_.UserKubectl({"get", "pods", "-n", ns, "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  /// Every workload pod shows 2/2 with its istio-proxy at the target; the control plane too.
  void ExpectDowngraded(const std::vector<std::string>& namespaces) {
    for (const std::string& ns : namespaces) {
      json pods = Pods(ns);
      ASSERT_FALSE(pods["items"].empty()) << ns;
      for (const json& p : pods["items"]) {
        std::string name = ns + "/" + p["metadata"].value("name", "");
        EXPECT_FALSE(p["metadata"].contains("deletionTimestamp")) << name << " is terminating";
        int ready = 0;
        for (const json& c : p["status"]["containerStatuses"]) ready += c.value("ready", false);
        EXPECT_EQ(ready, 2) << name;
        ASSERT_EQ(p["spec"]["containers"].size(), 2u) << name;
        bool proxy = false;
        for (const json& c : p["spec"]["containers"]) {
          if (c.value("name", "") != "istio-proxy") continue;
          proxy = true;
          EXPECT_EQ(ImageTag(c.value("image", "")), kTarget) << name;
        }
        EXPECT_TRUE(proxy) << name;
      }
    }
    json cp = Pods("istio-system");
    ASSERT_FALSE(cp["items"].empty());
    for (const json& p : cp["items"]) {
      EXPECT_FALSE(p["metadata"].contains("deletionTimestamp"));
      EXPECT_EQ(ImageTag(p["spec"]["containers"][0].value("image", "")), kTarget)
          << p["metadata"].value("name", "") << " is an old control-plane pod";
    }
  }

  /// PATCHes of deployments per namespace, from the sandbox's request log.
  std::map<std::string, std::map<std::string, int>> DeploymentPatches() {
    std::string body;
    EXPECT_EQ(sandbox_.Get("/sandbox/request-log", &body), 200);
    std::map<std::string, std::map<std::string, int>> patches;
    for (const json& r : json::parse(body)) {
      const std::string path = r.value("path", "");
      const std::string prefix = "/apis/apps/v1/namespaces/";
      if (r.value("method", "") != "PATCH" || path.compare(0, prefix.size(), prefix) != 0) continue;
      std::string rest = path.substr(prefix.size());  // NS/deployments/NAME
      std::string ns = rest.substr(0, rest.find('/'));
      patches[ns][rest.substr(rest.rfind('/') + 1)]++;
    }
    return patches;
  }

  SandboxProcess sandbox_;
  std::vector<std::string> env_;
  std::string state_, events_, plan_, output_;
  int runs_ = 0;
};

const std::vector<std::string> kDemoNamespaces = {"frontend", "payments", "checkout", "orders",
                                                  "batch"};

TEST_F(DowngradeE2eTest, ShippedSandboxPlanDowngradesTheWholeMesh) {
  StartSandbox("demo");
  CompilePlan();
  // Like many production servers, this one sends a deprecation warning with every answer.
  std::string reply;
  ASSERT_EQ(sandbox_.Post("/sandbox/faults", R"({"fault":"api_warnings"})", &reply), 200) << reply;
  ASSERT_EQ(Run("run"), 0) << output_;
  EXPECT_NE(output_.find("run succeeded"), std::string::npos) << output_;
  ExpectDowngraded(kDemoNamespaces);
  // The warnings reached the commands' logs; the guards, reading stdout only, never stumbled.
  EXPECT_NE(testing::SandboxProcess::ReadFile(state_ + "/logs/restart_deployments.payments.log")
                .find("Warning: policy/v1beta1 PodSecurityPolicy is deprecated"),
            std::string::npos);
  // The release really came from the sandbox's server, verified and extracted into the workspace.
  EXPECT_TRUE(std::filesystem::exists(state_ + "/workspace/work/istio-1.5.10-asm.2/bin/istioctl"));
  ProcessResult status = testing::RunProcess({Asmplan(), "status", "--state-dir", state_}, env_);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("restart_bare_pods[batch]"), std::string::npos) << status.out;
}

TEST_F(DowngradeE2eTest, KilledDuringInstallAndRestartsResumesWithoutRepeatingWork) {
  StartSandbox("demo");
  CompilePlan();
  // Kill 1: while `istioctl install` runs.
  {
    auto run = Start("run", {"--yes"});
    ASSERT_TRUE(WaitForEvent([](const std::vector<json>& ev) {
      return CountEvents(ev, "attempt_started", "install_control_plane") > 0;
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    run->Kill9();
    run->Wait();
  }
  // The orphaned istioctl finishes the install; wait until the control plane settled, as an
  // operator would look before resuming.
  for (int i = 0; i < 100; ++i) {
    json cp = Pods("istio-system");
    bool settled = !cp["items"].empty();
    for (const json& p : cp["items"]) {
      settled = settled && !p["metadata"].contains("deletionTimestamp") &&
                ImageTag(p["spec"]["containers"][0].value("image", "")) == kTarget;
    }
    if (settled) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // Kill 2: during the sidecar restarts, once at least one namespace has finished.
  std::set<std::string> done_before_kill;
  {
    auto resume = Start("resume", {"--yes"});
    ASSERT_TRUE(WaitForEvent([](const std::vector<json>& ev) {
      for (const json& e : ev) {
        if (e.value("event", "") == "step_succeeded" &&
            e.value("step", "").rfind("restart_deployments[", 0) == 0)
          return true;
      }
      return false;
    }));
    resume->Kill9();
    resume->Wait();
    for (const json& e : ReadEvents(events_)) {
      if (e.value("event", "") == "step_succeeded") done_before_kill.insert(e.value("step", ""));
    }
  }
  ASSERT_EQ(Run("resume"), 0) << output_;
  ExpectDowngraded(kDemoNamespaces);

  std::vector<json> events = ReadEvents(events_);
  // The install was settled by its verify guard, not run a second time.
  EXPECT_EQ(CountEvents(events, "attempt_started", "install_control_plane"), 1);
  // No step that had succeeded was ever started again.
  std::set<std::string> succeeded;
  for (const json& e : events) {
    const std::string step = e.value("step", ""), type = e.value("event", "");
    if (type == "step_started" || type == "attempt_started") {
      EXPECT_EQ(succeeded.count(step), 0u) << step << " started again after it had succeeded";
    }
    if (type == "step_succeeded") succeeded.insert(step);
  }
  // The cluster agrees: a namespace restarted before the kill was not restarted again.
  auto patches = DeploymentPatches();
  ASSERT_FALSE(done_before_kill.empty());
  for (const std::string& step : done_before_kill) {
    if (step.rfind("restart_deployments[", 0) != 0) continue;
    std::string ns = step.substr(20, step.size() - 21);
    ASSERT_FALSE(patches[ns].empty()) << ns;
    for (const auto& [deployment, count] : patches[ns])
      EXPECT_EQ(count, 1) << ns << "/" << deployment;
  }
}

TEST_F(DowngradeE2eTest, StalledNamespaceTimesOutExplainsWhyAndResumesOnceFixed) {
  StartSandbox("stalled");
  CompilePlan({"namespaces=frontend,payments", "sidecar_timeout=15s"});
  ASSERT_NE(Run("run"), 0);
  // The flight recorder names the pods that are not 2/2 and why.
  EXPECT_NE(output_.find("restart_deployments[payments]"), std::string::npos) << output_;
  EXPECT_NE(output_.find("timed out"), std::string::npos) << output_;
  EXPECT_NE(output_.find("payments/payments-api-"), std::string::npos) << output_;
  EXPECT_NE(output_.find("istio-proxy not ready"), std::string::npos) << output_;
  // The operator fixes the namespace, then resumes.
  std::string body;
  ASSERT_EQ(
      sandbox_.Post("/sandbox/faults",
                    R"({"fault":"never_ready","namespace":"payments","enabled":false})", &body),
      200)
      << body;
  ASSERT_EQ(Run("resume"), 0) << output_;
  ExpectDowngraded({"frontend", "payments", "batch"});
}

TEST_F(DowngradeE2eTest, AdminContextIsStoppedBeforeAnyChangeAndAnEditedPlanIsRefused) {
  StartSandbox("demo");
  CompilePlan({"context=sandbox-admin"});
  ASSERT_NE(Run("run"), 0);
  EXPECT_NE(output_.find("ensure_user_cluster"), std::string::npos) << output_;
  EXPECT_NE(output_.find("not context is \"sandbox-admin\""), std::string::npos) << output_;
  std::vector<json> events = ReadEvents(events_);
  for (const char* step : {"grant_cluster_admin", "install_control_plane"})
    EXPECT_EQ(CountEvents(events, "step_started", step), 0) << step;
  // Nothing was written to the user cluster.
  std::string body;
  ASSERT_EQ(sandbox_.Get("/sandbox/request-log", &body), 200);
  for (const json& r : json::parse(body)) EXPECT_EQ(r.value("method", ""), "GET") << r.dump();

  // Fixing the environment file changes steps that already ran: resume refuses, naming them.
  CompilePlan();
  ASSERT_EQ(Run("resume", {plan_, "--yes"}), 5) << output_;
  EXPECT_NE(output_.find("use_context"), std::string::npos) << output_;
}

// A namespace that does not exist (a typo in the environment file) is refused before anything
// changes, not restarted with no pods and waited on for the whole sidecar timeout.
TEST_F(DowngradeE2eTest, AMissingNamespaceIsRefusedBeforeAnyChange) {
  StartSandbox("demo");
  CompilePlan({"namespaces=frontend,paymnets"});
  ASSERT_EQ(Run("run"), 1) << output_;
  EXPECT_NE(output_.find("step `ensure_user_cluster` failed: require `command [\"kubectl\", "
                         "\"get\", \"namespace\", \"frontend\", \"paymnets\", \"batch\"] "
                         "succeeds` does not hold"),
            std::string::npos)
      << output_;
  EXPECT_NE(output_.find("namespaces \"paymnets\" not found"), std::string::npos) << output_;
  std::string body;
  ASSERT_EQ(sandbox_.Get("/sandbox/request-log", &body), 200);
  for (const json& r : json::parse(body)) EXPECT_EQ(r.value("method", ""), "GET") << r.dump();
}

TEST(CompiledPlansTest, CommittedCompiledPlansAreUpToDateWithTheirSources) {
  for (const std::string env : {"sandbox", "staging", "prod"}) {
    ProcessResult r = testing::RunProcess({"/usr/bin/env", "-C", ASMPLAN_SOURCE_DIR, Asmplan(),
                                           "compile", "plans/envs/" + env + ".asmplan"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, SandboxProcess::ReadFile(Source("plans/compiled/" + env + ".yaml")))
        << "plans/compiled/" << env << ".yaml is out of date: run `asmplan compile "
        << "plans/envs/" << env << ".asmplan -o plans/compiled/" << env << ".yaml` and commit it";
  }
}

}  // namespace
}  // namespace asmplan
