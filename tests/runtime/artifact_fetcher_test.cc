#include <gtest/gtest.h>

#include <filesystem>

#include "compiler/public_key.h"
#include "compiler/sha256.h"
#include "runtime/artifact/artifact_fetcher_impl.h"
#include "runtime/artifact/extractor.h"
#include "runtime/artifact/file_digest.h"
#include "tests/runtime/artifact_test_util.h"
#include "tests/support/fake_clock.h"

namespace asmplan {
namespace {

namespace fs = std::filesystem;
using testing::BuildArchive;
using testing::GenerateKey;
using testing::ReadFile;
using testing::Route;
using testing::Sign;
using testing::TempDir;
using testing::TestKey;
using testing::TestServer;
using testing::WriteFile;

const char kArchive[] = "/asm/istio-1.5.10-asm.2-linux.tar.gz";
const char kSig[] = "/asm/istio-1.5.10-asm.2-linux.tar.gz.1.sig";

class FetcherTest : public ::testing::Test {
 protected:
  FetcherTest() : key_(GenerateKey()) {
    options_.clock = &clock_;
    options_.backoff_ms = 10;
    options_.max_attempts = 3;
    archive_ = BuildArchive(testing::ReleaseEntries());
    server_.Serve(kArchive, Route{archive_});
    server_.Serve(kSig, Route{Sign(key_, archive_)});
    artifact_.name = "istio_release";
    artifact_.url = server_.Url(kArchive);
    artifact_.signature_url = server_.Url(kSig);
    artifact_.public_key_pem = key_.public_pem;
    artifact_.key_fingerprint = Fingerprint(key_.public_pem);
    artifact_.extract_to = "work";
    ctx_.cache_dir = dir_.path() + "/cache";
    ctx_.workspace_dir = dir_.path() + "/ws";
    ctx_.on_progress = [this](const FetchProgress& p) { progress_.push_back(p); };
  }
  static std::string Fingerprint(const std::string& pem) {
    std::string fp, err;
    PublicKeyFingerprint(pem, &fp, &err);
    return fp;
  }
  bool Fetch(std::string* err) { return NewArtifactFetcher(options_)->Fetch(artifact_, ctx_, err); }
  std::string Istioctl() const {
    return ctx_.workspace_dir + "/work/istio-1.5.10-asm.2/bin/istioctl";
  }
  std::string Quarantined() const {
    return ctx_.cache_dir + "/quarantine/" + CacheFileName(artifact_.url);
  }
  // The distinct stages reported, in order.
  std::vector<std::string> Stages() const {
    std::vector<std::string> stages;
    for (const auto& p : progress_) {
      if (stages.empty() || stages.back() != p.stage) stages.push_back(p.stage);
    }
    return stages;
  }
  void ExpectRefused(const std::string& message) {
    std::string err;
    ASSERT_FALSE(Fetch(&err));
    EXPECT_EQ(err, message);
    EXPECT_FALSE(fs::exists(ctx_.workspace_dir + "/work"));
    EXPECT_TRUE(fs::exists(Quarantined()));
    EXPECT_FALSE(fs::exists(ctx_.cache_dir + "/" + CacheFileName(artifact_.url)));
    EXPECT_EQ(Stages(), (std::vector<std::string>{"download", "verify"}));
  }

  FakeClock clock_;
  DownloadOptions options_;
  TempDir dir_;
  TestServer server_;
  TestKey key_;
  std::string archive_;
  Artifact artifact_;
  FetchContext ctx_;
  std::vector<FetchProgress> progress_;
};

TEST_F(FetcherTest, GoodArchiveVerifiesAndExtractsARunnableIstioctl) {
  std::string err;
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_EQ(testing::RunAndCapture(Istioctl()), "istioctl 1.5.10-asm.2\n");
  EXPECT_EQ(Stages(), (std::vector<std::string>{"download", "verify", "extract", "done"}));
  EXPECT_EQ(progress_.front().message, "istio-1.5.10-asm.2-linux.tar.gz");
  std::string marker = ReadExtractMarker(ctx_.workspace_dir + "/work");
  EXPECT_NE(marker.find("sha256 " + Sha256Hex(archive_) + "\n"), std::string::npos) << marker;
}

TEST_F(FetcherTest, RepeatedFetchIsANoOp) {
  std::string err;
  ASSERT_TRUE(Fetch(&err)) << err;
  WriteFile(ctx_.workspace_dir + "/work/touched", "still here");
  progress_.clear();
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_EQ(server_.Requests(kArchive), 1);
  EXPECT_EQ(server_.Requests(kSig), 1);
  EXPECT_EQ(ReadFile(ctx_.workspace_dir + "/work/touched"), "still here");  // not re-extracted
  ASSERT_EQ(progress_.size(), 1u);
  EXPECT_EQ(progress_[0].stage, "done");
  EXPECT_EQ(progress_[0].message, "already fetched");
}

TEST_F(FetcherTest, ChangedArtifactIsFetchedAgain) {
  std::string err;
  ASSERT_TRUE(Fetch(&err)) << err;
  artifact_.sha256 = Sha256Hex(archive_);  // a new pin changes what the marker must say
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_EQ(Stages().back(), "done");
  EXPECT_EQ(server_.Requests(kArchive), 1);  // the cached download is reused, then re-verified
  EXPECT_NE(ReadExtractMarker(ctx_.workspace_dir + "/work").find("sha256_pin " + artifact_.sha256),
            std::string::npos);
}

TEST_F(FetcherTest, FlippedByteInArchiveIsRefusedAndQuarantined) {
  std::string bad = archive_;
  bad[bad.size() / 3] ^= 0x20;
  server_.Serve(kArchive, Route{bad});
  ExpectRefused(
      "artifact istio_release: istio-1.5.10-asm.2-linux.tar.gz: signature does not "
      "verify with key " +
      artifact_.key_fingerprint + "; the file is quarantined as " + Quarantined());
  EXPECT_EQ(ReadFile(Quarantined()), bad);
}

TEST_F(FetcherTest, FlippedByteInSignatureIsRefused) {
  std::string sig = Sign(key_, archive_);
  sig[sig.size() - 2] ^= 0x01;
  server_.Serve(kSig, Route{sig});
  ExpectRefused(
      "artifact istio_release: istio-1.5.10-asm.2-linux.tar.gz: signature does not "
      "verify with key " +
      artifact_.key_fingerprint + "; the file is quarantined as " + Quarantined());
}

TEST_F(FetcherTest, SignatureByADifferentKeyIsRefused) {
  server_.Serve(kSig, Route{Sign(GenerateKey(), archive_)});
  ExpectRefused(
      "artifact istio_release: istio-1.5.10-asm.2-linux.tar.gz: signature does not "
      "verify with key " +
      artifact_.key_fingerprint + "; the file is quarantined as " + Quarantined());
}

TEST_F(FetcherTest, RefusedArtifactIsDownloadedAgainNextTime) {
  server_.Serve(kArchive, Route{"tampered"});
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  server_.Serve(kArchive, Route{archive_});
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_EQ(server_.Requests(kArchive), 2);
  EXPECT_TRUE(fs::exists(Istioctl()));
}

TEST_F(FetcherTest, KeyNotMatchingThePlansFingerprintIsRefused) {
  artifact_.key_fingerprint = std::string(64, 'a');
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  EXPECT_EQ(
      err.rfind("artifact istio_release: istio-1.5.10-asm.2-linux.tar.gz: public key "
                "fingerprint " +
                    Fingerprint(key_.public_pem) + " is not the plan's " + std::string(64, 'a'),
                0),
      0u)
      << err;
  EXPECT_FALSE(fs::exists(ctx_.workspace_dir + "/work"));
}

TEST_F(FetcherTest, Sha256PinAloneIsEnough) {
  artifact_.signature_url.clear();
  artifact_.public_key_pem.clear();
  artifact_.key_fingerprint.clear();
  artifact_.sha256 = Sha256Hex(archive_);
  std::string err;
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_TRUE(fs::exists(Istioctl()));
  EXPECT_EQ(server_.Requests(kSig), 0);
}

TEST_F(FetcherTest, Sha256PinMismatchIsRefused) {
  artifact_.signature_url.clear();
  artifact_.sha256 = std::string(64, 'f');
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  EXPECT_EQ(err,
            "artifact istio_release: istio-1.5.10-asm.2-linux.tar.gz: sha256 mismatch: "
            "expected " +
                std::string(64, 'f') + ", got " + Sha256Hex(archive_) +
                "; the file is quarantined as " + Quarantined());
  EXPECT_FALSE(fs::exists(ctx_.workspace_dir + "/work"));
}

TEST_F(FetcherTest, NeitherSignatureNorPinIsRefused) {
  artifact_.signature_url.clear();
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  EXPECT_EQ(err,
            "artifact istio_release: neither a signature nor a sha256 pin, and the plan does "
            "not say `verify none`");
  EXPECT_EQ(server_.Requests(kArchive), 0);
}

TEST_F(FetcherTest, VerifyNoneExtractsWithAWarning) {
  artifact_.signature_url.clear();
  artifact_.verify_none = true;
  std::string err;
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_TRUE(fs::exists(Istioctl()));
  bool warned = false;
  for (const auto& p : progress_) {
    if (p.stage == "verify" && p.warning) {
      warned = true;
      EXPECT_EQ(p.message, "artifact istio_release is not verified: the plan says `verify none`");
    }
  }
  EXPECT_TRUE(warned);
}

TEST_F(FetcherTest, ResumesAPartialDownloadAfterAKill) {
  Route route{archive_};
  route.drop_after = static_cast<long long>(archive_.size() / 2);
  server_.Serve(kArchive, route);
  options_.max_attempts = 1;  // the first run dies with the transfer
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  EXPECT_TRUE(fs::exists(ctx_.cache_dir + "/" + CacheFileName(artifact_.url) + ".part"));
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_EQ(server_.Ranges(kArchive).back(), "bytes=" + std::to_string(archive_.size() / 2) + "-");
  EXPECT_TRUE(fs::exists(Istioctl()));
}

TEST_F(FetcherTest, RetriesServerErrors) {
  Route route{archive_};
  route.fail_500_times = 2;
  server_.Serve(kArchive, route);
  std::string err;
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_EQ(server_.Requests(kArchive), 3);
}

TEST_F(FetcherTest, MissingSignatureIsAClearError) {
  artifact_.signature_url = server_.Url("/asm/nothing.1.sig");
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  EXPECT_EQ(err, "artifact istio_release: server answered http 404 for " + artifact_.signature_url);
  EXPECT_FALSE(fs::exists(ctx_.workspace_dir + "/work"));
}

TEST_F(FetcherTest, FileUrlsWork) {
  std::string src = dir_.path() + "/istio-1.5.10-asm.2-win.zip";
  std::string zip = BuildArchive(testing::ReleaseEntries(), /*zip=*/true);
  WriteFile(src, zip);
  WriteFile(src + ".1.sig", Sign(key_, zip));
  artifact_.url = "file://" + src;
  artifact_.signature_url = "file://" + src + ".1.sig";
  std::string err;
  ASSERT_TRUE(Fetch(&err)) << err;
  EXPECT_EQ(testing::RunAndCapture(Istioctl()), "istioctl 1.5.10-asm.2\n");
}

TEST_F(FetcherTest, RefusesExtractToLeavingTheWorkspace) {
  artifact_.extract_to = "../outside";
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  EXPECT_EQ(err,
            "artifact istio_release: extract_to \"../outside\" must be a relative path "
            "without `..`");
}

TEST_F(FetcherTest, UnsafeSignedArchiveIsRefusedAtExtraction) {
  std::string evil = BuildArchive({testing::File("../evil", "x")});
  server_.Serve(kArchive, Route{evil});
  server_.Serve(kSig, Route{Sign(key_, evil)});
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  EXPECT_EQ(err,
            "artifact istio_release: archive istio-1.5.10-asm.2-linux.tar.gz refused: entry "
            "\"../evil\" has a `..` component");
  EXPECT_FALSE(fs::exists(ctx_.workspace_dir + "/work"));
  EXPECT_FALSE(fs::exists(ctx_.workspace_dir + "/evil"));
}

TEST_F(FetcherTest, CancelledFetchStopsWithAnError) {
  std::atomic<bool> cancel{true};
  ctx_.cancel = &cancel;
  std::string err;
  ASSERT_FALSE(Fetch(&err));
  EXPECT_EQ(err, "artifact istio_release: download of " + artifact_.url + " cancelled");
  EXPECT_FALSE(fs::exists(ctx_.workspace_dir + "/work"));
}

}  // namespace
}  // namespace asmplan
