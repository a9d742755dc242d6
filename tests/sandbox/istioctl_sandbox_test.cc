// The simulated istioctl against the real asmplan-sandbox, and the seed's whole path for it:
// download the release from the sandbox, verify it with openssl, extract it with tar, run it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/sandbox_process.h"

namespace asmplan::sandbox {
namespace {

using nlohmann::json;
using testing::ProcessResult;
using testing::RunProcess;
using testing::SandboxProcess;

const std::string kIstioctl = std::string(ASMPLAN_SANDBOX_BIN_DIR) + "/istioctl";

// Fast timings so the control-plane switch takes well under a second of wall time.
constexpr char kScenario[] = R"(mesh: {version: 1.6.14-asm.1, profile: asm-multicloud}
timings: {tick_ms: 20, pod_pending_ms: 40, pod_start_ms: 80, pod_ready_ms: 80,
          termination_grace_ms: 200, initial_age_s: 600}
namespaces:
  - name: shop
    labels: {istio-injection: enabled}
    deployments:
      - {name: cart, replicas: 2}
)";

class IstioctlSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    ASSERT_TRUE(sandbox_.StartWithScenarioText(kScenario, &err)) << err;
  }

  ProcessResult Istioctl(const std::string& exe, std::vector<std::string> args) {
    args.insert(args.begin(), exe);
    return RunProcess(args, sandbox_.Env(), 60);
  }

  /// A copy of the simulated istioctl that reports `version`, as a release would unpack it.
  std::string PackedIstioctl(const std::string& version) {
    const std::string bin = sandbox_.dir() + "/istio-" + version + "/bin";
    std::filesystem::create_directories(bin);
    std::filesystem::copy_file(kIstioctl, bin + "/istioctl",
                               std::filesystem::copy_options::overwrite_existing);
    std::ofstream(bin + "/istioctl.version") << version << "\n";
    return bin + "/istioctl";
  }

  json Mesh() {
    std::string body;
    EXPECT_EQ(sandbox_.Get("/sandbox/istio", &body), 200);
    return json::parse(body, nullptr, false);
  }

  SandboxProcess sandbox_;
};

TEST_F(IstioctlSandboxTest, VersionReadsTheUserCluster) {
  ProcessResult r = Istioctl(kIstioctl, {"version", "--context", "sandbox-user"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("client version: 1.6.14-asm.1\ncontrol plane version: 1.6.14-asm.1\n"
                        "data plane version: 1.6.14-asm.1 (",
                        0),
            0u)
      << r.out;
}

TEST_F(IstioctlSandboxTest, InstallReplacesTheControlPlane) {
  const std::string istioctl = PackedIstioctl("1.5.10-asm.2");
  ProcessResult r = Istioctl(istioctl, {"install", "--context", "sandbox-user", "--set",
                                        "profile=asm-multicloud", "--set", "values.global.x=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\u2714 Istio core installed\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\u2714 Istiod installed\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\u2714 Installation complete\n"), std::string::npos) << r.out;
  json mesh = Mesh();
  EXPECT_EQ(mesh["version"], "1.5.10-asm.2");
  EXPECT_EQ(mesh["profile"], "asm-multicloud");
  EXPECT_EQ(mesh["flags"], json({"--set", "values.global.x=1"}));
  // istioctl returned only once the new istiod was ready: the control plane is switched.
  r = Istioctl(istioctl, {"version", "--context", "sandbox-user"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("control plane version: 1.5.10-asm.2\n"), std::string::npos) << r.out;
  // Sidecars keep their version until their pods restart.
  EXPECT_NE(r.out.find("1.6.14-asm.1 (2 proxies)"), std::string::npos) << r.out;
}

TEST_F(IstioctlSandboxTest, TheAdminClusterRefusesAnInstall) {
  // The kubeconfig's current context is the admin cluster, as in an operator's shell.
  ProcessResult r = Istioctl(kIstioctl, {"install", "--set", "profile=asm-multicloud"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Error: failed to install manifests: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("409"), std::string::npos) << r.err;
  EXPECT_EQ(Mesh()["version"], "1.6.14-asm.1");
}

TEST_F(IstioctlSandboxTest, SeedPathDownloadVerifyExtractRun) {
  json info = json::parse(SandboxProcess::ReadFile(sandbox_.sandbox_json()));
  const std::string name = "istio-1.5.10-asm.2-linux.tar.gz";
  const std::string work = sandbox_.dir() + "/work";
  std::filesystem::create_directories(work);
  for (const std::string& file : {name, name + ".1.sig"}) {
    std::string body;
    std::string path = info["release_base"].get<std::string>() + "/" + file;
    path = path.substr(path.find("/releases/"));
    ASSERT_EQ(sandbox_.Get(path, &body), 200) << path;
    std::ofstream(work + "/" + file, std::ios::binary) << body;
  }
  const std::string key = std::string(ASMPLAN_SOURCE_DIR) + "/plans/keys/sandbox-release.pem";
  ProcessResult r = RunProcess({"/usr/bin/openssl", "dgst", "-sha256", "-verify", key, "-signature",
                                work + "/" + name + ".1.sig", work + "/" + name});
  EXPECT_EQ(r.out, "Verified OK\n") << r.err;
  r = RunProcess({"/usr/bin/tar", "xzf", work + "/" + name, "-C", work});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string istioctl = work + "/istio-1.5.10-asm.2/bin/istioctl";
  ASSERT_TRUE(std::filesystem::exists(work + "/istio-1.5.10-asm.2/manifests/profiles/"
                                             "asm-multicloud.yaml"));
  r = Istioctl(istioctl,
               {"--context", "sandbox-user", "install", "--set", "profile=asm-multicloud"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(Mesh()["version"], "1.5.10-asm.2");
}

}  // namespace
}  // namespace asmplan::sandbox
