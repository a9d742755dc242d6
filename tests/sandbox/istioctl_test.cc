// The simulated istioctl as a real process: argument errors as a real CLI gives them, and
// install/version against a small stub of the sandbox's API server that records what it gets.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/scratch_dir.h"

namespace asmplan::sandbox {
namespace {

using nlohmann::json;
using testing::ChildResult;

const std::string kIstioctl = std::string(ASMPLAN_SANDBOX_BIN_DIR) + "/istioctl";

json Pod(const std::string& ns, const std::string& name, const std::string& app,
         const std::vector<std::pair<std::string, std::string>>& containers, bool terminating) {
  json pod = {{"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", app}}}}},
              {"spec", {{"containers", json::array()}}},
              {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  for (const auto& [cname, image] : containers) {
    pod["spec"]["containers"].push_back({{"name", cname}, {"image", image}});
  }
  if (terminating) pod["metadata"]["deletionTimestamp"] = "2026-11-27T08:00:00Z";
  return pod;
}

/// Stands in for the sandbox: records install requests; the control plane follows the last
/// install unless `frozen`.
class StubCluster {
 public:
  std::vector<json> installs() {
    std::lock_guard<std::mutex> lock(mu_);
    return installs_;
  }
  void set_frozen(bool frozen) { frozen_ = frozen; }

  void Register(httplib::Server& server) {
    server.Post("/sandbox/istio/install",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  installs_.push_back(json::parse(req.body));
                  if (!frozen_) version_ = installs_.back().value("version", "");
                  res.set_content(R"({"status":"installing"})", "application/json");
                });
    server.Get("/api/v1/namespaces/istio-system/pods",
               [this](const httplib::Request&, httplib::Response& res) {
                 res.set_content(PodList(false).dump(), "application/json");
               });
    server.Get("/api/v1/pods", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(PodList(true).dump(), "application/json");
    });
  }

 private:
  json PodList(bool all_namespaces) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string old_version = "1.6.14-asm.1";
    const std::string pilot = "gcr.io/gke-release/asm/pilot:",
                      proxy = "gcr.io/gke-release/asm/proxyv2:";
    json items = json::array();
    bool switched = version_ != old_version;
    items.push_back(Pod("istio-system", "istiod-old", "istiod",
                        {{"discovery", pilot + old_version}}, switched));
    items.push_back(Pod("istio-system", "istio-ingressgateway-old", "istio-ingressgateway",
                        {{"istio-proxy", proxy + old_version}}, switched));
    if (switched) {
      items.push_back(
          Pod("istio-system", "istiod-new", "istiod", {{"discovery", pilot + version_}}, false));
      items.push_back(Pod("istio-system", "istio-ingressgateway-new", "istio-ingressgateway",
                          {{"istio-proxy", proxy + version_}}, false));
    }
    if (all_namespaces) {
      for (int i = 0; i < 3; ++i) {
        items.push_back(Pod("demo", "web-" + std::to_string(i), "web",
                            {{"app", "nginx:1.19"}, {"istio-proxy", proxy + old_version}}, false));
      }
      for (int i = 0; i < 3; ++i) {
        items.push_back(Pod("shop", "cart-" + std::to_string(i), "cart",
                            {{"app", "cart:2"}, {"istio-proxy", proxy + "1.5.10-asm.2"}}, i == 2));
      }
      items.push_back(Pod("plain", "job", "job", {{"app", "busybox"}}, false));
    }
    return {{"kind", "PodList"}, {"apiVersion", "v1"}, {"items", items}};
  }

  std::mutex mu_;
  std::vector<json> installs_;
  std::string version_ = "1.6.14-asm.1";
  bool frozen_ = false;
};

class IstioctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    stub_.Register(server_);
    int port = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // The admin cluster is current, as in an operator's shell; nothing listens on its port.
    kubeconfig_ = dir_.File("kubeconfig");
    std::ofstream(kubeconfig_)
        << "apiVersion: v1\nkind: Config\ncurrent-context: sandbox-admin\n"
        << "clusters:\n- name: sandbox-admin\n  cluster: {server: 'http://127.0.0.1:1'}\n"
        << "- name: sandbox-user\n  cluster: {server: 'http://127.0.0.1:" << port << "'}\n"
        << "contexts:\n- name: sandbox-admin\n  context: {cluster: sandbox-admin, user: u}\n"
        << "- name: sandbox-user\n  context: {cluster: sandbox-user, user: u}\n"
        << "users:\n- name: u\n  user: {token: sandbox}\n";
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  ChildResult Istioctl(std::vector<std::string> args, const std::string& exe = kIstioctl) {
    args.insert(args.begin(), exe);
    return testing::RunChild(args, {{"KUBECONFIG", kubeconfig_}}, dir_.path());
  }

  testing::ScratchDir dir_;
  StubCluster stub_;
  httplib::Server server_;
  std::thread thread_;
  std::string kubeconfig_;
};

TEST_F(IstioctlTest, UnknownFlagIsRejectedLikeCobra) {
  ChildResult r = Istioctl({"install", "--set", "profile=asm-multicloud", "--foo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: unknown flag: --foo\n");
  EXPECT_TRUE(stub_.installs().empty());
  r = Istioctl({"install", "-x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: unknown shorthand flag: 'x' in -x\n");
  // An install flag is unknown to version.
  r = Istioctl({"version", "--set", "a=b"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: unknown flag: --set\n");
}

TEST_F(IstioctlTest, UnknownCommandAndMissingValues) {
  ChildResult r = Istioctl({"upgrade"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "Error: unknown command \"upgrade\" for \"istioctl\"\n"
            "Run 'istioctl --help' for usage.\n");
  r = Istioctl({"install", "--set"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: flag needs an argument: --set\n");
  r = Istioctl({"install", "--readiness-timeout", "soon"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "Error: invalid argument \"soon\" for \"--readiness-timeout\" flag: "
            "time: invalid duration \"soon\"\n");
  r = Istioctl({"install", "extra"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown command \"extra\" for \"istioctl install\""), std::string::npos);
}

TEST_F(IstioctlTest, HelpExitsZero) {
  ChildResult r = Istioctl({"install", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("istioctl install [flags]"), std::string::npos);
  r = Istioctl({});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Available Commands:"), std::string::npos);
}

TEST_F(IstioctlTest, MissingValuesFileIsAnError) {
  ChildResult r = Istioctl({"install", "--context", "sandbox-user", "-f", dir_.File("nope.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: open " + dir_.File("nope.yaml") + ": no such file or directory\n");
  EXPECT_TRUE(stub_.installs().empty());
}

TEST_F(IstioctlTest, InstallPostsProfileAndFlagsToTheContextsCluster) {
  const std::string values = dir_.File("features.yaml");
  std::ofstream(values) << "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n";
  ChildResult r =
      Istioctl({"install", "--context", "sandbox-user", "--set", "profile=asm-multicloud", "--set",
                "values.global.x=1", "-f", values, "-y"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(stub_.installs().size(), 1u);
  EXPECT_EQ(stub_.installs()[0], json({{"version", "1.6.14-asm.1"},
                                       {"profile", "asm-multicloud"},
                                       {"flags", {"--set", "values.global.x=1", "-f", values}}}));
  EXPECT_EQ(r.out,
            "\u2714 Istio core installed\n\u2714 Istiod installed\n"
            "\u2714 Ingress gateways installed\n\u2714 Installation complete\n");
}

TEST_F(IstioctlTest, ClientVersionComesFromTheFileBesideIt) {
  // As unpacked from a release: bin/istioctl next to bin/istioctl.version.
  std::filesystem::create_directories(dir_.File("bin"));
  std::filesystem::copy_file(kIstioctl, dir_.File("bin/istioctl"));
  std::ofstream(dir_.File("bin/istioctl.version")) << "1.5.10-asm.2\n";
  ChildResult r = Istioctl({"version", "--remote=false"}, dir_.File("bin/istioctl"));
  EXPECT_EQ(r.out, "1.5.10-asm.2\n");
  r = Istioctl({"--context=sandbox-user", "install", "--set", "profile=asm-multicloud"},
               dir_.File("bin/istioctl"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(stub_.installs().size(), 1u);
  EXPECT_EQ(stub_.installs()[0]["version"], "1.5.10-asm.2");
  EXPECT_EQ(stub_.installs()[0]["flags"], json::array());
  r = Istioctl({"version", "--context", "sandbox-user"}, dir_.File("bin/istioctl"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "client version: 1.5.10-asm.2\ncontrol plane version: 1.5.10-asm.2\n"
            "data plane version: 1.5.10-asm.2 (3 proxies), 1.6.14-asm.1 (3 proxies)\n");
}

TEST_F(IstioctlTest, VersionCountsLiveProxiesOnly) {
  ChildResult r = Istioctl({"version", "--context", "sandbox-user"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Gateway + 3 web sidecars at 1.6.14; the terminating shop pod is not counted.
  EXPECT_EQ(r.out,
            "client version: 1.6.14-asm.1\ncontrol plane version: 1.6.14-asm.1\n"
            "data plane version: 1.6.14-asm.1 (4 proxies), 1.5.10-asm.2 (2 proxies)\n");
}

TEST_F(IstioctlTest, KubeconfigFlagAndItsCurrentContext) {
  // The same file with the user cluster current, named by -c while $KUBECONFIG points nowhere.
  std::ifstream in(kubeconfig_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("current-context: sandbox-admin"), 30, "current-context: sandbox-user");
  std::ofstream(dir_.File("user-kubeconfig")) << text;
  ChildResult r = testing::RunChild({kIstioctl, "version", "-c", dir_.File("user-kubeconfig")},
                                    {{"KUBECONFIG", dir_.File("missing")}}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("control plane version: 1.6.14-asm.1\n"), std::string::npos);
  r = testing::RunChild({kIstioctl, "version", "--kubeconfig", dir_.File("missing")}, {},
                        dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: stat " + dir_.File("missing") + ": no such file or directory\n");
}

TEST_F(IstioctlTest, UnreachableClusterFails) {
  // The current context is the admin cluster, where nothing listens.
  ChildResult r = Istioctl({"install", "--set", "profile=asm-multicloud"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("Error: failed to install manifests: POST "
                        "\"http://127.0.0.1:1/sandbox/istio/install\": "
                        "connect: connection refused",
                        0),
            0u)
      << r.err;
  r = Istioctl({"install", "--context", "nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: context was not found for specified context: nosuch\n");
}

TEST_F(IstioctlTest, InstallGivesUpAfterTheReadinessTimeout) {
  stub_.set_frozen(true);  // the control plane never moves to the new version
  std::filesystem::create_directories(dir_.File("bin"));
  std::filesystem::copy_file(kIstioctl, dir_.File("bin/istioctl"));
  std::ofstream(dir_.File("bin/istioctl.version")) << "1.5.10-asm.2\n";
  ChildResult r = Istioctl({"install", "--context", "sandbox-user", "--readiness-timeout=300ms"},
                           dir_.File("bin/istioctl"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("\u2718 Istiod encountered an error: failed to wait for resource: "
                       "resources not ready after 300ms"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "Error: failed to install manifests: errors occurred during operation\n");
}

}  // namespace
}  // namespace asmplan::sandbox
