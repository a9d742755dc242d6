// Scenario files: the shipped ones load, bad ones are reported with file and line.
#include "sandbox/scenario.h"

#include <gtest/gtest.h>

namespace asmplan::sandbox {
namespace {

int Count(const Scenario& s, const std::string& resource) {
  int n = 0;
  for (const auto& [r, object] : s.user_objects) n += r == resource;
  return n;
}

TEST(ScenarioTest, ShippedScenariosLoad) {
  for (const char* name : {"demo", "stalled", "large"}) {
    Scenario s;
    std::string err;
    EXPECT_TRUE(LoadScenario(
        std::string(ASMPLAN_SOURCE_DIR) + "/sandbox/scenarios/" + name + ".yaml", &s, &err))
        << err;
    EXPECT_EQ(s.mesh.version, "1.6.14-asm.1");
  }
}

TEST(ScenarioTest, NamespaceTemplateExpandsCountAndIndex) {
  Scenario s;
  std::string err;
  ASSERT_TRUE(ParseScenario(R"(
namespace_template:
  count: 3
  name: "t-{i}"
  labels: {team: "team-{i}"}
  deployments: [{name: web, replicas: 2}]
  pods: [{name: "job-{i}"}]
)",
                            "t.yaml", &s, &err))
      << err;
  // default, kube-system, istio-system + 3 templated.
  EXPECT_EQ(Count(s, "namespaces"), 6);
  EXPECT_EQ(Count(s, "pods"), 3);
  for (const auto& [resource, object] : s.user_objects) {
    if (object["metadata"]["name"] == "t-2") {
      EXPECT_EQ(object["metadata"]["labels"]["team"], "team-2");
    }
  }
}

TEST(ScenarioTest, FaultsAndTimingsAreRead) {
  Scenario s;
  std::string err;
  ASSERT_TRUE(ParseScenario(R"(
timings: {pod_start_ms: 50, termination_grace_ms: 10}
faults:
  - {fault: never_ready, namespace: payments}
  - {fault: api_errors, rate: 0.25}
  - {fault: slow_responses, delay_ms: 40}
  - {fault: api_warnings, namespace: payments}
)",
                            "f.yaml", &s, &err))
      << err;
  EXPECT_EQ(s.timings.pod_start_ms, 50);
  EXPECT_EQ(s.timings.termination_grace_ms, 10);
  EXPECT_TRUE(s.faults.never_ready.count("payments"));
  EXPECT_DOUBLE_EQ(s.faults.api_error_rate, 0.25);
  EXPECT_EQ(s.faults.slow_delay_ms, 40);
  EXPECT_EQ(s.faults.warning_text, kDefaultWarning);
  EXPECT_EQ(s.faults.warning_namespace, "payments");
}

struct BadCase {
  const char* yaml;
  const char* message;
};

TEST(ScenarioTest, BadFilesNameFileLineAndProblem) {
  const BadCase cases[] = {
      {"namespaces:\n  - name: a\n    replica: 3\n",
       "bad.yaml:3:5: unknown key \"replica\" in namespace"},
      {"namespaces:\n  - name: a\n    deployments:\n      - {name: w, replicas: many}\n",
       "bad.yaml:4:29: \"replicas\" must be an integer"},
      {"faults:\n  - {fault: gremlins}\n",
       "bad.yaml:2:13: unknown fault \"gremlins\" (known: "
       "never_ready, crashloop_sidecar, stuck_terminating, "
       "api_errors, slow_responses, api_warnings)"},
      {"faults:\n  - {fault: api_warnings, text: \"\"}\n",
       "bad.yaml:2:33: \"text\" must not be empty"},
      {"namespaces:\n  - labels: {a: b}\n", "bad.yaml:2:5: missing \"name\""},
      {"timings: [1, 2]\n", "bad.yaml:1:10: timings must be a mapping"},
      {"namespaces:\n  - name: [a\n", "bad.yaml:3:1: end of sequence flow not found"},
  };
  for (const BadCase& c : cases) {
    Scenario s;
    std::string err;
    EXPECT_FALSE(ParseScenario(c.yaml, "bad.yaml", &s, &err)) << c.yaml;
    EXPECT_EQ(err, c.message) << c.yaml;
  }
}

}  // namespace
}  // namespace asmplan::sandbox
