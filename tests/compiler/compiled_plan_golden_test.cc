// The compiled plan layout as a reviewer sees it, pinned by a golden file. Regenerate after an
// intended change with ASMPLAN_UPDATE_GOLDEN=1 and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "compiler/compiled_plan_io.h"
#include "tests/compiler/sample_plans.h"

namespace asmplan {
namespace {

const char kGolden[] = ASMPLAN_SOURCE_DIR "/tests/compiler/golden/full_plan.yaml";

TEST(CompiledPlanGoldenTest, FullPlanMatchesTheGoldenFile) {
  Plan plan = testing::FullPlan();
  const std::string text = WriteCompiledPlan(&plan);
  const char* update = std::getenv("ASMPLAN_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(kGolden, std::ios::binary) << text;
  }
  std::ifstream in(kGolden, std::ios::binary);
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(text, golden.str()) << "regenerate with ASMPLAN_UPDATE_GOLDEN=1 if intended";
}

}  // namespace
}  // namespace asmplan
