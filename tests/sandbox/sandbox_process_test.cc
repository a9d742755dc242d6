// asmplan-sandbox as a process: exit codes, state files, ports, faults and request accounting.
#include "tests/support/sandbox_process.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

namespace asmplan::testing {
namespace {

using nlohmann::json;

constexpr const char* kScenario = R"(
timings: {tick_ms: 50, pod_pending_ms: 100, pod_start_ms: 300, pod_ready_ms: 200,
          termination_grace_ms: 500, crashloop_restart_ms: 200}
namespaces:
  - name: shop
    labels: {istio-injection: enabled}
    deployments: [{name: web, replicas: 2}]
  - name: plain
    pods: [{name: lonely}]
)";

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(SandboxProcessTest, BadScenarioExitsTwoNamingLineAndWritesNothing) {
  char tmpl[] = "/tmp/asmplan-sandbox-bad-XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  std::string dir = tmpl;
  std::ofstream(dir + "/bad.yaml") << "namespaces:\n  - name: a\n    deployments: 3\n";
  ProcessResult r = RunProcess(
      {SandboxProcess::Binary(), "--scenario", dir + "/bad.yaml", "--state-dir", dir + "/state"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "asmplan-sandbox: " + dir + "/bad.yaml:3:18: deployments must be a list\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/state/sandbox.json"));
  std::filesystem::remove_all(dir);
}

// A missing simulated istioctl is said when the sandbox starts, not as an HTTP 500 when a plan
// first downloads a release minutes later.
TEST(SandboxProcessTest, AMissingIstioctlExitsTwoAtStart) {
  char tmpl[] = "/tmp/asmplan-sandbox-noistioctl-XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  std::string dir = tmpl;
  std::ofstream(dir + "/s.yaml") << kScenario;
  ProcessResult r =
      RunProcess({SandboxProcess::Binary(), "--scenario", dir + "/s.yaml", "--state-dir",
                  dir + "/state", "--istioctl", dir + "/nowhere/istioctl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "asmplan-sandbox: cannot use " + dir +
                       "/nowhere/istioctl as the simulated istioctl packed into releases: No such "
                       "file or directory (give --istioctl PATH)\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/state/sandbox.json"));
  std::filesystem::remove_all(dir);
}

TEST(SandboxProcessTest, WritesStateFilesAndExitsZeroOnSigterm) {
  SandboxProcess sandbox;
  std::string err;
  ASSERT_TRUE(sandbox.StartWithScenarioText(kScenario, &err)) << err;
  json info = json::parse(SandboxProcess::ReadFile(sandbox.sandbox_json()));
  EXPECT_EQ(info["pid"], sandbox.pid());
  EXPECT_EQ(info["kubeconfig"], sandbox.kubeconfig());
  EXPECT_EQ(info["release_base"],
            "http://127.0.0.1:" + std::to_string(sandbox.user_port()) + "/releases");
  EXPECT_NE(sandbox.user_port(), sandbox.admin_port());
  std::string kubeconfig = SandboxProcess::ReadFile(sandbox.kubeconfig());
  EXPECT_NE(kubeconfig.find("current-context: sandbox-admin"), std::string::npos);
  EXPECT_EQ(sandbox.Stop(), 0);
}

TEST(SandboxProcessTest, FixedPortIsUsedAndASecondSandboxCannotTakeIt) {
  int port = FreePort();
  SandboxProcess first, second;
  std::string err;
  ASSERT_TRUE(first.StartWithScenarioText(kScenario, &err, {"--port", std::to_string(port)}))
      << err;
  EXPECT_EQ(first.user_port(), port);
  EXPECT_FALSE(second.StartWithScenarioText(kScenario, &err, {"--port", std::to_string(port)}));
  EXPECT_NE(err.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << err;
}

class SandboxFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    ASSERT_TRUE(sandbox_.StartWithScenarioText(kScenario, &err)) << err;
  }
  void Fault(const std::string& body) {
    std::string reply;
    ASSERT_EQ(sandbox_.Post("/sandbox/faults", body, &reply), 200) << reply;
  }
  std::string WaitForPods(const std::string& ns, const std::string& needle) {
    std::string last;
    for (int i = 0; i < 30; ++i) {
      last = sandbox_.UserKubectl({"get", "pod", "-n", ns}).out;
      if (last.find(needle) != std::string::npos) return last;
    }
    ADD_FAILURE() << "never saw \"" << needle << "\" in:\n" << last;
    return last;
  }
  SandboxProcess sandbox_;
};

TEST_F(SandboxFaultTest, CrashLoopingSidecarShowsInStatusAndRestarts) {
  Fault(R"({"fault":"crashloop_sidecar","namespace":"shop"})");
  ASSERT_EQ(sandbox_.UserKubectl({"rollout", "restart", "deployment", "-n", "shop"}).exit_code, 0);
  std::string out = WaitForPods("shop", "CrashLoopBackOff");
  EXPECT_NE(out.find("1/2     CrashLoopBackOff"), std::string::npos) << out;
  WaitForPods("shop", "ago)");  // RESTARTS like "3 (0s ago)"
}

TEST_F(SandboxFaultTest, StuckTerminatingHoldsPodsUntilCleared) {
  Fault(R"({"fault":"stuck_terminating","namespace":"plain"})");
  ProcessResult del =
      sandbox_.UserKubectl({"delete", "pod", "lonely", "-n", "plain", "--wait=false"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // beyond the 500 ms grace
  EXPECT_NE(WaitForPods("plain", "Terminating").find("lonely"), std::string::npos);
  Fault(R"({"fault":"stuck_terminating","namespace":"plain","enabled":false})");
  ProcessResult wait =
      sandbox_.UserKubectl({"wait", "--for=delete", "pod/lonely", "-n", "plain", "--timeout=10s"});
  EXPECT_EQ(wait.exit_code, 0) << wait.err;
}

TEST_F(SandboxFaultTest, ApiErrorsAnswerWithInternalError) {
  Fault(R"({"fault":"api_errors","rate":1.0})");
  ProcessResult r = sandbox_.UserKubectl({"get", "pod", "-n", "shop"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Internal error occurred: sandbox fault injection"), std::string::npos)
      << r.err;
  Fault(R"({"fault":"api_errors","enabled":false})");
  EXPECT_EQ(sandbox_.UserKubectl({"get", "pod", "-n", "shop"}).exit_code, 0);
}

TEST_F(SandboxFaultTest, ApiWarningsReachKubectlsStderrOnly) {
  std::string clean = sandbox_.UserKubectl({"get", "pods", "-n", "shop", "-o", "name"}).out;
  Fault(R"({"fault":"api_warnings","namespace":"shop","text":"shop is \"deprecated\""})");
  ProcessResult r = sandbox_.UserKubectl({"get", "pods", "-n", "shop", "-o", "name"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, clean);
  EXPECT_NE(r.err.find("Warning: shop is \"deprecated\""), std::string::npos) << r.err;
  // Namespace-scoped: another namespace's requests carry none.
  EXPECT_EQ(sandbox_.UserKubectl({"get", "pods", "-n", "plain"}).err, "");
  Fault(R"({"fault":"api_warnings","enabled":false})");
  EXPECT_EQ(sandbox_.UserKubectl({"get", "pods", "-n", "shop", "-o", "name"}).err, "");
}

TEST_F(SandboxFaultTest, UnknownFaultIsRejected) {
  std::string reply;
  EXPECT_EQ(sandbox_.Post("/sandbox/faults", R"({"fault":"gremlins"})", &reply), 400);
  EXPECT_NE(reply.find("unknown fault \\\"gremlins\\\""), std::string::npos) << reply;
}

TEST_F(SandboxFaultTest, BadFieldsAreRejectedAndChangeNothing) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"fault":"api_errors","rate":1.5})", "\\\"rate\\\" must be a number between 0 and 1"},
      {R"({"fault":"api_errors","rate":"0.5"})", "\\\"rate\\\" must be a number between 0 and 1"},
      {R"({"fault":"slow_responses","delay_ms":-5})", "\\\"delay_ms\\\" must be a whole number"},
      {R"({"fault":"slow_responses","delay_ms":1e12})", "\\\"delay_ms\\\" must be a whole number"},
      {R"({"fault":"slow_responses","delay_ms":2.7})", "\\\"delay_ms\\\" must be a whole number"},
      {R"({"fault":"api_warnings","text":123})", "\\\"text\\\" must be a string"},
      {R"({"fault":"never_ready","enabled":"yes"})", "\\\"enabled\\\" must be true or false"},
      {R"({"fault":"never_ready","namespace":5})", "\\\"namespace\\\" must be a string"},
  };
  for (const auto& [body, message] : cases) {
    std::string reply;
    EXPECT_EQ(sandbox_.Post("/sandbox/faults", body, &reply), 400) << body;
    EXPECT_NE(reply.find(message), std::string::npos) << body << " -> " << reply;
  }
  std::string state;
  ASSERT_EQ(sandbox_.Get("/sandbox/state", &state), 200);
  json faults = json::parse(state)["faults"];
  EXPECT_EQ(faults["api_errors"]["rate"], 0.0) << faults;
  EXPECT_EQ(faults["slow_responses"]["delay_ms"], 0) << faults;
  EXPECT_EQ(faults["never_ready"], json::array()) << faults;
}

TEST_F(SandboxFaultTest, AnEmptyWarningIsRejected) {
  std::string reply;
  EXPECT_EQ(sandbox_.Post("/sandbox/faults", R"({"fault":"api_warnings","text":""})", &reply), 400);
  EXPECT_NE(reply.find("needs a non-empty"), std::string::npos) << reply;
}

TEST_F(SandboxFaultTest, RequestsAreCountedLoggedAndTimed) {
  std::string body;
  ASSERT_EQ(sandbox_.Post("/sandbox/requests/reset", "{}", &body), 200);
  ASSERT_EQ(sandbox_.UserKubectl({"get", "pods", "-n", "shop", "-o", "json"}).exit_code, 0);
  ASSERT_EQ(sandbox_.Get("/sandbox/requests", &body), 200);
  json counts = json::parse(body);
  EXPECT_EQ(counts["by_endpoint"]["GET /api/v1/namespaces/shop/pods"], 1) << body;
  EXPECT_GE(counts["total"].get<int>(), 1);
  EXPECT_TRUE(counts["timing_ms"]["GET /api/v1/namespaces/shop/pods"].contains("max"));
  ASSERT_EQ(sandbox_.Get("/sandbox/request-log", &body), 200);
  json log = json::parse(body);
  bool found = false;
  for (const json& e : log) {
    found |= e["path"] == "/api/v1/namespaces/shop/pods" && e["query"] == "limit=500";
  }
  EXPECT_TRUE(found) << body;
}

TEST_F(SandboxFaultTest, StateReportsMeshAndSidecarVersions) {
  std::string body;
  ASSERT_EQ(sandbox_.Get("/sandbox/state", &body), 200);
  json state = json::parse(body);
  EXPECT_EQ(state["mesh"]["version"], "1.6.14-asm.1");
  for (const json& ns : state["namespaces"]) {
    if (ns["name"] == "shop") {
      EXPECT_EQ(ns["pods"]["proxy_versions"]["1.6.14-asm.1"], 2);
    }
    if (ns["name"] == "plain") {
      EXPECT_EQ(ns["pods"]["proxy_versions"]["none"], 1);
    }
  }
}

// A scenario's faults bite on pods that start later: the stalled scenario's payments pods are
// 2/2 when the sandbox comes up, and only a restart stalls them.
TEST(SandboxScenarioFaultTest, AScenarioFaultSparesThePodsItStartsWith) {
  SandboxProcess sandbox;
  std::string err;
  ASSERT_TRUE(sandbox.Start(SandboxProcess::Scenario("stalled"), &err)) << err;
  ProcessResult r = sandbox.UserKubectl({"get", "pods", "-n", "payments", "--no-headers"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2/2"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("1/2"), std::string::npos) << r.out;
}

TEST(SandboxAdminClusterTest, RefusesMeshInstall) {
  SandboxProcess sandbox;
  std::string err;
  ASSERT_TRUE(sandbox.StartWithScenarioText(kScenario, &err)) << err;
  std::string body;
  EXPECT_EQ(HttpRequest(sandbox.admin_port(), "POST", "/sandbox/istio/install",
                        R"({"version":"1.5.10-asm.2"})", &body),
            409);
  EXPECT_NE(body.find("user clusters only"), std::string::npos) << body;
}

}  // namespace
}  // namespace asmplan::testing
