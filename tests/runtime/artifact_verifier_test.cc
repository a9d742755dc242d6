#include <gtest/gtest.h>

#include <filesystem>

#include "compiler/public_key.h"
#include "compiler/sha256.h"
#include "runtime/artifact/file_digest.h"
#include "runtime/artifact/signature_verifier.h"
#include "tests/runtime/artifact_test_util.h"

namespace asmplan {
namespace {

using testing::GenerateKey;
using testing::ReadFile;
using testing::Sign;
using testing::TempDir;
using testing::TestKey;
using testing::WriteFile;

// The ECDSA P-256 release key printed in the seed guide, and its fingerprint.
const char kSeedKey[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWZrGCUaJJr1H8a36sG4UUoXvlXvZ\n"
    "wQfk16sxprI2gOJ2vFFggdq3ixF2h4qNBt0kI7ciDhgpwS8t+/960IsIgw==\n"
    "-----END PUBLIC KEY-----\n";
const char kSeedFingerprint[] = "84cd9d883e639b1f97e08d3b3ab954140c1ac165a9c7166258f397b6abfe5d49";

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() : key_(GenerateKey()) {
    data_ = testing::BuildArchive(testing::ReleaseEntries());
    WriteFile(file(), data_);
    WriteFile(sig(), Sign(key_, data_));
    req_.file = file();
    req_.display_name = "istio.tar.gz";
    req_.signature_path = sig();
    req_.public_key_pem = key_.public_pem;
  }
  std::string file() const { return dir_.path() + "/istio.tar.gz"; }
  std::string sig() const { return dir_.path() + "/istio.tar.gz.1.sig"; }
  std::string Fingerprint(const std::string& pem) {
    std::string fp, err;
    EXPECT_TRUE(PublicKeyFingerprint(pem, &fp, &err)) << err;
    return fp;
  }

  TempDir dir_;
  TestKey key_;
  std::string data_;
  VerifyRequest req_;
  VerifyResult result_;
};

TEST_F(VerifierTest, GoodSignatureVerifies) {
  std::string err;
  ASSERT_TRUE(VerifyFile(req_, &result_, &err)) << err;
  EXPECT_EQ(result_.sha256, Sha256Hex(data_));
  EXPECT_EQ(result_.key_fingerprint, Fingerprint(key_.public_pem));
}

TEST_F(VerifierTest, GoodSignatureAndPinVerify) {
  req_.expected_sha256 = Sha256Hex(data_);
  req_.expected_fingerprint = Fingerprint(key_.public_pem);
  std::string err;
  EXPECT_TRUE(VerifyFile(req_, &result_, &err)) << err;
}

TEST_F(VerifierTest, FlippedByteInFileIsRefused) {
  std::string bad = data_;
  bad[bad.size() / 2] ^= 0x01;
  WriteFile(file(), bad);
  std::string err;
  ASSERT_FALSE(VerifyFile(req_, &result_, &err));
  EXPECT_EQ(err,
            "istio.tar.gz: signature does not verify with key " + Fingerprint(key_.public_pem));
}

TEST_F(VerifierTest, FlippedByteInSignatureIsRefused) {
  std::string bad = ReadFile(sig());
  bad[bad.size() - 3] ^= 0x01;
  WriteFile(sig(), bad);
  std::string err;
  ASSERT_FALSE(VerifyFile(req_, &result_, &err));
  EXPECT_EQ(err,
            "istio.tar.gz: signature does not verify with key " + Fingerprint(key_.public_pem));
}

TEST_F(VerifierTest, GarbageSignatureIsRefused) {
  WriteFile(sig(), "not DER at all");
  std::string err;
  ASSERT_FALSE(VerifyFile(req_, &result_, &err));
  EXPECT_EQ(err,
            "istio.tar.gz: signature does not verify with key " + Fingerprint(key_.public_pem));
}

TEST_F(VerifierTest, DifferentKeyIsRefused) {
  TestKey other = GenerateKey();
  req_.public_key_pem = other.public_pem;
  std::string err;
  ASSERT_FALSE(VerifyFile(req_, &result_, &err));
  EXPECT_EQ(err,
            "istio.tar.gz: signature does not verify with key " + Fingerprint(other.public_pem));
}

TEST_F(VerifierTest, SeedKeyParsesAndNamesItsFingerprintWhenRefusing) {
  req_.public_key_pem = kSeedKey;
  std::string err;
  ASSERT_FALSE(VerifyFile(req_, &result_, &err));
  EXPECT_EQ(err,
            std::string("istio.tar.gz: signature does not verify with key ") + kSeedFingerprint);
  EXPECT_EQ(result_.key_fingerprint, kSeedFingerprint);
}

TEST_F(VerifierTest, KeyThatIsNotThePlansIsRefused) {
  req_.expected_fingerprint = kSeedFingerprint;
  std::string err;
  ASSERT_FALSE(VerifyFile(req_, &result_, &err));
  EXPECT_EQ(err, "istio.tar.gz: public key fingerprint " + Fingerprint(key_.public_pem) +
                     " is not the plan's " + kSeedFingerprint);
}

TEST_F(VerifierTest, Sha256PinMismatchIsRefused) {
  req_.signature_path.clear();
  req_.expected_sha256 = std::string(64, '0');
  std::string err;
  ASSERT_FALSE(VerifyFile(req_, &result_, &err));
  EXPECT_EQ(err, "istio.tar.gz: sha256 mismatch: expected " + std::string(64, '0') + ", got " +
                     Sha256Hex(data_));
}

TEST_F(VerifierTest, PinIsComparedCaseInsensitively) {
  req_.signature_path.clear();
  std::string upper = Sha256Hex(data_);
  for (char& c : upper) c = static_cast<char>(toupper(c));
  req_.expected_sha256 = upper;
  std::string err;
  EXPECT_TRUE(VerifyFile(req_, &result_, &err)) << err;
}

TEST_F(VerifierTest, NothingToCheckIsAnError) {
  req_.signature_path.clear();
  std::string err;
  ASSERT_FALSE(VerifyFile(req_, &result_, &err));
  EXPECT_EQ(err, "istio.tar.gz: neither a signature nor a sha256 pin to check");
}

TEST_F(VerifierTest, QuarantineMovesTheFileAside) {
  std::string moved = Quarantine(file(), dir_.path());
  EXPECT_EQ(moved, dir_.path() + "/quarantine/istio.tar.gz");
  EXPECT_FALSE(std::filesystem::exists(file()));
  EXPECT_EQ(ReadFile(moved), data_);
}

}  // namespace
}  // namespace asmplan
