#include "compiler/plan_consistency.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/compiler/sample_plans.h"

namespace asmplan {
namespace {

std::string Problem(const std::function<void(Plan*)>& edit) {
  Plan plan = testing::FullPlan();
  edit(&plan);
  std::string err;
  return CheckPlanConsistency(plan, &err) ? "consistent" : err;
}

TEST(PlanConsistencyTest, TheSamplePlanIsConsistent) {
  EXPECT_EQ(Problem([](Plan*) {}), "consistent");
}

TEST(PlanConsistencyTest, EachBrokenInvariantIsNamed) {
  EXPECT_EQ(Problem([](Plan* p) { p->steps[3].id = "use_context"; }),
            "step `use_context` is empty or not unique");
  EXPECT_EQ(Problem([](Plan* p) { p->steps[0].id = ""; }), "step `` is empty or not unique");
  EXPECT_EQ(Problem([](Plan* p) { p->steps[2].after = {"restart_sidecars[frontend]"}; }),
            "step `install_control_plane` runs after step `restart_sidecars[frontend]`, which is "
            "not an earlier step");
  EXPECT_EQ(Problem([](Plan* p) { p->steps[1].fetch = "nope"; }),
            "step `fetch 'release'` fetches an unknown artifact `nope`");
  EXPECT_EQ(Problem([](Plan* p) { p->steps[4].wait_until[0].every_ms = 0; }),
            "step `restart_sidecars[pay\"ments]` waits without a positive timeout and interval");
  EXPECT_EQ(Problem([](Plan* p) { p->steps[4].retries = -1; }),
            "step `restart_sidecars[pay\"ments]` has a negative timeout, retry count or backoff");
  EXPECT_EQ(Problem([](Plan* p) { p->groups[1].name = "restart_sidecars"; }),
            "group `restart_sidecars` is declared twice or has a negative parallelism");
  EXPECT_EQ(Problem([](Plan* p) { p->groups[0].steps.push_back("use_context"); }),
            "group `restart_sidecars` lists step `use_context`, not a step of it");
  EXPECT_EQ(Problem([](Plan* p) { p->steps[0].group = "ghost"; }),
            "step `use_context` belongs to an unknown group `ghost`");
  EXPECT_EQ(Problem([](Plan* p) { p->artifacts[1].name = "istio_release"; }),
            "artifact `istio_release` is declared twice");
  EXPECT_EQ(Problem([](Plan* p) { p->steps[0].run.push_back({""}); }),
            "step `use_context` has an empty command");
  EXPECT_EQ(Problem([](Plan* p) {
              Guard g;
              g.kind = GuardKind::kCommandSucceeds;
              Guard no;
              no.kind = GuardKind::kNot;
              no.operands = {g};
              p->steps[0].wait_until.push_back({no, 1000, 1000});
            }),
            "step `use_context` has a `command [...]` guard with an empty command");
  EXPECT_EQ(Problem([](Plan* p) { p->artifacts[0].extract_to = "work/../.."; }),
            "artifact `istio_release` extracts to `work/../..`, not a relative path inside the "
            "workspace");
  EXPECT_EQ(Problem([](Plan* p) { p->artifacts[0].sha256 = "ABC"; }),
            "artifact `istio_release` has a sha256 pin that is not 64 lower-case hex digits");
  EXPECT_EQ(Problem([](Plan* p) { p->artifacts[0].verify_none = true; }),
            "artifact `istio_release` says `verify none` and has a signature or sha256");
  EXPECT_EQ(Problem([](Plan* p) { p->artifacts[0].key_fingerprint = ""; }),
            "artifact `istio_release` has a signature but no public key and fingerprint");
}

}  // namespace
}  // namespace asmplan
