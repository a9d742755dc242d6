#include "compiler/plan_summary.h"

#include <gtest/gtest.h>

#include "compiler/compiled_plan_io.h"
#include "tests/compiler/sample_plans.h"

namespace asmplan {
namespace {

TEST(PlanSummaryTest, ShowsWhatRunsInOrder) {
  Plan plan = testing::FullPlan();
  WriteCompiledPlan(&plan);
  const std::string text = RenderPlanSummary(plan);
  EXPECT_EQ(text.rfind("plan asm_downgrade: Downgrade ASM 1.6.14 -> 1.5.10 \"safely\" ✓\nsha256 " +
                           plan.sha256 + " (verified)\n",
                       0),
            0u)
      << text;
  const std::string expected[] = {
      "  context     : string = \"onprem-staging-user\"  (from plans/envs/staging.asmplan:2)\n",
      "  odd         : string = \"not json\\nat all\"  (from default)\n",
      "  db_password : string = <secret: $ASMPLAN_SECRET_DB_PASSWORD at run time>  (from --set)\n",
      "    key         sha256:" + std::string(64, 'a') + "\n",
      "  restart_sidecars  parallel 2, 2 steps\n",
      "steps (5, in execution order):\n  1. use_context  (plans/asm-downgrade.asmplan:14)\n"
      "       run        kubectl config use-context onprem-staging-user\n",
      "  5. restart_sidecars[pay\"ments]  [group restart_sidecars]  "
      "(plans/asm-downgrade.asmplan:42)\n"
      "       after      install_control_plane, fetch 'release'\n"
      "       require    context is \"onprem 'staging' user\"\n",
      "       run        sh-free \"it's\" \"multi\\nline\" \"tab\\there\" \"back\\\\slash\" "
      "'ünïcødé ✓ 🚀' ${db_password} ''\n",
      "       timeout    1h30m per attempt\n",
      "       wait       until pods in ns \"pay\\\"ments\" all show 2/2 (timeout 20m, every 15s)\n",
      "       idempotent (safe to run again after an interruption)\n",
  };
  size_t last = 0;
  for (const std::string& line : expected) {
    const size_t at = text.find(line);
    EXPECT_NE(at, std::string::npos) << line << "\n---\n" << text;
    if (at != std::string::npos) {
      EXPECT_GE(at, last) << "out of order: " << line;
      last = at;
    }
  }
}

TEST(PlanSummaryTest, ASecretValueIsNeverWrittenOrShown) {
  Plan plan = testing::FullPlan();
  plan.params.back().value = "\"hunter2\"";  // a model carrying a secret's value by mistake
  const std::string compiled = WriteCompiledPlan(&plan);
  EXPECT_EQ(compiled.find("hunter2"), std::string::npos);
  EXPECT_EQ(RenderPlanSummary(plan).find("hunter2"), std::string::npos);
}

// A title or a step id (from a `for` list) holding control or invisible characters reaches the
// reviewer's terminal escaped, never as a terminal command or a hidden difference.
TEST(PlanSummaryTest, ControlAndInvisibleCharactersAreShownEscaped) {
  Plan plan = testing::FullPlan();
  plan.title = "a\x1b]0;pwned\x07\x1b[31mred";
  plan.steps.back().id = "restart_sidecars[pay\u00a0ments]";
  WriteCompiledPlan(&plan);
  const std::string text = RenderPlanSummary(plan);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_NE(text.find("plan asm_downgrade: a\\u001b]0;pwned\\u0007\\u001b[31mred\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("restart_sidecars[pay\\u00a0ments]"), std::string::npos) << text;
}

TEST(PlanSummaryTest, APlanWithoutTitleHasABareHeader) {
  Plan plan = testing::FullPlan();
  plan.title = "";
  WriteCompiledPlan(&plan);
  EXPECT_EQ(RenderPlanSummary(plan).rfind("plan asm_downgrade\nsha256 ", 0), 0u);
}

TEST(PlanSummaryTest, DisplayWordQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(DisplayWord("--set=profile=asm-multicloud"), "--set=profile=asm-multicloud");
  EXPECT_EQ(DisplayWord("${secret}"), "${secret}");
  EXPECT_EQ(DisplayWord("two words"), "'two words'");
  EXPECT_EQ(DisplayWord(""), "''");
  EXPECT_EQ(DisplayWord("it's"), "\"it's\"");
  EXPECT_EQ(DisplayWord("a\nb"), "\"a\\nb\"");
  EXPECT_EQ(SecretEnvironmentVariable("db_password"), "ASMPLAN_SECRET_DB_PASSWORD");
}

}  // namespace
}  // namespace asmplan
