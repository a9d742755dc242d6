#include "tests/compiler/sample_plans.h"

#include <string>

namespace asmplan::testing {
namespace {

Guard Leaf(GuardKind kind, std::string ns, std::string name) {
  Guard g;
  g.kind = kind;
  g.ns = std::move(ns);
  g.name = std::move(name);
  return g;
}

Guard Junction(GuardKind kind, std::vector<Guard> operands) {
  Guard g;
  g.kind = kind;
  g.operands = std::move(operands);
  return g;
}

const char kPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEexampleexampleexampleexampleexa\n"
    "mpleexampleexampleexampleexampleexampleexampleexampleexample0==\n"
    "-----END PUBLIC KEY-----\n";

Step FullStep() {
  Step s;
  s.id = "restart_sidecars[pay\"ments]";
  s.group = "restart_sidecars";
  s.source = "plans/asm-downgrade.asmplan:42";
  s.after = {"install_control_plane", "fetch 'release'"};
  s.require = {SampleGuard(GuardKind::kContextIs), SampleGuard(GuardKind::kAnd)};
  s.skip_if = {SampleGuard(GuardKind::kNot), SampleGuard(GuardKind::kOr)};
  s.fetch = "istio_release";
  s.run = {{"kubectl", "rollout", "restart", "deployment", "-n", "pay\"ments"},
           {"sh-free", "it's", "multi\nline", "tab\there", "back\\slash", "ünïcødé ✓ 🚀",
            "${db_password}", ""}};
  s.timeout_ms = 5'400'000;
  s.retries = 3;
  s.backoff_ms = 1500;
  s.wait_until = {{SampleGuard(GuardKind::kPodsAllShow), 1'200'000, 15'000},
                  {SampleGuard(GuardKind::kNoPodsTerminating), 600'000, 10'000}};
  s.verify = {SampleGuard(GuardKind::kSidecarsAtVersion),
              SampleGuard(GuardKind::kControlPlaneAtVersion),
              SampleGuard(GuardKind::kCommandSucceeds)};
  s.idempotent = true;
  s.confirm = "Check that the workloads behave correctly.\nThen type \"yes\" — or 'no'.";
  return s;
}

}  // namespace

Guard SampleGuard(GuardKind kind) {
  switch (kind) {
    case GuardKind::kPodsAllReady:
    case GuardKind::kNoPodsTerminating:
      return Leaf(kind, "istio-system", "");
    case GuardKind::kPodsAllShow: {
      Guard g = Leaf(kind, "pay\"ments", "");
      g.ready = 2;
      g.total = 2;
      return g;
    }
    case GuardKind::kDeploymentRolledOut:
      return Leaf(kind, "istio-system", "istiod-1-5-10");
    case GuardKind::kContextIs:
      return Leaf(kind, "", "onprem 'staging' user");
    case GuardKind::kClusterRoleBindingExists:
      return Leaf(kind, "", "cluster-admin-binding");
    case GuardKind::kSidecarsAtVersion:
      return Leaf(kind, "frontend", "1.5.10-asm.2");
    case GuardKind::kControlPlaneAtVersion:
      return Leaf(kind, "", "${asm_version}\n✓");
    case GuardKind::kCommandSucceeds: {
      Guard g = Leaf(kind, "", "");
      g.argv = {"kubectl", "get", "ns", "it's \"quoted\"", "${token}"};
      return g;
    }
    case GuardKind::kAnd:
      // (a or b) and not (c and d) and e
      return Junction(kind,
                      {SampleGuard(GuardKind::kOr),
                       Junction(GuardKind::kNot,
                                {Junction(GuardKind::kAnd, {SampleGuard(GuardKind::kPodsAllReady),
                                                            SampleGuard(GuardKind::kContextIs)})}),
                       SampleGuard(GuardKind::kDeploymentRolledOut)});
    case GuardKind::kOr:
      return Junction(kind,
                      {SampleGuard(GuardKind::kClusterRoleBindingExists),
                       Junction(GuardKind::kNot, {SampleGuard(GuardKind::kCommandSucceeds)})});
    case GuardKind::kNot:
      return Junction(kind, {Junction(GuardKind::kNot, {SampleGuard(GuardKind::kPodsAllShow)})});
  }
  return Guard();
}

Plan FullPlan() {
  Plan p;
  p.name = "asm_downgrade";
  p.title = "Downgrade ASM 1.6.14 -> 1.5.10 \"safely\" ✓";
  p.params = {
      {"context", "string", "\"onprem-staging-user\"", "plans/envs/staging.asmplan:2", false},
      {"namespaces", "list<string>", "[\"frontend\", \"pay\\\"ments\"]", "--set", false},
      {"replicas", "int", "3", "values.yaml:4", false},
      {"dry", "bool", "true", "default", false},
      {"odd", "string", "not json\nat all", "default", false},
      {"db_password", "string", "", "--set", true},
  };
  Artifact a{"istio_release",
             "https://storage.googleapis.com/gke-release/asm/istio-1.5.10-asm.2-linux.tar.gz",
             "https://storage.googleapis.com/gke-release/asm/istio-1.5.10-asm.2-linux.tar.gz.1.sig",
             kPem,
             std::string(64, 'a'),
             std::string(64, 'b'),
             "work",
             false};
  Artifact b{"tools", "https://example.com/tools.tgz", "", "no final newline", "", "", "tools",
             true};
  p.artifacts = {a, b};
  p.groups = {
      {"restart_sidecars", 2, {"restart_sidecars[frontend]", "restart_sidecars[pay\"ments]"}},
      {"empty", 0, {}}};
  Step first;
  first.id = "use_context";
  first.source = "plans/asm-downgrade.asmplan:14";
  first.run = {{"kubectl", "config", "use-context", "onprem-staging-user"}};
  Step fetch;
  fetch.id = "fetch 'release'";
  fetch.source = "plans/asm-downgrade.asmplan:20";
  fetch.fetch = "istio_release";
  Step install;
  install.id = "install_control_plane";
  install.source = "plans/asm-downgrade.asmplan:22";
  install.after = {"use_context", "fetch 'release'"};
  Step frontend;
  frontend.id = "restart_sidecars[frontend]";
  frontend.group = "restart_sidecars";
  frontend.source = "plans/asm-downgrade.asmplan:42";
  frontend.after = {"install_control_plane"};
  p.steps = {first, fetch, install, frontend, FullStep()};
  p.sources = {{"plans/envs/staging.asmplan", std::string(64, 'c')},
               {"plans/asm-downgrade.asmplan", std::string(64, 'd')}};
  return p;
}

Plan WidePlan(int steps) {
  Plan p;
  p.name = "wide";
  p.title = "many steps";
  p.sources = {{"wide.asmplan", std::string(64, '0')}};
  Group group{"work", 4, {}};
  for (int i = 0; i < steps; ++i) {
    Step s;
    s.id = "work[" + std::to_string(i) + "]";
    s.group = "work";
    s.source = "wide.asmplan:3";
    s.run = {{"kubectl", "rollout", "restart", "deployment", "-n", "ns" + std::to_string(i)}};
    s.wait_until = {{SampleGuard(GuardKind::kPodsAllReady), 600'000, 10'000}};
    group.steps.push_back(s.id);
    p.steps.push_back(std::move(s));
  }
  p.groups.push_back(std::move(group));
  return p;
}

}  // namespace asmplan::testing
