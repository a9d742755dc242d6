#include "compiler/public_key.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cstdio>
#include <string>
#include <vector>

namespace asmplan {
namespace {

// The ECDSA P-256 release key printed in the seed guide (/work/shared/seed/README.md).
const char kSeedKey[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWZrGCUaJJr1H8a36sG4UUoXvlXvZ\n"
    "wQfk16sxprI2gOJ2vFFggdq3ixF2h4qNBt0kI7ciDhgpwS8t+/960IsIgw==\n"
    "-----END PUBLIC KEY-----\n";

// `openssl pkey -pubin -in seed.pem -outform DER | sha256sum`, computed once by hand.
const char kSeedFingerprint[] = "84cd9d883e639b1f97e08d3b3ab954140c1ac165a9c7166258f397b6abfe5d49";

std::string PemOf(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

// The DER SubjectPublicKeyInfo of a P-256 key, assembled by hand from the fixed header and the
// uncompressed point, so the expectation does not reuse the code under test.
std::string HandFingerprint(EVP_PKEY* key) {
  std::vector<unsigned char> der = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                    0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                    0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
  unsigned char point[65];
  size_t point_len = 0;
  EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &point_len);
  der.insert(der.end(), point, point + point_len);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der.data(), der.size(), digest);
  std::string hex;
  char buf[3];
  for (unsigned char c : digest) {
    snprintf(buf, sizeof(buf), "%02x", c);
    hex += buf;
  }
  return hex;
}

TEST(PublicKeyTest, SeedKeyFingerprintIsStable) {
  std::string fp, err;
  ASSERT_TRUE(PublicKeyFingerprint(kSeedKey, &fp, &err)) << err;
  EXPECT_EQ(fp, kSeedFingerprint);
  std::string again;
  ASSERT_TRUE(PublicKeyFingerprint(kSeedKey, &again, &err));
  EXPECT_EQ(again, fp);
}

TEST(PublicKeyTest, GeneratedKeyMatchesHandAssembledDer) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  std::string fp, err;
  ASSERT_TRUE(PublicKeyFingerprint(PemOf(key), &fp, &err)) << err;
  EXPECT_EQ(fp, HandFingerprint(key));
  EXPECT_NE(fp, kSeedFingerprint);
  EVP_PKEY_free(key);
}

TEST(PublicKeyTest, RefusesTextThatIsNotPem) {
  std::string fp, err;
  EXPECT_FALSE(PublicKeyFingerprint("hello, not a key", &fp, &err));
  EXPECT_EQ(err, "not a PEM public key: expected a `-----BEGIN PUBLIC KEY-----` block");
  EXPECT_TRUE(fp.empty());
}

TEST(PublicKeyTest, RefusesDamagedPemBlock) {
  std::string damaged = kSeedKey;
  damaged.replace(damaged.find("MFkw"), 4, "!!!!");
  std::string fp, err;
  EXPECT_FALSE(PublicKeyFingerprint(damaged, &fp, &err));
  EXPECT_EQ(err, "cannot read the PEM public key: the block is damaged or not a key OpenSSL knows");
}

TEST(PublicKeyTest, RefusesPrivateKeyPem) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  std::string fp, err;
  EXPECT_FALSE(PublicKeyFingerprint(pem, &fp, &err));
  EXPECT_EQ(err, "not a PEM public key: expected a `-----BEGIN PUBLIC KEY-----` block");
}

}  // namespace
}  // namespace asmplan
