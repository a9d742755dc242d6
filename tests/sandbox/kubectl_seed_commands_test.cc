// The seed procedure's own kubectl commands, run with the real /usr/bin/kubectl against a real
// asmplan-sandbox process.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/sandbox_process.h"

namespace asmplan::testing {
namespace {

using nlohmann::json;

// Fast timings so rollouts finish in about a second.
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
)";

class KubectlSeedCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    ASSERT_TRUE(sandbox_.StartWithScenarioText(kScenario, &err)) << err;
  }
  ProcessResult Run(std::vector<std::string> args) { return sandbox_.UserKubectl(args); }
  json PodsJson(const std::string& ns) {
    ProcessResult r = Run({"get", "pods", "-n", ns, "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
  // Polls `get pod -n ns` until `pred` holds on its output (at most ~10 s).
  std::string WaitForPods(const std::string& ns,
                          const std::function<bool(const std::string&)>& pred) {
    std::string last;
    for (int i = 0; i < 40; ++i) {
      last = Run({"get", "pod", "-n", ns}).out;
      if (pred(last)) return last;
    }
    ADD_FAILURE() << "condition never held; last output:\n" << last;
    return last;
  }
  static std::vector<std::string> ProxyTags(const json& pods) {
    std::vector<std::string> tags;
    for (const json& pod : pods["items"]) {
      if (pod["metadata"].contains("deletionTimestamp")) continue;
      for (const json& c : pod["spec"]["containers"]) {
        std::string image = c["image"];
        if (c["name"] == "istio-proxy") tags.push_back(image.substr(image.rfind(':') + 1));
      }
    }
    return tags;
  }
  SandboxProcess sandbox_;
};

TEST_F(KubectlSeedCommandsTest, GetPodShowsTwoOfTwoWithAge) {
  ProcessResult r = Run({"get", "pod", "-n", "shop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("NAME"), std::string::npos);
  EXPECT_NE(r.out.find("READY   STATUS    RESTARTS   AGE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2/2     Running   0          25m"), std::string::npos) << r.out;
}

TEST_F(KubectlSeedCommandsTest, UseContextSwitchesFromAdminToUserCluster) {
  ProcessResult current = sandbox_.Kubectl({"config", "current-context"});
  EXPECT_EQ(current.out, "sandbox-admin\n");
  ProcessResult admin_ns = sandbox_.Kubectl({"get", "ns"});
  ASSERT_EQ(admin_ns.exit_code, 0) << admin_ns.err;
  EXPECT_EQ(admin_ns.out.find("istio-system"), std::string::npos) << admin_ns.out;
  ProcessResult use = sandbox_.Kubectl({"config", "use-context", "sandbox-user"});
  ASSERT_EQ(use.exit_code, 0) << use.err;
  EXPECT_EQ(use.out, "Switched to context \"sandbox-user\".\n");
  ProcessResult user_ns = sandbox_.Kubectl({"get", "ns"});
  EXPECT_NE(user_ns.out.find("istio-system"), std::string::npos) << user_ns.out;
}

TEST_F(KubectlSeedCommandsTest, IstioInstallReplacesControlPlaneOldPodsTerminate) {
  std::string body;
  ASSERT_EQ(sandbox_.Post("/sandbox/istio/install",
                          R"({"version":"1.5.10-asm.2","profile":"asm-multicloud",
                              "flags":["--set","values.global.mtls=true"]})",
                          &body),
            200)
      << body;
  // During the switch: a new istiod comes up while the old one still runs, then terminates.
  std::string during = WaitForPods("istio-system", [](const std::string& out) {
    return out.find("Terminating") != std::string::npos;
  });
  EXPECT_NE(during.find("25m"), std::string::npos) << during;  // the old pods' AGE
  // After: only new pods, at the new version.
  WaitForPods("istio-system", [](const std::string& out) {
    return out.find("Terminating") == std::string::npos && out.find("25m") == std::string::npos;
  });
  json pods = PodsJson("istio-system");
  ASSERT_EQ(pods["items"].size(), 2u);
  for (const json& pod : pods["items"]) {
    std::string image = pod["spec"]["containers"][0]["image"];
    EXPECT_EQ(image.substr(image.rfind(':') + 1), "1.5.10-asm.2");
  }
  ASSERT_EQ(sandbox_.Get("/sandbox/istio", &body), 200);
  json istio = json::parse(body);
  EXPECT_EQ(istio["version"], "1.5.10-asm.2");
  EXPECT_EQ(istio["flags"][1], "values.global.mtls=true");
}

TEST_F(KubectlSeedCommandsTest, RolloutRestartReinjectsSidecarsAtNewVersion) {
  std::string body;
  ASSERT_EQ(sandbox_.Post("/sandbox/istio/install", R"({"version":"1.5.10-asm.2"})", &body), 200);
  ProcessResult restart = Run({"rollout", "restart", "deployment", "-n", "shop"});
  ASSERT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_EQ(restart.out, "deployment.apps/web restarted\n");
  ProcessResult status =
      Run({"rollout", "status", "deployment/web", "-n", "shop", "--timeout=20s"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("deployment \"web\" successfully rolled out"), std::string::npos);
  EXPECT_EQ(ProxyTags(PodsJson("shop")),
            (std::vector<std::string>{"1.5.10-asm.2", "1.5.10-asm.2"}));
}

TEST_F(KubectlSeedCommandsTest, DeletePodAllRemovesBarePodsAndRecreatesOwnedOnes) {
  ProcessResult bare = Run({"delete", "pod", "-n", "jobs", "--all"});
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_EQ(bare.out, "pod \"worker-a\" deleted\npod \"worker-b\" deleted\n");
  EXPECT_EQ(Run({"get", "pod", "-n", "jobs"}).err, "No resources found in jobs namespace.\n");

  ProcessResult owned = Run({"delete", "pod", "-n", "shop", "--all"});
  ASSERT_EQ(owned.exit_code, 0) << owned.err;
  std::string after = WaitForPods("shop", [](const std::string& out) {
    size_t ready = 0;
    for (size_t at = 0; (at = out.find("2/2     Running", at)) != std::string::npos; ++at) ++ready;
    return ready == 2 && out.find("25m") == std::string::npos;
  });
  EXPECT_EQ(ProxyTags(PodsJson("shop")).size(), 2u) << after;
}

TEST_F(KubectlSeedCommandsTest, CreateClusterRoleBindingSendsProtobufAndDetectsDuplicates) {
  std::vector<std::string> create = {"create", "clusterrolebinding", "cluster-admin-binding",
                                     "--clusterrole=cluster-admin", "--user=ops@example.com"};
  ProcessResult first = Run(create);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out,
            "clusterrolebinding.rbac.authorization.k8s.io/cluster-admin-binding created\n");
  ProcessResult again = Run(create);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  ProcessResult got = Run({"get", "clusterrolebinding", "cluster-admin-binding", "-o", "json"});
  json binding = json::parse(got.out, nullptr, false);
  ASSERT_FALSE(binding.is_discarded()) << got.out << got.err;
  EXPECT_EQ(binding["roleRef"]["name"], "cluster-admin");
  EXPECT_EQ(binding["subjects"][0]["name"], "ops@example.com");
  EXPECT_EQ(binding["subjects"][0]["kind"], "User");
}

TEST_F(KubectlSeedCommandsTest, WaitForReadyHonoursNeverReadyFault) {
  ProcessResult ready =
      Run({"wait", "--for=condition=Ready", "pod", "--all", "-n", "shop", "--timeout=10s"});
  ASSERT_EQ(ready.exit_code, 0) << ready.err;
  EXPECT_NE(ready.out.find("condition met"), std::string::npos);

  std::string body;
  ASSERT_EQ(
      sandbox_.Post("/sandbox/faults", R"({"fault":"never_ready","namespace":"shop"})", &body),
      200);
  ASSERT_EQ(Run({"delete", "pod", "-n", "shop", "--all"}).exit_code, 0);
  std::string stalled = WaitForPods("shop", [](const std::string& out) {
    return out.find("1/2     Running") != std::string::npos &&
           out.find("Terminating") == std::string::npos;
  });
  EXPECT_EQ(stalled.find("2/2"), std::string::npos) << stalled;
  ProcessResult timed_out =
      Run({"wait", "--for=condition=Ready", "pod", "--all", "-n", "shop", "--timeout=1s"});
  EXPECT_NE(timed_out.exit_code, 0);

  ASSERT_EQ(sandbox_.Post("/sandbox/faults",
                          R"({"fault":"never_ready","namespace":"shop","enabled":false})", &body),
            200);
  ProcessResult fixed =
      Run({"wait", "--for=condition=Ready", "pod", "--all", "-n", "shop", "--timeout=10s"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
}

TEST_F(KubectlSeedCommandsTest, GetPodsAllNamespacesJsonListsEveryPod) {
  ProcessResult r = Run({"get", "pods", "-A", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json list = json::parse(r.out);
  EXPECT_EQ(list["kind"], "List");
  // shop 2 + jobs 2 + istiod + ingress gateway + kube-dns 2.
  EXPECT_EQ(list["items"].size(), 8u);
  for (const json& pod : list["items"]) EXPECT_EQ(pod["kind"], "Pod");
}

}  // namespace
}  // namespace asmplan::testing
