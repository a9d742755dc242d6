// Parsing kubectl's JSON into the small structs guards use.
#include "runtime/kube_objects.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/runtime/kube_test_fixtures.h"

namespace asmplan {
namespace {

using namespace asmplan::kubefix;

TEST(KubeObjectsTest, ParsesAPodListWithEverythingGuardsNeed) {
  nlohmann::json old = Pod("payments", "old-5c", {App(), Proxy("1.6.14-asm.1")}, true);
  old["metadata"]["finalizers"] = {"example.com/protect"};
  std::string text = List(
      {Pod("payments", "api-7d9f-x2", {App(), Proxy("1.6.14-asm.1", false, "CrashLoopBackOff", 7)}),
       old});
  std::vector<PodInfo> pods;
  std::string err;
  ASSERT_TRUE(ParsePodList(text, &pods, &err)) << err;
  ASSERT_EQ(pods.size(), 2u);
  const PodInfo& p = pods[0];
  EXPECT_EQ(p.ns, "payments");
  EXPECT_EQ(p.name, "api-7d9f-x2");
  EXPECT_EQ(p.phase, "Running");
  EXPECT_FALSE(p.terminating);
  EXPECT_EQ(p.deletion_timestamp, "");
  EXPECT_TRUE(p.finalizers.empty());
  EXPECT_FALSE(p.ready_condition);
  EXPECT_EQ(p.owner, "ReplicaSet/api-7d9f");
  EXPECT_EQ(p.labels.at("app"), "api");
  ASSERT_EQ(p.containers.size(), 2u);  // the istio-init init container is not counted
  EXPECT_EQ(p.ReadyCount(), 1);
  EXPECT_EQ(p.containers[1].name, "istio-proxy");
  EXPECT_EQ(p.containers[1].image, "gcr.io/gke-release/asm/proxyv2:1.6.14-asm.1");
  EXPECT_EQ(p.containers[1].state, "waiting");
  EXPECT_EQ(p.containers[1].reason, "CrashLoopBackOff");
  EXPECT_EQ(p.containers[1].restart_count, 7);
  EXPECT_TRUE(pods[1].terminating);
  EXPECT_EQ(pods[1].deletion_timestamp, "2026-11-27T07:20:00Z");
  EXPECT_THAT(pods[1].finalizers, testing::ElementsAre("example.com/protect"));
  EXPECT_TRUE(pods[1].ready_condition);
}

TEST(KubeObjectsTest, APodWithoutStatusesYetHasUnreadyContainers) {
  std::vector<PodInfo> pods;
  std::string err;
  ASSERT_TRUE(ParsePodList(R"({"kind":"List","items":[{"metadata":{"name":"p","namespace":"n"},
      "spec":{"containers":[{"name":"app","image":"a:1"}]},"status":{"phase":"Pending"}}]})",
                           &pods, &err));
  ASSERT_EQ(pods[0].containers.size(), 1u);
  EXPECT_FALSE(pods[0].containers[0].ready);
  EXPECT_EQ(pods[0].containers[0].state, "");
  EXPECT_EQ(pods[0].owner, "");
}

TEST(KubeObjectsTest, RejectsMalformedAndWrongDocumentsWithoutThrowing) {
  std::vector<PodInfo> pods;
  std::string err;
  EXPECT_FALSE(ParsePodList("{\"items\": [", &pods, &err));
  EXPECT_EQ(err, "malformed JSON in the pod list");
  EXPECT_FALSE(ParsePodList("{\"kind\": \"Status\"}", &pods, &err));
  EXPECT_EQ(err, "not a pod list: no \"items\" array");
  EXPECT_FALSE(ParsePodList("", &pods, &err));
  // Wrong field types read as absent instead of throwing.
  EXPECT_TRUE(ParsePodList(R"({"items":[{"metadata":{"name":5,"labels":[1]},"spec":7,
      "status":{"containerStatuses":"x","conditions":{}}}, 3]})",
                           &pods, &err));
  EXPECT_EQ(pods.size(), 2u);
}

TEST(KubeObjectsTest, ParsesDeployments) {
  std::vector<DeploymentInfo> ds;
  std::string err;
  ASSERT_TRUE(
      ParseDeploymentList(List({Deployment("demo", "api", 3, 2, 4, 5, 2, 1, true)}), &ds, &err));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].name, "api");
  EXPECT_EQ(ds[0].generation, 3);
  EXPECT_EQ(ds[0].observed_generation, 2);
  EXPECT_EQ(ds[0].spec_replicas, 4);
  EXPECT_EQ(ds[0].replicas, 5);
  EXPECT_EQ(ds[0].updated_replicas, 2);
  EXPECT_EQ(ds[0].available_replicas, 1);
  EXPECT_TRUE(ds[0].progress_deadline_exceeded);
  ASSERT_TRUE(ParseDeploymentList(R"({"items":[{"metadata":{"name":"x"},"spec":{}}]})", &ds, &err));
  EXPECT_EQ(ds[0].spec_replicas, 1);  // Kubernetes' default
}

TEST(KubeObjectsTest, ImageTags) {
  EXPECT_EQ(ImageTag("gcr.io/gke-release/asm/proxyv2:1.5.10-asm.2"), "1.5.10-asm.2");
  EXPECT_EQ(ImageTag("localhost:5000/proxyv2:1.5.10"), "1.5.10");
  EXPECT_EQ(ImageTag("localhost:5000/proxyv2"), "");
  EXPECT_EQ(ImageTag("proxyv2:1.6@sha256:abcd"), "1.6");
  EXPECT_EQ(ImageTag("nginx"), "");
}

}  // namespace
}  // namespace asmplan
