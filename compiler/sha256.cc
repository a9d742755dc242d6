#include "compiler/sha256.h"

// OpenSSL's SHA-256 functions rather than EVP: an EVP digest's first use in a process loads
// openssl.cnf and sets up the default provider, about 2 ms of every `asmplan run`'s start (it
// hashes the plan) for a digest these functions compute with the same code. OpenSSL 3 marks them
// deprecated in favour of EVP; they are still part of its API.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace asmplan {

struct Sha256::Context {
  SHA256_CTX sha;
};

Sha256::Sha256() : ctx_(std::make_unique<Context>()) { SHA256_Init(&ctx_->sha); }

Sha256::~Sha256() = default;

void Sha256::Update(std::string_view bytes) {
  SHA256_Update(&ctx_->sha, bytes.data(), bytes.size());
}

std::string Sha256::HexDigest() {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &ctx_->sha);
  return HexOf(digest, sizeof digest);
}

std::string HexOf(const unsigned char* data, size_t len) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 sha;
  sha.Update(bytes);
  return sha.HexDigest();
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace asmplan
