// The artifact fetcher against the sandbox's release server: the archives and signatures the
// demos and rehearsals use verify with the shipped key and extract with a runnable istioctl.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "compiler/public_key.h"
#include "runtime/artifact/artifact_fetcher_impl.h"
#include "sandbox/release_server.h"
#include "tests/runtime/artifact_test_util.h"

namespace asmplan {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class ReleaseFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "asmplan-release-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    // A stand-in istioctl that says who it is, packed by the release server as bin/istioctl.
    std::string istioctl = dir_ + "/istioctl-src";
    std::ofstream(istioctl) << "#!/bin/sh\necho sandbox-istioctl\n";
    fs::permissions(istioctl, fs::perms(0755));
    sandbox::ReleaseConfig config;
    config.istioctl_path = istioctl;
    sandbox::RegisterReleaseRoutes(server_, config);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Artifact Release(const std::string& file) {
    Artifact a;
    a.name = "istio_release";
    a.url = "http://127.0.0.1:" + std::to_string(port_) + "/releases/" + file;
    a.signature_url = a.url + ".1.sig";
    a.public_key_pem =
        ReadFile(std::string(ASMPLAN_SOURCE_DIR) + "/plans/keys/sandbox-release.pem");
    std::string err;
    EXPECT_TRUE(PublicKeyFingerprint(a.public_key_pem, &a.key_fingerprint, &err)) << err;
    a.extract_to = "work";
    return a;
  }
  FetchContext Context() {
    FetchContext ctx;
    ctx.cache_dir = dir_ + "/cache";
    ctx.workspace_dir = dir_ + "/ws";
    return ctx;
  }

  std::string dir_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(ReleaseFetchTest, LinuxReleaseVerifiesWithTheShippedKeyAndRuns) {
  std::string err;
  ASSERT_TRUE(
      NewArtifactFetcher()->Fetch(Release("istio-1.5.10-asm.2-linux.tar.gz"), Context(), &err))
      << err;
  EXPECT_EQ(testing::RunAndCapture(dir_ + "/ws/work/istio-1.5.10-asm.2/bin/istioctl"),
            "sandbox-istioctl\n");
}

TEST_F(ReleaseFetchTest, WindowsZipKeepsTheExecutableBit) {
  std::string err;
  ASSERT_TRUE(NewArtifactFetcher()->Fetch(Release("istio-1.5.10-asm.2-win.zip"), Context(), &err))
      << err;
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/ws/work/istio-1.5.10-asm.2/bin/istioctl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
}

TEST_F(ReleaseFetchTest, ArchiveOfAnotherVersionFailsTheSignatureOfThisOne) {
  Artifact a = Release("istio-1.5.10-asm.2-linux.tar.gz");
  a.signature_url = "http://127.0.0.1:" + std::to_string(port_) +
                    "/releases/istio-1.6.14-asm.1-linux.tar.gz.1.sig";
  std::string err;
  ASSERT_FALSE(NewArtifactFetcher()->Fetch(a, Context(), &err));
  EXPECT_NE(err.find("signature does not verify with key " + a.key_fingerprint), std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(dir_ + "/ws/work"));
}

}  // namespace
}  // namespace asmplan
