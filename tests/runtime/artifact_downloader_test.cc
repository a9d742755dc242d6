#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "runtime/artifact/downloader.h"
#include "tests/runtime/artifact_test_util.h"
#include "tests/support/fake_clock.h"

namespace asmplan {
namespace {

using testing::ReadFile;
using testing::Route;
using testing::TempDir;
using testing::TestServer;
using testing::WriteFile;

std::string Body(size_t n) {
  std::string body(n, '\0');
  for (size_t i = 0; i < n; ++i) body[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  return body;
}

class DownloaderTest : public ::testing::Test {
 protected:
  DownloaderTest() {
    options_.clock = &clock_;
    options_.backoff_ms = 10;
    options_.max_attempts = 3;
    dest_ = dir_.path() + "/file.bin";
  }
  bool Download(const std::string& url, std::string* err) {
    Downloader downloader(options_);
    auto on_progress = [this](const DownloadProgress& p) { progress_.push_back(p); };
    return downloader.Download(url, dest_, on_progress, &cancel_, err);
  }
  bool Exists(const std::string& path) { return std::filesystem::exists(path); }

  FakeClock clock_;
  DownloadOptions options_;
  TempDir dir_;
  TestServer server_;
  std::string dest_;
  std::atomic<bool> cancel_{false};
  std::vector<DownloadProgress> progress_;
};

TEST_F(DownloaderTest, DownloadsAndRenamesWhenComplete) {
  std::string body = Body(200000);
  server_.Serve("/a.tar.gz", Route{body});
  std::string err;
  ASSERT_TRUE(Download(server_.Url("/a.tar.gz"), &err)) << err;
  EXPECT_EQ(ReadFile(dest_), body);
  EXPECT_FALSE(Exists(dest_ + ".part"));
  ASSERT_FALSE(progress_.empty());
  EXPECT_EQ(progress_.back().bytes, 200000);
  EXPECT_EQ(progress_.back().total, 200000);
}

TEST_F(DownloaderTest, ExistingDestinationIsNotFetchedAgain) {
  server_.Serve("/a", Route{"new"});
  WriteFile(dest_, "old");
  std::string err;
  ASSERT_TRUE(Download(server_.Url("/a"), &err)) << err;
  EXPECT_EQ(ReadFile(dest_), "old");
  EXPECT_EQ(server_.Requests("/a"), 0);
}

TEST_F(DownloaderTest, ResumesATruncatedTransferWithARangeRequest) {
  std::string body = Body(100000);
  Route route{body};
  route.drop_after = 30000;
  server_.Serve("/a", route);
  std::string err;
  ASSERT_TRUE(Download(server_.Url("/a"), &err)) << err;
  EXPECT_EQ(ReadFile(dest_), body);
  EXPECT_EQ(server_.Ranges("/a"), (std::vector<std::string>{"", "bytes=30000-"}));
}

TEST_F(DownloaderTest, PartFileSurvivesAFailureAndIsResumedLater) {
  std::string body = Body(100000);
  Route route{body};
  route.drop_after = 40000;
  server_.Serve("/a", route);
  options_.max_attempts = 1;  // the process "dies" after the first attempt
  std::string err;
  ASSERT_FALSE(Download(server_.Url("/a"), &err));
  EXPECT_EQ(err.rfind("gave up after 1 attempt: downloading " + server_.Url("/a"), 0), 0u) << err;
  EXPECT_EQ(std::filesystem::file_size(dest_ + ".part"), 40000u);
  EXPECT_FALSE(Exists(dest_));
  ASSERT_TRUE(Download(server_.Url("/a"), &err)) << err;
  EXPECT_EQ(ReadFile(dest_), body);
  EXPECT_EQ(server_.Ranges("/a").back(), "bytes=40000-");
}

TEST_F(DownloaderTest, ServerIgnoringRangeRestartsFromZero) {
  std::string body = Body(5000);
  Route route{body};
  route.ignore_range = true;
  server_.Serve("/a", route);
  WriteFile(dest_ + ".part", "junk that is not the start of the file");
  std::string err;
  ASSERT_TRUE(Download(server_.Url("/a"), &err)) << err;
  EXPECT_EQ(ReadFile(dest_), body);
  EXPECT_EQ(server_.Requests("/a"), 1);
}

TEST_F(DownloaderTest, RetriesServerErrorsWithGrowingBackoff) {
  Route route{"payload"};
  route.fail_500_times = 2;
  server_.Serve("/a", route);
  std::string err;
  ASSERT_TRUE(Download(server_.Url("/a"), &err)) << err;
  EXPECT_EQ(ReadFile(dest_), "payload");
  EXPECT_EQ(server_.Requests("/a"), 3);
  EXPECT_EQ(clock_.NowMs(), 10 + 20);  // backoff 10 ms, then 20 ms, on the fake clock
  EXPECT_FALSE(Exists(dest_ + ".part"));
}

TEST_F(DownloaderTest, GivesUpAfterMaxAttempts) {
  Route route{"payload"};
  route.fail_500_times = 10;
  server_.Serve("/a", route);
  std::string err;
  ASSERT_FALSE(Download(server_.Url("/a"), &err));
  EXPECT_EQ(err, "gave up after 3 attempts: server answered http 500 for " + server_.Url("/a"));
  EXPECT_EQ(server_.Requests("/a"), 3);
  EXPECT_FALSE(Exists(dest_));
}

// The server's reason (the first line of its answer) is in the message; the .part file holds none
// of it, so the next attempt resumes from real bytes.
TEST_F(DownloaderTest, AnErrorAnswerSaysTheServersReason) {
  Route route{"payload"};
  route.fail_500_times = 10;
  route.error_text = "cannot build istio.tar.gz: cannot read istioctl\nmore detail\n";
  server_.Serve("/a", route);
  std::string err;
  ASSERT_FALSE(Download(server_.Url("/a"), &err));
  EXPECT_EQ(err, "gave up after 3 attempts: server answered http 500 for " + server_.Url("/a") +
                     ": cannot build istio.tar.gz: cannot read istioctl");
  EXPECT_EQ(ReadFile(dest_ + ".part"), "");
  route.fail_500_times = 1;
  server_.Serve("/a", route);
  ASSERT_TRUE(Download(server_.Url("/a"), &err)) << err;
  EXPECT_EQ(ReadFile(dest_), "payload");
}

TEST_F(DownloaderTest, DoesNotRetryNotFound) {
  std::string err;
  ASSERT_FALSE(Download(server_.Url("/missing"), &err));
  EXPECT_EQ(err, "server answered http 404 for " + server_.Url("/missing"));
  EXPECT_EQ(server_.Requests("/missing"), 1);
  EXPECT_EQ(clock_.NowMs(), 0);
}

TEST_F(DownloaderTest, RefusesAFileOverTheMaximumSize) {
  server_.Serve("/a", Route{Body(1000)});
  options_.max_bytes = 100;
  std::string err;
  ASSERT_FALSE(Download(server_.Url("/a"), &err));
  EXPECT_EQ(err, server_.Url("/a") + " is larger than the maximum of 100 bytes");
  EXPECT_EQ(server_.Requests("/a"), 1);
  EXPECT_FALSE(Exists(dest_));
}

TEST_F(DownloaderTest, CancelledBeforeStartFailsWithoutRetry) {
  server_.Serve("/a", Route{Body(1000)});
  cancel_ = true;
  std::string err;
  ASSERT_FALSE(Download(server_.Url("/a"), &err));
  EXPECT_EQ(err, "download of " + server_.Url("/a") + " cancelled");
  EXPECT_FALSE(Exists(dest_));
}

TEST_F(DownloaderTest, CancelDuringTransferStopsAndKeepsThePartFile) {
  server_.Serve("/a", Route{Body(4 << 20)});
  Downloader downloader(options_);
  auto cancel_on_first_bytes = [this](const DownloadProgress& p) {
    if (p.bytes > 0) cancel_ = true;
  };
  std::string err;
  ASSERT_FALSE(
      downloader.Download(server_.Url("/a"), dest_, cancel_on_first_bytes, &cancel_, &err));
  EXPECT_EQ(err, "download of " + server_.Url("/a") + " cancelled");
  EXPECT_EQ(server_.Requests("/a"), 1);
  EXPECT_GT(std::filesystem::file_size(dest_ + ".part"), 0u);
  EXPECT_LT(std::filesystem::file_size(dest_ + ".part"), 4u << 20);
  EXPECT_FALSE(Exists(dest_));
}

TEST_F(DownloaderTest, PartFileLockedByAnotherFetchIsNotTouched) {
  server_.Serve("/a", Route{"payload"});
  WriteFile(dest_ + ".part", "pay");
  int fd = ::open((dest_ + ".part").c_str(), O_RDONLY);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  std::string err;
  ASSERT_FALSE(Download(server_.Url("/a"), &err));
  ::close(fd);
  EXPECT_EQ(err,
            "another process is downloading " + server_.Url("/a") + " into " + dest_ + ".part");
  EXPECT_EQ(ReadFile(dest_ + ".part"), "pay");
  EXPECT_EQ(server_.Requests("/a"), 0);
}

TEST_F(DownloaderTest, ConnectionRefusedIsRetriedThenReported) {
  std::string url;
  {
    TestServer gone;
    url = gone.Url("/a");
  }
  std::string err;
  ASSERT_FALSE(Download(url, &err));
  EXPECT_EQ(err.rfind("gave up after 3 attempts: downloading " + url + ": ", 0), 0u) << err;
}

TEST_F(DownloaderTest, ReadsFileUrls) {
  std::string src = dir_.path() + "/source.bin";
  std::string body = Body(3000);
  WriteFile(src, body);
  std::string err;
  ASSERT_TRUE(Download("file://" + src, &err)) << err;
  EXPECT_EQ(ReadFile(dest_), body);
}

TEST_F(DownloaderTest, MissingFileUrlIsAnErrorNamingIt) {
  std::string err;
  ASSERT_FALSE(Download("file://" + dir_.path() + "/nope", &err));
  EXPECT_EQ(err.rfind("downloading file://" + dir_.path() + "/nope: ", 0), 0u) << err;
}

TEST_F(DownloaderTest, RefusesOtherSchemes) {
  std::string err;
  ASSERT_FALSE(Download("ftp://127.0.0.1/a", &err));
  EXPECT_EQ(err.rfind("downloading ftp://127.0.0.1/a: ", 0), 0u) << err;
}

TEST_F(DownloaderTest, HttpsWithAnUntrustedCertificateIsRefusedWithoutRetry) {
  std::string cert = dir_.path() + "/cert.pem", key = dir_.path() + "/key.pem";
  testing::WriteSelfSignedCert(cert, key);
  TestServer tls(cert, key);
  tls.Serve("/a", Route{"secret"});
  std::string err;
  ASSERT_FALSE(Download(tls.Url("/a"), &err));
  EXPECT_EQ(err.rfind("downloading " + tls.Url("/a") + ": ", 0), 0u) << err;  // no "gave up after"
  EXPECT_EQ(tls.Requests("/a"), 0);
  EXPECT_EQ(clock_.NowMs(), 0);
  EXPECT_FALSE(Exists(dest_));
}

TEST_F(DownloaderTest, HttpsWithATrustedCertificateDownloads) {
  std::string cert = dir_.path() + "/cert.pem", key = dir_.path() + "/key.pem";
  testing::WriteSelfSignedCert(cert, key);
  TestServer tls(cert, key);
  tls.Serve("/a", Route{"over tls"});
  options_.ca_file = cert;
  std::string err;
  ASSERT_TRUE(Download(tls.Url("/a"), &err)) << err;
  EXPECT_EQ(ReadFile(dest_), "over tls");
}

TEST(CacheFileNameTest, HashOfUrlAndItsFileName) {
  std::string name = CacheFileName("https://example.com/asm/istio-1.5.10-asm.2-linux.tar.gz?x=1");
  EXPECT_EQ(name.size(), 16 + 1 + std::string("istio-1.5.10-asm.2-linux.tar.gz").size());
  EXPECT_EQ(name.substr(16), "-istio-1.5.10-asm.2-linux.tar.gz");
  EXPECT_NE(name, CacheFileName("https://example.org/asm/istio-1.5.10-asm.2-linux.tar.gz?x=1"));
  EXPECT_EQ(CacheFileName("http://h/").substr(16), "-download");
  EXPECT_EQ(CacheFileName("http://h/a b$c").substr(16), "-a_b_c");
}

}  // namespace
}  // namespace asmplan
