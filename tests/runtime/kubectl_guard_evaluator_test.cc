// Guard semantics and query coalescing, with kubectl scripted by FakeCommandRunner.
#include "runtime/kubectl_guard_evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "tests/runtime/kube_test_fixtures.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_command_runner.h"

namespace asmplan {
namespace {

using namespace asmplan::kubefix;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Guard Junction(GuardKind kind, std::vector<Guard> ops) {
  Guard g = G(kind);
  g.operands = std::move(ops);
  return g;
}
Guard Cmd(std::vector<std::string> argv) {
  Guard g = G(GuardKind::kCommandSucceeds);
  g.argv = std::move(argv);
  return g;
}

class KubectlGuardEvaluatorTest : public ::testing::Test {
 protected:
  GuardObservation One(const Guard& g) { return evaluator_->Evaluate({&g})[0]; }
  void Pods(const std::string& ns, const std::vector<nlohmann::json>& pods) {
    runner_.Expect("kubectl get pods -n " + ns + " -o json",
                   FakeCommandRunner::Exit(0, List(pods)));
  }
  void Deployments(const std::string& ns, const std::vector<nlohmann::json>& ds) {
    runner_.Expect("kubectl get deployments -n " + ns + " -o json",
                   FakeCommandRunner::Exit(0, List(ds)));
  }

  FakeCommandRunner runner_;
  FakeClock clock_;
  std::unique_ptr<GuardEvaluator> evaluator_ = NewKubectlGuardEvaluator(runner_, clock_);
};

TEST_F(KubectlGuardEvaluatorTest, AllShowHoldsOnAHealthyNamespace) {
  Pods("payments", {Pod("payments", "api-1", {App(), Proxy("1.5.10")}),
                    Pod("payments", "api-2", {App(), Proxy("1.5.10")})});
  GuardObservation o = One(AllShow("payments", 2, 2));
  EXPECT_TRUE(o.holds);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.summary, "2 of 2 pods in payments show 2/2");
  EXPECT_THAT(o.details, IsEmpty());
  EXPECT_THAT(runner_.commands_ran(), ElementsAre("kubectl get pods -n payments -o json"));
}

TEST_F(KubectlGuardEvaluatorTest, AllShowSaysWhyPodByPod) {
  Pods("payments",
       {Pod("payments", "api-7d9f", {App(), Proxy("1.5.10", false, "CrashLoopBackOff", 7)}),
        Pod("payments", "old-5c", {App(), Proxy("1.6.14")}, /*terminating=*/true),
        Pod("payments", "legacy-1", {App()}), Pod("payments", "ok-1", {App(), Proxy("1.5.10")}),
        Pod("payments", "job-1", {App(false)}, false, "Succeeded")});
  GuardObservation o = One(AllShow("payments", 2, 2));
  EXPECT_FALSE(o.holds);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.summary, "1 of 4 pods in payments show 2/2");
  EXPECT_THAT(o.details,
              ElementsAre("payments/api-7d9f: 1/2 ready, istio-proxy not ready (CrashLoopBackOff, "
                          "7 restarts)",
                          "payments/old-5c: terminating (grace period until 2026-11-27T07:20:00Z)",
                          "payments/legacy-1: 1/1 ready, expected 2/2"));
}

TEST_F(KubectlGuardEvaluatorTest, EmptyNamespaceDoesNotHold) {
  Pods("payments", {});
  GuardObservation o = One(AllShow("payments", 2, 2));
  EXPECT_FALSE(o.holds);
  EXPECT_EQ(o.summary, "no pods in namespace payments");
  EXPECT_THAT(o.details, ElementsAre("no pods in namespace payments"));
  EXPECT_FALSE(One(G(GuardKind::kPodsAllReady, "payments")).holds);
  EXPECT_FALSE(One(G(GuardKind::kSidecarsAtVersion, "payments", "1.5.10")).holds);
  EXPECT_TRUE(One(G(GuardKind::kNoPodsTerminating, "payments")).holds);
}

TEST_F(KubectlGuardEvaluatorTest, AllReadyUsesTheReadyCondition) {
  Pods("istio-system",
       {Pod("istio-system", "istiod-1", {{"discovery", "pilot:1.5.10", true, "", 0}}),
        Pod("istio-system", "gw-1", {{"istio-proxy", "proxyv2:1.5.10", false, "", 0}}, false,
            "Running", "istio-ingressgateway")});
  GuardObservation o = One(G(GuardKind::kPodsAllReady, "istio-system"));
  EXPECT_FALSE(o.holds);
  EXPECT_EQ(o.summary, "1 of 2 pods in istio-system ready");
  EXPECT_THAT(o.details, ElementsAre("istio-system/gw-1: not ready (Running), 0/1 ready, "
                                     "istio-proxy not ready (running)"));
}

TEST_F(KubectlGuardEvaluatorTest, NoPodsTerminatingNamesThem) {
  // Its grace period and what its removal waits for tell a pod stuck terminating from one that is
  // on its way out.
  nlohmann::json old = Pod("istio-system", "gw-old", {Proxy("1.6.14")}, true);
  old["metadata"]["finalizers"] = {"example.com/protect", "example.com/audit"};
  Pods("istio-system", {old, Pod("istio-system", "gw-new", {Proxy("1.5.10")})});
  GuardObservation o = One(G(GuardKind::kNoPodsTerminating, "istio-system"));
  EXPECT_FALSE(o.holds);
  EXPECT_EQ(o.summary, "1 pod in istio-system terminating");
  EXPECT_THAT(o.details, ElementsAre("istio-system/gw-old: terminating (grace period until "
                                     "2026-11-27T07:20:00Z; finalizers: example.com/protect, "
                                     "example.com/audit)"));
}

TEST_F(KubectlGuardEvaluatorTest, SidecarVersionsIgnoreTerminatingPods) {
  Pods("shop", {Pod("shop", "a", {App(), Proxy("1.5.10-asm.2")}),
                Pod("shop", "b", {App(), Proxy("1.6.14-asm.1")}), Pod("shop", "c", {App()}),
                Pod("shop", "old", {App(), Proxy("1.6.14-asm.1")}, true)});
  GuardObservation o = One(G(GuardKind::kSidecarsAtVersion, "shop", "1.5.10-asm.2"));
  EXPECT_FALSE(o.holds);
  EXPECT_EQ(o.summary, "1 of 3 pods in shop have istio-proxy at 1.5.10-asm.2");
  EXPECT_THAT(o.details, ElementsAre("shop/b: istio-proxy at 1.6.14-asm.1",
                                     "shop/c: no istio-proxy container"));
}

TEST_F(KubectlGuardEvaluatorTest, SidecarVersionsOfOnlyTerminatingPodsSaySo) {
  Pods("shop", {Pod("shop", "old", {App(), Proxy("1.6.14-asm.1")}, true)});
  GuardObservation o = One(G(GuardKind::kSidecarsAtVersion, "shop", "1.5.10-asm.2"));
  EXPECT_FALSE(o.holds);
  EXPECT_EQ(o.summary, "no pods in shop but terminating ones");
  EXPECT_THAT(o.details,
              ElementsAre("shop/old: terminating (grace period until 2026-11-27T07:20:00Z)"));
}

TEST_F(KubectlGuardEvaluatorTest, ControlPlaneVersionLooksAtIstiodPodsOnly) {
  FakeContainer pilot_old{"discovery", "gcr.io/gke-release/asm/pilot:1.6.14-asm.1", true, "", 0};
  FakeContainer pilot_new{"discovery", "gcr.io/gke-release/asm/pilot:1.5.10-asm.2", false,
                          "ContainerCreating", 0};
  Pods("istio-system", {Pod("istio-system", "istiod-old", {pilot_old}, true, "Running", "istiod"),
                        Pod("istio-system", "istiod-new", {pilot_new}, false, "Pending", "istiod"),
                        Pod("istio-system", "gw", {Proxy("1.6.14-asm.1")}, false, "Running",
                            "istio-ingressgateway")});
  FakeContainer pilot_ready = pilot_new;
  pilot_ready.ready = true;
  pilot_ready.waiting_reason = "";
  Pods("istio-system",
       {Pod("istio-system", "istiod-new", {pilot_ready}, false, "Running", "istiod")});
  GuardObservation o = One(G(GuardKind::kControlPlaneAtVersion, "", "1.5.10-asm.2"));
  EXPECT_FALSE(o.holds);
  EXPECT_EQ(o.summary, "0 of 2 istiod pods ready at 1.5.10-asm.2");
  EXPECT_THAT(o.details,
              ElementsAre("istio-system/istiod-old: terminating (grace period until "
                          "2026-11-27T07:20:00Z), discovery at 1.6.14-asm.1",
                          "istio-system/istiod-new: not ready, 0/1 ready, discovery not ready "
                          "(ContainerCreating)"));
  o = One(G(GuardKind::kControlPlaneAtVersion, "", "1.5.10-asm.2"));
  EXPECT_TRUE(o.holds);
  EXPECT_EQ(o.summary, "1 of 1 istiod pod ready at 1.5.10-asm.2");
}

TEST_F(KubectlGuardEvaluatorTest, DeploymentRolledOutFollowsKubectlRolloutStatus) {
  struct Case {
    nlohmann::json d;
    bool holds;
    std::string detail;
  } cases[] = {
      {Deployment("demo", "api", 2, 2, 3, 3, 3, 3), true, ""},
      {Deployment("demo", "api", 3, 2, 3, 3, 3, 3), false,
       "demo/api: waiting for the rollout to be observed (generation 3, observed 2)"},
      {Deployment("demo", "api", 2, 2, 3, 4, 1, 3), false, "demo/api: 1 of 3 replicas updated"},
      {Deployment("demo", "api", 2, 2, 3, 4, 3, 3), false,
       "demo/api: 1 old replicas pending termination"},
      {Deployment("demo", "api", 2, 2, 3, 3, 3, 2), false,
       "demo/api: 2 of 3 updated replicas available"},
      {Deployment("demo", "api", 2, 2, 3, 3, 3, 3, true), false,
       "demo/api: progress deadline exceeded"},
      // As kubectl: a rollout not yet observed is waited for before its deadline is judged, and
      // more updated replicas than wanted (scaling down) do not keep it from holding.
      {Deployment("demo", "api", 3, 2, 3, 3, 3, 3, true), false,
       "demo/api: waiting for the rollout to be observed (generation 3, observed 2)"},
      {Deployment("demo", "api", 2, 2, 2, 3, 3, 3), true, ""},
  };
  // Scripted results are consumed in order: one per evaluation below.
  for (const auto& c : cases)
    Deployments("demo", {Deployment("demo", "other", 1, 1, 1, 1, 1, 1), c.d});
  Deployments("demo", {});
  for (const auto& c : cases) {
    GuardObservation o = One(G(GuardKind::kDeploymentRolledOut, "demo", "api"));
    EXPECT_EQ(o.holds, c.holds) << c.d.dump();
    if (!c.holds) {
      EXPECT_THAT(o.details, ElementsAre(c.detail));
    }
  }
  GuardObservation o = One(G(GuardKind::kDeploymentRolledOut, "demo", "api"));
  EXPECT_FALSE(o.holds);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.summary, "deployment api not found in namespace demo");
}

TEST_F(KubectlGuardEvaluatorTest, ContextIs) {
  // Scripted results are consumed in order: one per evaluation below.
  for (int i = 0; i < 2; ++i)
    runner_.Expect("kubectl config current-context", FakeCommandRunner::Exit(0, "sandbox-user\n"));
  runner_.Expect("kubectl config current-context",
                 FakeCommandRunner::Exit(1, "error: current-context is not set\n"));
  EXPECT_TRUE(One(G(GuardKind::kContextIs, "", "sandbox-user")).holds);
  GuardObservation o = One(G(GuardKind::kContextIs, "", "prod"));
  EXPECT_FALSE(o.holds);
  EXPECT_EQ(o.summary, "current context is sandbox-user");
  o = One(G(GuardKind::kContextIs, "", "prod"));
  EXPECT_FALSE(o.holds);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.summary, "no current context");
}

TEST_F(KubectlGuardEvaluatorTest, ClusterRoleBindingExists) {
  runner_.Expect("kubectl get clusterrolebinding cluster-admin-binding --ignore-not-found -o name",
                 FakeCommandRunner::Exit(
                     0, "clusterrolebinding.rbac.authorization.k8s.io/cluster-admin-binding\n"));
  runner_.Expect("kubectl get clusterrolebinding missing --ignore-not-found -o name",
                 FakeCommandRunner::Exit(0, ""));
  Guard present = G(GuardKind::kClusterRoleBindingExists, "", "cluster-admin-binding");
  Guard absent = G(GuardKind::kClusterRoleBindingExists, "", "missing");
  auto obs = evaluator_->Evaluate({&present, &absent, &present});
  EXPECT_TRUE(obs[0].holds);
  EXPECT_FALSE(obs[1].holds);
  EXPECT_FALSE(obs[1].error);
  EXPECT_EQ(obs[1].summary, "clusterrolebinding missing not found");
  EXPECT_TRUE(obs[2].holds);
  EXPECT_EQ(runner_.commands_ran().size(), 2u);
}

TEST_F(KubectlGuardEvaluatorTest, CommandSucceeds) {
  runner_.Expect("test -f ready", FakeCommandRunner::Exit(0));
  runner_.Expect("test -f missing", FakeCommandRunner::Exit(1, "some noise\nnot there\n"));
  CommandResult unstartable;
  unstartable.spawn_failed = true;
  unstartable.error = "nope: no such file on PATH";
  runner_.Expect("nope", unstartable);
  EXPECT_TRUE(One(Cmd({"test", "-f", "ready"})).holds);
  GuardObservation o = One(Cmd({"test", "-f", "missing"}));
  EXPECT_FALSE(o.holds);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.summary, "test -f missing failed (exit 1): not there");
  // Its output is not parsed: one stream, so the reason it printed last is the one quoted.
  EXPECT_FALSE(runner_.specs_ran().back().stderr_apart);
  o = One(Cmd({"nope"}));
  EXPECT_TRUE(o.error);
  EXPECT_EQ(o.summary, "nope could not start: nope: no such file on PATH");
  // The query timeout and environment apply to commands too.
  EXPECT_EQ(runner_.specs_ran().back().timeout_ms, 60'000);
}

// The failure names the command as it could be pasted into a shell, and the step's message says
// it once (the detail line that only repeats the summary is left out). A command that printed
// several lines (kubectl: one error per missing namespace) shows its last 20, in order.
TEST_F(KubectlGuardEvaluatorTest, AFailedCommandIsShownQuotedAndOnce) {
  runner_.Expect("sh -c", FakeCommandRunner::Exit(1, "first\nthe reason\n"));
  Guard g = Cmd({"sh", "-c", "echo first; echo the reason; exit 1"});
  GuardObservation o = One(g);
  EXPECT_EQ(o.summary, "sh -c 'echo first; echo the reason; exit 1' failed (exit 1): the reason");
  EXPECT_EQ(UnmetGuardText("require", g, o),
            "require `command [\"sh\", \"-c\", \"echo first; echo the reason; exit 1\"] succeeds` "
            "does not hold: " +
                o.summary + "\n  | first\n  | the reason");
  runner_.Expect("one", FakeCommandRunner::Exit(1, "only this\n"));
  g = Cmd({"one"});
  o = One(g);
  EXPECT_EQ(UnmetGuardText("require", g, o),
            "require `command [\"one\"] succeeds` does not hold: one failed (exit 1): only this");
  std::string many;
  for (int i = 1; i <= 25; ++i) many += "line " + std::to_string(i) + "\n\n";
  runner_.Expect("many", FakeCommandRunner::Exit(1, many));
  o = One(Cmd({"many"}));
  ASSERT_EQ(o.details.size(), 21u);
  EXPECT_EQ(o.details[0], o.summary);
  EXPECT_EQ(o.details[1], "| line 6");
  EXPECT_EQ(o.details[20], "| line 25");
}

// A `command` guard runs where the steps' commands run (the run's workspace), so a verify that
// tests a file a step wrote finds it whatever directory asmplan was started in.
TEST_F(KubectlGuardEvaluatorTest, CommandGuardsRunInTheWorkspaceKubectlWhereStarted) {
  KubectlOptions options;
  options.command_cwd = "/state/workspace";
  evaluator_ = NewKubectlGuardEvaluator(runner_, clock_, options);
  Pods("a", {Pod("a", "p", {App(), Proxy("1.5.10")})});
  Guard file = Cmd({"test", "-f", "flag"}), pods = AllShow("a", 2, 2);
  evaluator_->Evaluate({&file, &pods});
  for (const CommandSpec& spec : runner_.specs_ran()) {
    EXPECT_EQ(spec.cwd, spec.argv[0] == "test" ? "/state/workspace" : "") << spec.argv[0];
  }
  EXPECT_EQ(runner_.specs_ran().size(), 2u);
}

TEST_F(KubectlGuardEvaluatorTest, AndOrNotCombineAndShareQueries) {
  Pods("a", {Pod("a", "p", {App(), Proxy("1.5.10")})});
  Pods("b", {Pod("b", "q", {App(), Proxy("1.6.14", false, "CrashLoopBackOff")})});
  Guard a_ok = AllShow("a", 2, 2), b_ok = AllShow("b", 2, 2);
  Guard both = Junction(GuardKind::kAnd, {a_ok, b_ok});
  Guard either = Junction(GuardKind::kOr, {a_ok, b_ok});
  Guard not_b = Junction(GuardKind::kNot, {b_ok});
  Guard not_a = Junction(GuardKind::kNot, {a_ok});
  auto obs = evaluator_->Evaluate({&both, &either, &not_b, &not_a});
  EXPECT_FALSE(obs[0].holds);
  EXPECT_EQ(obs[0].summary, "0 of 1 pod in b show 2/2");
  EXPECT_THAT(obs[0].details,
              ElementsAre("b/q: 1/2 ready, istio-proxy not ready (CrashLoopBackOff)"));
  EXPECT_TRUE(obs[1].holds);
  EXPECT_TRUE(obs[2].holds);
  EXPECT_FALSE(obs[3].holds);
  EXPECT_THAT(obs[3].details, ElementsAre("pods in ns \"a\" all show 2/2 holds: 1 of 1 pod in a "
                                          "show 2/2"));
  EXPECT_EQ(runner_.commands_ran().size(), 2u);  // one query per namespace for all four guards
}

TEST_F(KubectlGuardEvaluatorTest, FiftyNamespacesCostOneAllNamespacesQuery) {
  std::vector<nlohmann::json> pods;
  std::vector<Guard> guards;
  for (int i = 0; i < 50; ++i) {
    std::string ns = "ns" + std::to_string(i);
    pods.push_back(
        Pod(ns, "api", {App(), Proxy("1.5.10", i != 7, i == 7 ? "CrashLoopBackOff" : "")}));
    guards.push_back(AllShow(ns, 2, 2));
  }
  pods.push_back(Pod("unrelated", "x", {App()}));
  guards.push_back(AllShow("empty-ns", 2, 2));
  runner_.Expect("kubectl get pods -A -o json", FakeCommandRunner::Exit(0, List(pods)));
  std::vector<const Guard*> ptrs;
  for (const auto& g : guards) ptrs.push_back(&g);
  auto obs = evaluator_->Evaluate(ptrs);
  EXPECT_THAT(runner_.commands_ran(), ElementsAre("kubectl get pods -A -o json"));
  ASSERT_EQ(obs.size(), 51u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(obs[i].holds, i != 7) << i;
  EXPECT_THAT(obs[7].details,
              ElementsAre("ns7/api: 1/2 ready, istio-proxy not ready (CrashLoopBackOff)"));
  EXPECT_EQ(obs[50].summary, "no pods in namespace empty-ns");
}

TEST_F(KubectlGuardEvaluatorTest, AFewNamespacesAreQueriedOneByOne) {
  for (const char* ns : {"a", "b", "istio-system"}) Pods(ns, {});
  Guard a = AllShow("a", 2, 2), a2 = G(GuardKind::kNoPodsTerminating, "a"),
        b = G(GuardKind::kSidecarsAtVersion, "b", "1"),
        cp = G(GuardKind::kControlPlaneAtVersion, "", "1"),
        ready = G(GuardKind::kPodsAllReady, "istio-system");
  evaluator_->Evaluate({&a, &a2, &b, &cp, &ready});
  // The queries run concurrently: any order.
  EXPECT_THAT(runner_.commands_ran(),
              UnorderedElementsAre("kubectl get pods -n a -o json", "kubectl get pods -n b -o json",
                                   "kubectl get pods -n istio-system -o json"));
}

TEST_F(KubectlGuardEvaluatorTest, ManyDeploymentNamespacesShareOneQueryToo) {
  std::vector<nlohmann::json> ds;
  std::vector<Guard> guards;
  for (int i = 0; i < 5; ++i) {
    std::string ns = "d" + std::to_string(i);
    ds.push_back(Deployment(ns, "api", 1, 1, 1, 1, 1, 1));
    guards.push_back(G(GuardKind::kDeploymentRolledOut, ns, "api"));
  }
  runner_.Expect("kubectl get deployments -A -o json", FakeCommandRunner::Exit(0, List(ds)));
  std::vector<const Guard*> ptrs;
  for (const auto& g : guards) ptrs.push_back(&g);
  for (const auto& o : evaluator_->Evaluate(ptrs)) EXPECT_TRUE(o.holds) << o.summary;
  EXPECT_THAT(runner_.commands_ran(), ElementsAre("kubectl get deployments -A -o json"));
}

TEST_F(KubectlGuardEvaluatorTest, EveryKindOfQueryRunsOncePerTick) {
  runner_.Expect("kubectl get pods", FakeCommandRunner::Exit(0, List({})));
  runner_.Expect("kubectl get deployments", FakeCommandRunner::Exit(0, List({})));
  Guard guards[] = {AllShow("a", 2, 2),
                    G(GuardKind::kPodsAllReady, "b"),
                    G(GuardKind::kControlPlaneAtVersion, "", "1"),
                    G(GuardKind::kDeploymentRolledOut, "a", "x"),
                    G(GuardKind::kDeploymentRolledOut, "a", "y"),
                    G(GuardKind::kContextIs, "", "c"),
                    Junction(GuardKind::kNot, {G(GuardKind::kContextIs, "", "d")}),
                    G(GuardKind::kClusterRoleBindingExists, "", "crb"),
                    Cmd({"true"}),
                    Junction(GuardKind::kAnd, {Cmd({"true"}), AllShow("a", 1, 1)})};
  std::vector<const Guard*> ptrs;
  for (const auto& g : guards) ptrs.push_back(&g);
  EXPECT_EQ(evaluator_->Evaluate(ptrs).size(), 10u);
  EXPECT_THAT(runner_.commands_ran(),
              UnorderedElementsAre(
                  "kubectl get pods -n a -o json", "kubectl get pods -n b -o json",
                  "kubectl get pods -n istio-system -o json",
                  "kubectl get deployments -n a -o json", "kubectl config current-context",
                  "kubectl get clusterrolebinding crb --ignore-not-found -o name", "true"));
}

/// Each query waits until another one is in flight too (FakeCommandRunner answers under its
/// lock, so it cannot show overlap). Run one by one, queries would give up after 20 s.
class RendezvousRunner : public CommandRunner {
 public:
  CommandResult Run(const CommandSpec&) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++in_flight_;
    cv_.notify_all();
    if (cv_.wait_for(lock, std::chrono::seconds(20), [&] { return in_flight_ >= 2; }))
      ++overlapped_;
    return FakeCommandRunner::Exit(0, List({}));
  }
  void InterruptAll(int) override {}
  int overlapped() {
    std::lock_guard<std::mutex> lock(mu_);
    return overlapped_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  int overlapped_ = 0;
};

TEST_F(KubectlGuardEvaluatorTest, TheQueriesOfATickRunConcurrently) {
  RendezvousRunner runner;
  auto evaluator = NewKubectlGuardEvaluator(runner, clock_);
  Guard a = AllShow("a", 2, 2), b = AllShow("b", 2, 2);
  auto obs = evaluator->Evaluate({&a, &b});
  EXPECT_EQ(runner.overlapped(), 2);
  EXPECT_EQ(obs[1].summary, "no pods in namespace b");
}

TEST_F(KubectlGuardEvaluatorTest, QueryFailuresAreErrorsWithKubectlsWords) {
  runner_.Expect("kubectl get pods -n a -o json",
                 FakeCommandRunner::Exit(1,
                                         "E1127 memcache.go:265] couldn't get current server "
                                         "API group list\nThe connection to the server "
                                         "127.0.0.1:6443 was refused - did you specify the "
                                         "right host or port?\n"));
  runner_.Expect("kubectl get pods -n b -o json", FakeCommandRunner::Exit(0, "{\"items\": [ {"));
  Guard a = AllShow("a", 2, 2), a_ready = G(GuardKind::kPodsAllReady, "a"), b = AllShow("b", 2, 2);
  Guard either = Junction(GuardKind::kOr, {a, b});
  auto obs = evaluator_->Evaluate({&a, &a_ready, &b, &either});
  EXPECT_TRUE(obs[0].error);
  EXPECT_FALSE(obs[0].holds);
  EXPECT_EQ(obs[0].summary,
            "kubectl get pods -n a -o json failed (exit 1): The connection to the server "
            "127.0.0.1:6443 was refused - did you specify the right host or port?");
  EXPECT_EQ(obs[1].summary, obs[0].summary);
  EXPECT_TRUE(obs[2].error);
  EXPECT_EQ(obs[2].summary, "kubectl get pods -n b -o json: malformed JSON in the pod list");
  EXPECT_TRUE(obs[3].error);
  EXPECT_EQ(runner_.commands_ran().size(), 2u);
}

// kubectl prints warnings on stderr: a deprecation `Warning:` header of the API server, the
// discovery errors of a broken aggregated API (metrics-server down). The answers come from stdout.
TEST_F(KubectlGuardEvaluatorTest, WarningsOnStderrDoNotDisturbTheAnswers) {
  const std::string noise =
      "E1127 10:00:00.000000 memcache.go:287] couldn't get resource list for "
      "metrics.k8s.io/v1beta1: the server is currently unable to handle the request\n"
      "Warning: policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+\n";
  CommandResult pods =
      FakeCommandRunner::Exit(0, List({Pod("payments", "api-1", {App(), Proxy("1.5.10")})}));
  pods.error_output = noise;
  runner_.Expect("kubectl get pods -n payments -o json", pods);
  CommandResult context = FakeCommandRunner::Exit(0, "onprem-admin\n");
  context.error_output = noise;
  runner_.Expect("kubectl config current-context", context);
  CommandResult failed = FakeCommandRunner::Exit(1, "");
  failed.error_output = noise + "error: You must be logged in to the server (Unauthorized)\n";
  runner_.Expect("kubectl get pods -n b -o json", failed);

  Guard all = AllShow("payments", 2, 2), admin = G(GuardKind::kContextIs, "", "onprem-admin");
  Guard not_admin = Junction(GuardKind::kNot, {admin}), b = AllShow("b", 2, 2);
  auto obs = evaluator_->Evaluate({&all, &admin, &not_admin, &b});
  EXPECT_TRUE(obs[0].holds) << obs[0].summary;
  EXPECT_FALSE(obs[0].error);
  EXPECT_TRUE(obs[1].holds) << obs[1].summary;
  // The admin-cluster check must not pass because a warning came last.
  EXPECT_FALSE(obs[2].holds) << obs[2].summary;
  EXPECT_TRUE(obs[3].error);
  EXPECT_EQ(obs[3].summary,
            "kubectl get pods -n b -o json failed (exit 1): error: You must be logged in to the "
            "server (Unauthorized)");
  for (const CommandSpec& spec : runner_.specs_ran()) EXPECT_TRUE(spec.stderr_apart);
}

TEST_F(KubectlGuardEvaluatorTest, AnAndWithAFailingOperandIsNotAnError) {
  runner_.Expect("kubectl get pods -n a -o json", FakeCommandRunner::Exit(1, "boom\n"));
  Pods("b", {});
  Guard both = Junction(GuardKind::kAnd, {AllShow("a", 2, 2), AllShow("b", 2, 2)});
  GuardObservation o = One(both);
  EXPECT_FALSE(o.holds);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.summary, "no pods in namespace b");
}

TEST_F(KubectlGuardEvaluatorTest, OptionsReachTheQueries) {
  FakeCommandRunner runner;
  KubectlOptions options;
  options.kubectl = "/opt/k/kubectl";
  options.query_timeout_ms = 5000;
  options.env = {{"KUBECONFIG", "/tmp/kc"}};
  std::atomic<bool> cancel{false};
  options.cancel = &cancel;
  auto evaluator = NewKubectlGuardEvaluator(runner, clock_, options);
  Guard g = AllShow("a", 1, 1);
  Guard c = Cmd({"istioctl", "version"});
  evaluator->Evaluate({&g, &c});
  ASSERT_EQ(runner.specs_ran().size(), 2u);
  CommandSpec spec = runner.specs_ran()[0];
  EXPECT_THAT(spec.argv, ElementsAre("/opt/k/kubectl", "get", "pods", "-n", "a", "-o", "json"));
  EXPECT_EQ(spec.timeout_ms, 5000);
  EXPECT_EQ(spec.env.at("KUBECONFIG"), "/tmp/kc");
  // The signal flag reaches every query, so none starts after a SIGINT.
  for (const CommandSpec& s : runner.specs_ran()) EXPECT_EQ(s.cancel, &cancel);
}

}  // namespace
}  // namespace asmplan
