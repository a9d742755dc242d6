#include "compiler/public_key.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <memory>

namespace asmplan {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::string Hex(const unsigned char* data, size_t len) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

}  // namespace

bool PublicKeyFingerprint(const std::string& pem, std::string* fingerprint, std::string* err) {
  // OpenSSL's error queue is per thread; leave it clean whatever happens here.
  ERR_clear_error();
  if (pem.find("-----BEGIN PUBLIC KEY-----") == std::string::npos) {
    *err = "not a PEM public key: expected a `-----BEGIN PUBLIC KEY-----` block";
    return false;
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    ERR_clear_error();
    *err = "cannot read the PEM public key: the block is damaged or not a key OpenSSL knows";
    return false;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_PUBKEY(key.get(), &der);
  if (der_len <= 0) {
    ERR_clear_error();
    *err = "cannot encode the public key as DER SubjectPublicKeyInfo";
    return false;
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(der_len), digest);
  OPENSSL_free(der);
  *fingerprint = Hex(digest, sizeof(digest));
  return true;
}

}  // namespace asmplan
