#include "compiler/compiled_plan_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "compiler/compiled_plan_io.h"
#include "tests/compiler/sample_plans.h"
#include "tests/support/scratch_dir.h"

namespace asmplan {
namespace {

class CompiledPlanFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  testing::ScratchDir dir_;
};

TEST_F(CompiledPlanFileTest, LoadsAndVerifiesAMappedFile) {
  Plan plan = testing::FullPlan();
  const std::string path = Write("plan.yaml", WriteCompiledPlan(&plan));
  Plan read;
  std::string err;
  ASSERT_EQ(LoadCompiledPlanFile(path, &read, &err), PlanFileStatus::kOk) << err;
  EXPECT_EQ(read.sha256, plan.sha256);
  ASSERT_EQ(read.steps.size(), plan.steps.size());
  EXPECT_EQ(read.steps.back().run, plan.steps.back().run);
}

TEST_F(CompiledPlanFileTest, UnreadableAndInvalidAreToldApart) {
  Plan read;
  std::string err;
  EXPECT_EQ(LoadCompiledPlanFile(dir_.File("missing.yaml"), &read, &err),
            PlanFileStatus::kUnreadable);
  EXPECT_EQ(err, "cannot read the compiled plan: No such file or directory");
  EXPECT_EQ(LoadCompiledPlanFile(dir_.path(), &read, &err), PlanFileStatus::kUnreadable);
  EXPECT_EQ(err, "cannot read the compiled plan: Is a directory");
  // A device never ends (/dev/zero used to fill the memory): refused before reading.
  EXPECT_EQ(LoadCompiledPlanFile("/dev/zero", &read, &err), PlanFileStatus::kUnreadable);
  EXPECT_EQ(err, "cannot read the compiled plan: a device (not a file, pipe or terminal)");
  EXPECT_EQ(LoadCompiledPlanFile(Write("empty.yaml", ""), &read, &err), PlanFileStatus::kInvalid);
  EXPECT_EQ(err.rfind("compiled plan line 1: expected `sha256:", 0), 0u) << err;

  Plan plan = testing::FullPlan();
  std::string text = WriteCompiledPlan(&plan);
  text[text.size() - 3] ^= 1;
  EXPECT_EQ(LoadCompiledPlanFile(Write("edited.yaml", text), &read, &err),
            PlanFileStatus::kInvalid);
  EXPECT_NE(err.find("does not match its sha256"), std::string::npos) << err;
}

}  // namespace
}  // namespace asmplan
