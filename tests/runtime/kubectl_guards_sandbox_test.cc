// The guard evaluator with the real runner and the real /usr/bin/kubectl against a real
// asmplan-sandbox process: guard results on real pod lists, coalescing seen from the API
// server's side, a stalled rollout explained pod by pod, and an unreachable cluster.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "runtime/flight_recorder.h"
#include "runtime/kubectl_guard_evaluator.h"
#include "runtime/posix_command_runner.h"
#include "tests/runtime/kube_test_fixtures.h"
#include "tests/support/sandbox_process.h"

namespace asmplan {
namespace {

using kubefix::AllShow;
using kubefix::G;
using ::testing::HasSubstr;
using testing::SandboxProcess;

// Fast timings so a restart settles within about a second.
constexpr const char* kScenario = R"(
timings: {tick_ms: 50, pod_pending_ms: 100, pod_start_ms: 300, pod_ready_ms: 200,
          termination_grace_ms: 1000}
namespaces:
  - name: shop
    labels: {istio-injection: enabled}
    deployments:
      - {name: web, replicas: 2, containers: [{name: web, image: "nginx:1.25"}]}
  - name: jobs
    labels: {istio-injection: enabled}
    pods: [{name: worker-a}, {name: worker-b}]
  - name: ns3
    labels: {istio-injection: enabled}
    deployments: [{name: a, replicas: 1}]
  - name: ns4
    labels: {istio-injection: enabled}
    deployments: [{name: b, replicas: 1}]
  - name: plain
    deployments: [{name: legacy, replicas: 1}]
)";

class KubectlGuardsSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    ASSERT_TRUE(sandbox_.StartWithScenarioText(kScenario, &err)) << err;
    KubectlOptions options;
    options.kubectl = "/usr/bin/kubectl";
    options.query_timeout_ms = 30'000;
    for (const std::string& kv : sandbox_.Env())
      options.env[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    env_ = options.env;
    evaluator_ = NewKubectlGuardEvaluator(*runner_, SystemClock(), options);
  }
  GuardObservation One(const Guard& g) { return evaluator_->Evaluate({&g})[0]; }
  void UseUserCluster() {
    CommandSpec spec;
    spec.argv = {"/usr/bin/kubectl", "config", "use-context", "sandbox-user"};
    spec.env = env_;
    CommandResult r = runner_->Run(spec);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  /// Polls `g` (at most ~15 s) until `pred` accepts an observation; returns the last one.
  GuardObservation PollUntil(const Guard& g, FlightRecorder* rec,
                             const std::function<bool(const GuardObservation&)>& pred) {
    GuardObservation o;
    for (int i = 0; i < 60; ++i) {
      o = One(g);
      if (rec) rec->Record(SystemClock().NowMs(), o);
      if (pred(o)) return o;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    ADD_FAILURE() << "never observed; last: " << o.summary;
    return o;
  }

  SandboxProcess sandbox_;
  std::unique_ptr<CommandRunner> runner_ = NewPosixCommandRunner();
  std::map<std::string, std::string> env_;
  std::unique_ptr<GuardEvaluator> evaluator_;
};

TEST_F(KubectlGuardsSandboxTest, GuardsAnswerFromTheRealCluster) {
  // The operator's shell points at the admin cluster, which has no mesh.
  EXPECT_TRUE(One(G(GuardKind::kContextIs, "", "sandbox-admin")).holds);
  GuardObservation admin = One(G(GuardKind::kPodsAllReady, "istio-system"));
  EXPECT_FALSE(admin.error) << admin.summary;
  EXPECT_EQ(admin.summary, "no pods in namespace istio-system");

  UseUserCluster();
  EXPECT_TRUE(One(G(GuardKind::kContextIs, "", "sandbox-user")).holds);
  for (const Guard& g :
       {AllShow("shop", 2, 2), AllShow("jobs", 2, 2), G(GuardKind::kPodsAllReady, "istio-system"),
        G(GuardKind::kNoPodsTerminating, "istio-system"),
        G(GuardKind::kSidecarsAtVersion, "shop", "1.6.14-asm.1"),
        G(GuardKind::kControlPlaneAtVersion, "", "1.6.14-asm.1"),
        G(GuardKind::kDeploymentRolledOut, "shop", "web"), AllShow("plain", 1, 1)}) {
    GuardObservation o = One(g);
    EXPECT_TRUE(o.holds) << CanonicalText(g) << ": " << o.summary;
  }
  GuardObservation o = One(AllShow("shop", 2, 2));
  EXPECT_EQ(o.summary, "2 of 2 pods in shop show 2/2");
  o = One(G(GuardKind::kSidecarsAtVersion, "shop", "1.5.10-asm.2"));
  EXPECT_FALSE(o.holds);
  ASSERT_EQ(o.details.size(), 2u);
  EXPECT_THAT(o.details[0], ::testing::MatchesRegex("shop/web-.*: istio-proxy at 1.6.14-asm.1"));
  o = One(G(GuardKind::kSidecarsAtVersion, "plain", "1.6.14-asm.1"));
  EXPECT_THAT(o.details, ::testing::ElementsAre(::testing::EndsWith(": no istio-proxy container")));
  o = One(G(GuardKind::kControlPlaneAtVersion, "", "1.5.10-asm.2"));
  EXPECT_FALSE(o.holds);
  EXPECT_THAT(o.details.at(0), HasSubstr("discovery at 1.6.14-asm.1"));
  o = One(G(GuardKind::kDeploymentRolledOut, "shop", "nosuch"));
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.summary, "deployment nosuch not found in namespace shop");
}

TEST_F(KubectlGuardsSandboxTest, ClusterRoleBindingExistsOnceCreated) {
  UseUserCluster();
  Guard crb = G(GuardKind::kClusterRoleBindingExists, "", "cluster-admin-binding");
  GuardObservation before = One(crb);
  EXPECT_FALSE(before.holds);
  EXPECT_FALSE(before.error) << before.summary;
  CommandSpec create;
  create.argv = {"/usr/bin/kubectl",
                 "create",
                 "clusterrolebinding",
                 "cluster-admin-binding",
                 "--clusterrole=cluster-admin",
                 "--user=ops@example.com"};
  create.env = env_;
  ASSERT_EQ(runner_->Run(create).exit_code, 0);
  EXPECT_TRUE(One(crb).holds);
}

TEST_F(KubectlGuardsSandboxTest, ManyNamespacesCostOneListCallOnTheServer) {
  UseUserCluster();
  std::vector<Guard> guards = {AllShow("shop", 2, 2), AllShow("jobs", 2, 2), AllShow("ns3", 2, 2),
                               AllShow("ns4", 2, 2), AllShow("plain", 1, 1)};
  std::vector<const Guard*> ptrs;
  for (const auto& g : guards) ptrs.push_back(&g);
  std::string body;
  ASSERT_EQ(sandbox_.Post("/sandbox/requests/reset", "{}", &body), 200);
  for (const auto& o : evaluator_->Evaluate(ptrs)) EXPECT_TRUE(o.holds) << o.summary;
  ASSERT_EQ(sandbox_.Get("/sandbox/requests", &body), 200);
  nlohmann::json stats = nlohmann::json::parse(body, nullptr, false);
  int pod_lists = 0;
  for (auto& [endpoint, count] : stats["by_endpoint"].items())
    if (endpoint.rfind("GET ", 0) == 0 && endpoint.find("/pods") != std::string::npos)
      pod_lists += count.get<int>();
  EXPECT_EQ(stats["by_endpoint"].value("GET /api/v1/pods", 0), 1) << body;
  EXPECT_EQ(pod_lists, 1) << body;
}

TEST_F(KubectlGuardsSandboxTest, AStalledRolloutIsExplainedPodByPod) {
  UseUserCluster();
  std::string body;
  ASSERT_EQ(
      sandbox_.Post("/sandbox/faults", R"({"fault":"never_ready","namespace":"shop"})", &body), 200)
      << body;
  CommandSpec restart;
  restart.argv = {"/usr/bin/kubectl", "rollout", "restart", "deployment", "-n", "shop"};
  restart.env = env_;
  ASSERT_EQ(runner_->Run(restart).exit_code, 0);
  Guard g = AllShow("shop", 2, 2);
  FlightRecorder rec(g, SystemClock().NowMs());
  GuardObservation o = PollUntil(g, &rec, [](const GuardObservation& o) {
    for (const auto& d : o.details)
      if (d.find("1/2 ready, istio-proxy not ready") != std::string::npos) return true;
    return false;
  });
  EXPECT_FALSE(o.holds);
  EXPECT_FALSE(o.error);
  std::string message = rec.TimeoutMessage(20 * 60 * 1000);
  EXPECT_THAT(message,
              HasSubstr("timed out after 20m waiting until pods in ns \"shop\" all show 2/2"));
  EXPECT_THAT(message,
              ::testing::ContainsRegex("shop/web-[a-z0-9-]+: 1/2 ready, istio-proxy not ready"));
}

// A pod stuck terminating says when its grace period ended, as the API server set it on delete.
TEST_F(KubectlGuardsSandboxTest, APodStuckTerminatingSaysWhenItsGracePeriodEnds) {
  UseUserCluster();
  std::string body;
  ASSERT_EQ(sandbox_.Post("/sandbox/faults", R"({"fault":"stuck_terminating","namespace":"jobs"})",
                          &body),
            200)
      << body;
  CommandSpec del;
  del.argv = {"/usr/bin/kubectl", "delete", "pod", "worker-a", "-n", "jobs", "--wait=false"};
  del.env = env_;
  ASSERT_EQ(runner_->Run(del).exit_code, 0);
  GuardObservation o = PollUntil(G(GuardKind::kNoPodsTerminating, "jobs"), nullptr,
                                 [](const GuardObservation& o) { return !o.holds; });
  EXPECT_FALSE(o.error) << o.summary;
  EXPECT_THAT(o.details,
              ::testing::ElementsAre(::testing::MatchesRegex(
                  "jobs/worker-a: terminating \\(grace period until "
                  "20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z\\)")));
}

// A real API server's deprecation warnings reach kubectl's stderr on every request: the guards
// read the answers from stdout alone (mixed in, the warning makes the pod list malformed JSON).
// `context is` and the missing binding are here for completeness: they get no warning.
TEST_F(KubectlGuardsSandboxTest, GuardsIgnoreTheServersWarnings) {
  UseUserCluster();
  std::string body;
  ASSERT_EQ(sandbox_.Post("/sandbox/faults", R"({"fault":"api_warnings"})", &body), 200) << body;
  CommandSpec get;
  get.argv = {"/usr/bin/kubectl", "get", "pods", "-n", "shop"};
  get.env = env_;
  ASSERT_THAT(runner_->Run(get).output, HasSubstr("Warning: policy/v1beta1 PodSecurityPolicy"));
  for (const Guard& g : {AllShow("shop", 2, 2), G(GuardKind::kPodsAllReady, "istio-system"),
                         G(GuardKind::kSidecarsAtVersion, "shop", "1.6.14-asm.1"),
                         G(GuardKind::kControlPlaneAtVersion, "", "1.6.14-asm.1"),
                         G(GuardKind::kDeploymentRolledOut, "shop", "web"),
                         G(GuardKind::kContextIs, "", "sandbox-user")}) {
    GuardObservation o = One(g);
    EXPECT_TRUE(o.holds) << CanonicalText(g) << ": " << o.summary;
    EXPECT_FALSE(o.error) << CanonicalText(g) << ": " << o.summary;
  }
  GuardObservation absent = One(G(GuardKind::kClusterRoleBindingExists, "", "nosuch"));
  EXPECT_FALSE(absent.holds);
  EXPECT_FALSE(absent.error) << absent.summary;
}

TEST_F(KubectlGuardsSandboxTest, AnUnreachableClusterIsAQueryError) {
  UseUserCluster();
  sandbox_.Stop();
  GuardObservation o = One(AllShow("shop", 2, 2));
  EXPECT_TRUE(o.error);
  EXPECT_FALSE(o.holds);
  EXPECT_THAT(o.summary, HasSubstr("kubectl get pods -n shop -o json failed (exit 1): "));
  EXPECT_THAT(o.summary, HasSubstr("refused"));
}

}  // namespace
}  // namespace asmplan
