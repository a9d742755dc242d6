// The plans shipped in plans/ compile clean, deterministically, and round-trip through the
// compiled-plan reader.
#include <gtest/gtest.h>

#include <filesystem>

#include "compiler/compiled_plan_io.h"
#include "compiler/compiler.h"

namespace asmplan {
namespace {

/// Reads plans/... relative to the source tree so paths in the plan stay short.
class SourceTreeReader : public FileReader {
 public:
  bool Read(const std::string& path, std::string* content, std::string* err) override {
    return disk_.Read(std::string(ASMPLAN_SOURCE_DIR) + "/" + path, content, err);
  }

 private:
  DiskFileReader disk_;
};

std::vector<std::string> Environments() {
  std::vector<std::string> envs;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(ASMPLAN_SOURCE_DIR) + "/plans/envs")) {
    envs.push_back("plans/envs/" + e.path().filename().string());
  }
  std::sort(envs.begin(), envs.end());
  return envs;
}

std::string CompileToText(const std::string& path, Plan* plan) {
  SourceTreeReader reader;
  Diagnostics diags;
  EXPECT_TRUE(CompilePlan(CompileInput{path, {}, "", &reader}, plan, &diags)) << diags.Render();
  EXPECT_EQ(diags.Render(), "") << path << " must compile without warnings";
  return WriteCompiledPlan(plan);
}

TEST(ShippedPlansTest, EveryEnvironmentCompilesCleanAndIdentically) {
  std::vector<std::string> envs = Environments();
  ASSERT_GE(envs.size(), 3u);
  for (const std::string& env : envs) {
    Plan first, second, loaded;
    std::string text = CompileToText(env, &first);
    EXPECT_EQ(CompileToText(env, &second), text) << env;
    std::string err;
    ASSERT_TRUE(ReadCompiledPlan(text, &loaded, &err)) << env << ": " << err;
    EXPECT_EQ(WriteCompiledPlan(&loaded), text) << env;
  }
}

TEST(ShippedPlansTest, ExpressesTheSeedProcedure) {
  Plan plan;
  CompileToText("plans/envs/staging.asmplan", &plan);
  std::vector<std::string> ids;
  for (const Step& s : plan.steps) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"preflight", "use_context", "ensure_user_cluster",
                                           "grant_cluster_admin", "fetch_release",
                                           "install_control_plane", "restart_deployments[frontend]",
                                           "restart_deployments[payments]",
                                           "restart_bare_pods[batch-jobs]", "test_applications"}));
  ASSERT_EQ(plan.artifacts.size(), 1u);
  EXPECT_EQ(plan.artifacts[0].url,
            "https://storage.googleapis.com/gke-release/asm/istio-1.5.10-asm.2-linux.tar.gz");
  EXPECT_EQ(plan.artifacts[0].signature_url, plan.artifacts[0].url + ".1.sig");
  EXPECT_FALSE(plan.artifacts[0].key_fingerprint.empty());
  ASSERT_EQ(plan.steps.size(), ids.size());
  const Step& bare = plan.steps[8];
  ASSERT_EQ(bare.id, "restart_bare_pods[batch-jobs]");
  ASSERT_FALSE(bare.run.empty());
  EXPECT_EQ(bare.run[0],
            (std::vector<std::string>{"kubectl", "delete", "pod", "-n", "batch-jobs", "--all"}));
  EXPECT_EQ(plan.steps.back().confirm.empty(), false);
}

// Every step that changes the cluster checks kubectl's context right before it acts, in every
// environment: a resume can come after someone switched kubectl to the admin cluster.
TEST(ShippedPlansTest, EveryStepThatChangesTheClusterRequiresItsContext) {
  for (const std::string& env : Environments()) {
    Plan plan;
    CompileToText(env, &plan);
    std::string context;
    for (const ParamValue& p : plan.params) {
      if (p.name == "context") context = p.value;
    }
    ASSERT_FALSE(context.empty()) << env;
    int checked = 0;
    for (const Step& s : plan.steps) {
      if (s.run.empty() || s.id == "use_context") continue;  // it sets the context
      bool requires = false;
      for (const Guard& g : s.require)
      requires |= g.kind == GuardKind::kContextIs && "\"" + g.name + "\"" == context;
      EXPECT_TRUE(requires) << env << ": " << s.id << " does not require context " << context;
      ++checked;
    }
    EXPECT_GE(checked, 4) << env;
  }
}

TEST(ShippedPlansTest, WindowsArchiveAndInstallFlagsFromTheCommandLine) {
  SourceTreeReader reader;
  Plan plan;
  Diagnostics diags;
  CompileInput in{
      "plans/envs/prod.asmplan", {"archive=win.zip", "install_flags=-f,overlay.yaml"}, "", &reader};
  ASSERT_TRUE(CompilePlan(in, &plan, &diags)) << diags.Render();
  EXPECT_EQ(plan.artifacts[0].url,
            "https://storage.googleapis.com/gke-release/asm/istio-1.5.10-asm.2-win.zip");
  for (const Step& s : plan.steps) {
    if (s.id != "install_control_plane") continue;
    EXPECT_EQ(s.run[0],
              (std::vector<std::string>{"work/istio-1.5.10-asm.2/bin/istioctl", "install", "--set",
                                        "profile=asm-multicloud", "-f", "overlay.yaml", "-y"}));
  }
}

}  // namespace
}  // namespace asmplan
