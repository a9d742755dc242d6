// The release server over real HTTP: archives, signatures checked by the real openssl, Range.
#include "sandbox/release_server.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "sandbox/release_archive.h"
#include "sandbox/release_key.h"
#include "tests/support/scratch_dir.h"

namespace asmplan::sandbox {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void WriteAll(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

/// Runs a shell command line (test-only: fixed arguments), returning stdout+stderr.
std::string RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  pclose(pipe);
  return output;
}

struct ArchivedFile {
  int mode = 0;  ///< permission bits
  std::string content;
};

/// Lists a tar.gz or zip archive's entries with libarchive's reader.
std::map<std::string, ArchivedFile> ListArchive(const std::string& bytes) {
  std::map<std::string, ArchivedFile> files;
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    archive_read_free(a);
    return files;
  }
  struct archive_entry* entry;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    ArchivedFile& file = files[archive_entry_pathname(entry)];
    file.mode = archive_entry_perm(entry);
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) file.content.append(buf, n);
  }
  archive_read_free(a);
  return files;
}

class ReleaseServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    istioctl_ = dir_.File("istioctl");
    WriteAll(istioctl_, "#!/bin/sh\necho simulated istioctl\n");
    ReleaseConfig config;
    config.istioctl_path = istioctl_;
    config.work_dir = dir_.File("releases");
    RegisterReleaseRoutes(server_, config);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the listener runs, so TearDown must not race ahead of it.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(server_.is_running());
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Result Get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    return client.Get(path.c_str(), headers);
  }

  testing::ScratchDir dir_;
  std::string istioctl_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(ReleaseKeyTest, DerivedPublicKeyIsTheCommittedOne) {
  std::string pem, err;
  ASSERT_TRUE(ReleasePublicKeyPem(&pem, &err)) << err;
  EXPECT_EQ(pem, ReadAll(std::string(ASMPLAN_SOURCE_DIR) + "/plans/keys/sandbox-release.pem"));
}

TEST(ReleaseNameTest, ParsesTheThreeForms) {
  ReleaseName name;
  ASSERT_TRUE(ParseReleaseName("istio-1.5.10-asm.2-linux.tar.gz", &name));
  EXPECT_EQ(name.version, "1.5.10-asm.2");
  EXPECT_EQ(name.os, "linux");
  ASSERT_TRUE(ParseReleaseName("istio-1.6.14-asm.1-osx.tar.gz", &name));
  EXPECT_EQ(name.os, "osx");
  ASSERT_TRUE(ParseReleaseName("istio-1.5.10-asm.2-win.zip", &name));
  EXPECT_EQ(name.version, "1.5.10-asm.2");
  EXPECT_EQ(name.os, "win");
  EXPECT_EQ(ReleaseFileName(name), "istio-1.5.10-asm.2-win.zip");
  EXPECT_FALSE(ParseReleaseName("istio-1.5.10-asm.2-win.tar.gz", &name));
  EXPECT_FALSE(ParseReleaseName("istio-1.5.10-asm.2-linux.zip", &name));
  EXPECT_FALSE(ParseReleaseName("istio--win.zip", &name));
  EXPECT_FALSE(ParseReleaseName("envoy-1.5.10-linux.tar.gz", &name));
}

TEST_F(ReleaseServerTest, SignatureVerifiesWithRealOpenssl) {
  const std::string name = "istio-1.5.10-asm.2-linux.tar.gz";
  auto archive = Get("/releases/" + name);
  auto signature = Get("/releases/" + name + ".1.sig");
  ASSERT_TRUE(archive && signature);
  ASSERT_EQ(archive->status, 200);
  ASSERT_EQ(signature->status, 200);
  WriteAll(dir_.File(name), archive->body);
  WriteAll(dir_.File(name + ".1.sig"), signature->body);
  const std::string key = std::string(ASMPLAN_SOURCE_DIR) + "/plans/keys/sandbox-release.pem";
  std::string verify =
      "openssl dgst -sha256 -verify " + key + " -signature " + dir_.File(name + ".1.sig") + " ";
  EXPECT_EQ(RunCommand(verify + dir_.File(name)), "Verified OK\n");
  // A tampered archive must fail, or the check above proves nothing.
  WriteAll(dir_.File("tampered"), archive->body + "x");
  EXPECT_EQ(RunCommand(verify + dir_.File("tampered")), "Verification failure\n");
}

TEST_F(ReleaseServerTest, TarballHoldsTheReleaseLayout) {
  auto res = Get("/releases/istio-1.6.14-asm.1-osx.tar.gz");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/gzip");
  auto files = ListArchive(res->body);
  const std::string root = "istio-1.6.14-asm.1/";
  ASSERT_EQ(files.count(root + "bin/istioctl"), 1u);
  EXPECT_EQ(files[root + "bin/istioctl"].mode, 0755);
  EXPECT_EQ(files[root + "bin/istioctl"].content, ReadAll(istioctl_));
  EXPECT_EQ(files[root + "bin/istioctl.version"].content, "1.6.14-asm.1\n");
  EXPECT_EQ(files.count(root + "samples/README"), 1u);
  EXPECT_NE(
      files[root + "manifests/profiles/asm-multicloud.yaml"].content.find("tag: 1.6.14-asm.1"),
      std::string::npos);
  EXPECT_EQ(files.count(root + "bin/istioctl.exe"), 0u);
}

TEST_F(ReleaseServerTest, WinZipHoldsBothExecutables) {
  auto res = Get("/releases/istio-1.5.10-asm.2-win.zip");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->body.compare(0, 2, "PK"), 0);
  auto files = ListArchive(res->body);
  const std::string root = "istio-1.5.10-asm.2/";
  EXPECT_EQ(files[root + "bin/istioctl.exe"].mode, 0755);
  EXPECT_EQ(files[root + "bin/istioctl"].mode, 0755);
  EXPECT_EQ(files[root + "bin/istioctl.version"].content, "1.5.10-asm.2\n");
}

TEST_F(ReleaseServerTest, ArchiveIsStableAndCopiedToWorkDir) {
  const std::string name = "istio-1.5.10-asm.2-linux.tar.gz";
  auto first = Get("/releases/" + name);
  auto again = Get("/releases/" + name);
  ASSERT_TRUE(first && again);
  EXPECT_EQ(first->body, again->body);
  EXPECT_EQ(ReadAll(dir_.File("releases/" + name)), first->body);
}

TEST_F(ReleaseServerTest, RangeRequestsGetPartialContent) {
  const std::string path = "/releases/istio-1.5.10-asm.2-linux.tar.gz";
  auto whole = Get(path);
  ASSERT_TRUE(whole);
  ASSERT_GT(whole->body.size(), 200u);
  auto head = Get(path, {httplib::make_range_header({{0, 99}})});
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 206);
  EXPECT_EQ(head->body, whole->body.substr(0, 100));
  EXPECT_EQ(head->get_header_value("Content-Range"),
            "bytes 0-99/" + std::to_string(whole->body.size()));
  // Resuming: from byte 100 to the end.
  auto tail = Get(path, {{"Range", "bytes=100-"}});
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, whole->body.substr(100));
}

TEST_F(ReleaseServerTest, RangePastTheEndIsNotSatisfiable) {
  // What a downloader resuming an already complete file sees.
  const std::string path = "/releases/istio-1.5.10-asm.2-linux.tar.gz";
  auto whole = Get(path);
  ASSERT_TRUE(whole);
  auto res = Get(path, {{"Range", "bytes=" + std::to_string(whole->body.size()) + "-"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 416);
  EXPECT_TRUE(res->body.empty());
}

TEST(ReleasedIstioctlTest, ReportsTheVersionItWasPackedWith) {
  // The real simulated istioctl, packed, unpacked to disk and run from there.
  testing::ScratchDir dir;
  ReleaseName name{"1.5.10-asm.2", "linux"};
  std::string archive, err;
  ASSERT_TRUE(
      BuildReleaseArchive(name, std::string(ASMPLAN_SANDBOX_BIN_DIR) + "/istioctl", &archive, &err))
      << err;
  const std::string bin = dir.File("istio-1.5.10-asm.2/bin/");
  std::filesystem::create_directories(bin);
  for (const auto& [path, file] : ListArchive(archive)) {
    if (path.rfind("istio-1.5.10-asm.2/bin/", 0) != 0 || path.back() == '/') {
      continue;
    }
    WriteAll(dir.File(path), file.content);
    std::filesystem::permissions(dir.File(path), static_cast<std::filesystem::perms>(file.mode));
  }
  EXPECT_EQ(RunCommand(bin + "istioctl version --remote=false"), "1.5.10-asm.2\n");
}

TEST_F(ReleaseServerTest, UnknownVersionOrOsIsNotFound) {
  for (const std::string name :
       {"istio-1.4.0-asm.1-linux.tar.gz", "istio-1.4.0-asm.1-linux.tar.gz.1.sig",
        "istio-1.5.10-asm.2-solaris.tar.gz", "istio-1.5.10-asm.2-linux.zip", "index.html"}) {
    auto res = Get("/releases/" + name);
    ASSERT_TRUE(res) << name;
    EXPECT_EQ(res->status, 404) << name;
  }
}

}  // namespace
}  // namespace asmplan::sandbox
