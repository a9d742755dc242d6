// Unit tests of the sandbox's pure parts: selectors, patches, durations, protobuf, tables and
// the rollout arithmetic.
#include <gtest/gtest.h>

#include "sandbox/patches.h"
#include "sandbox/protobuf_decode.h"
#include "sandbox/selectors.h"
#include "sandbox/sim_time.h"
#include "sandbox/tables.h"
#include "sandbox/workload_controller.h"

namespace asmplan::sandbox {
namespace {

using nlohmann::json;

json Pod(const json& labels, const std::string& phase) {
  return {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"labels", labels}}},
          {"status", {{"phase", phase}}}};
}

TEST(SelectorTest, LabelSelectorsSupportEqualitySetsAndExistence) {
  Selector s;
  std::string err;
  ASSERT_TRUE(Selector::ParseLabels("app=web,tier!=db,env in (prod, stage),team,!legacy", &s, &err))
      << err;
  EXPECT_TRUE(s.MatchesLabels(Pod({{"app", "web"}, {"env", "prod"}, {"team", "a"}}, "Running")));
  EXPECT_FALSE(s.MatchesLabels(Pod({{"app", "web"}, {"env", "dev"}, {"team", "a"}}, "Running")));
  EXPECT_FALSE(s.MatchesLabels(
      Pod({{"app", "web"}, {"env", "prod"}, {"team", "a"}, {"legacy", "1"}}, "Running")));
  EXPECT_FALSE(s.MatchesLabels(Pod({{"app", "web"}, {"env", "prod"}}, "Running")));
}

TEST(SelectorTest, FieldSelectorsReadDottedPaths) {
  Selector s;
  std::string err;
  ASSERT_TRUE(Selector::ParseFields("metadata.name=p,status.phase!=Running", &s, &err));
  EXPECT_TRUE(s.MatchesFields(Pod({}, "Pending")));
  EXPECT_FALSE(s.MatchesFields(Pod({}, "Running")));
  EXPECT_EQ(s.EqualityValue("metadata.name"), "p");
  EXPECT_FALSE(Selector::ParseFields("metadata.name", &s, &err));
  EXPECT_EQ(err, "unable to parse requirement \"metadata.name\" in field selector");
}

TEST(PatchTest, StrategicMergeMergesContainersByNameAndIgnoresDirectives) {
  json d = {{"spec",
             {{"template",
               {{"spec",
                 {{"containers",
                   {{{"name", "a"}, {"image", "a:1"}}, {{"name", "b"}, {"image", "b:1"}}}}}}}}}}};
  std::string err;
  ASSERT_TRUE(ApplyPatch("application/strategic-merge-patch+json",
                         R"({"spec":{"template":{"metadata":{"annotations":{"x":"1"}},"spec":{
                            "$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
                            "containers":[{"image":"b:2","name":"b"}]}}}})",
                         &d, &err))
      << err;
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["image"], "a:1");
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][1]["image"], "b:2");
  EXPECT_EQ(d["spec"]["template"]["metadata"]["annotations"]["x"], "1");
}

TEST(PatchTest, MergeAndJsonPatchAndUnsupportedTypes) {
  json ns = {{"metadata", {{"labels", {{"a", "1"}, {"b", "2"}}}}}};
  std::string err;
  ASSERT_TRUE(ApplyPatch("application/merge-patch+json",
                         R"({"metadata":{"labels":{"a":null,"c":"3"}}})", &ns, &err));
  EXPECT_EQ(ns["metadata"]["labels"], json({{"b", "2"}, {"c", "3"}}));
  ASSERT_TRUE(ApplyPatch("application/json-patch+json",
                         R"([{"op":"replace","path":"/metadata/labels/b","value":"9"}])", &ns,
                         &err));
  EXPECT_EQ(ns["metadata"]["labels"]["b"], "9");
  EXPECT_FALSE(ApplyPatch("application/apply-patch+yaml", "{}", &ns, &err));
  EXPECT_EQ(err, "the server does not support patches of type \"application/apply-patch+yaml\"");
}

TEST(HumanDurationTest, MatchesKubectl) {
  EXPECT_EQ(HumanDuration(5), "5s");
  EXPECT_EQ(HumanDuration(119), "119s");
  EXPECT_EQ(HumanDuration(344), "5m44s");
  EXPECT_EQ(HumanDuration(300), "5m");
  EXPECT_EQ(HumanDuration(1500), "25m");
  EXPECT_EQ(HumanDuration(3 * 3600 + 600), "3h10m");
  EXPECT_EQ(HumanDuration(30 * 3600), "30h");
  EXPECT_EQ(HumanDuration(53 * 3600), "2d5h");
  EXPECT_EQ(HumanDuration(-5), "<invalid>");
  EXPECT_EQ(FormatRfc3339(ParseRfc3339("2026-11-27T07:16:02Z")), "2026-11-27T07:16:02Z");
}

// k8s\0 + runtime.Unknown{typeMeta{apiVersion,kind}, raw ClusterRoleBinding}.
std::string Field(int tag, const std::string& bytes) {
  return std::string(1, static_cast<char>(tag << 3 | 2)) +
         std::string(1, static_cast<char>(bytes.size())) + bytes;
}

TEST(ProtobufTest, DecodesClusterRoleBinding) {
  std::string raw = Field(1, Field(1, "cab")) +
                    Field(2, Field(1, "User") + Field(2, "rbac.authorization.k8s.io") +
                                 Field(3, "me@example.com")) +
                    Field(3, Field(1, "rbac.authorization.k8s.io") + Field(2, "ClusterRole") +
                                 Field(3, "cluster-admin"));
  std::string body =
      std::string("k8s\0", 4) +
      Field(1, Field(1, "rbac.authorization.k8s.io/v1") + Field(2, "ClusterRoleBinding")) +
      Field(2, raw);
  json out;
  std::string err;
  ASSERT_TRUE(DecodeProtobufObject(body, &out, &err)) << err;
  EXPECT_EQ(out["metadata"]["name"], "cab");
  EXPECT_EQ(out["subjects"][0]["name"], "me@example.com");
  EXPECT_EQ(out["roleRef"]["name"], "cluster-admin");
  EXPECT_EQ(out["kind"], "ClusterRoleBinding");
  EXPECT_FALSE(DecodeProtobufObject("{}", &out, &err));
}

TEST(TablesTest, PodStatusReasonFollowsKubectl) {
  json pod = {{"metadata", {{"name", "p"}}},
              {"spec", {{"containers", {{{"name", "app"}}, {{"name", "istio-proxy"}}}}}},
              {"status",
               {{"phase", "Running"},
                {"containerStatuses",
                 {{{"name", "app"}, {"ready", true}, {"state", {{"running", json::object()}}}},
                  {{"name", "istio-proxy"},
                   {"ready", false},
                   {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}}}}}}};
  EXPECT_EQ(PodStatusReason(pod), "CrashLoopBackOff");
  EXPECT_EQ(PodReadyCell(pod), "1/2");
  pod["metadata"]["deletionTimestamp"] = "2026-11-27T07:16:02Z";
  EXPECT_EQ(PodStatusReason(pod), "Terminating");
}

TEST(WorkloadTest, RolloutArithmeticMatchesKubernetesDefaults) {
  EXPECT_EQ(ResolveIntOrPercent("25%", 4, true), 1);
  EXPECT_EQ(ResolveIntOrPercent("25%", 1, true), 1);
  EXPECT_EQ(ResolveIntOrPercent("25%", 1, false), 0);
  EXPECT_EQ(ResolveIntOrPercent("25%", 10, false), 2);
  EXPECT_EQ(ResolveIntOrPercent(3, 10, false), 3);
  json tmpl = {{"spec", {{"containers", {{{"name", "a"}}}}}}};
  std::string hash = TemplateHash(tmpl);
  EXPECT_EQ(hash, TemplateHash(tmpl));
  tmpl["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] = "now";
  EXPECT_NE(hash, TemplateHash(tmpl));
  EXPECT_EQ(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos);
}

}  // namespace
}  // namespace asmplan::sandbox
