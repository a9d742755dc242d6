#include "compiler/public_key.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "compiler/sha256.h"

namespace asmplan {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

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
  *fingerprint =
      Sha256Hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len)));
  OPENSSL_free(der);
  return true;
}

}  // namespace asmplan
