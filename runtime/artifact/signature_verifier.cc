#include "runtime/artifact/signature_verifier.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "compiler/public_key.h"
#include "compiler/sha256.h"
#include "runtime/artifact/file_digest.h"

namespace asmplan {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

PkeyPtr ReadKey(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  return PkeyPtr(key, EVP_PKEY_free);
}

bool ReadWhole(const std::string& path, std::string* out, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// One pass over the file feeds both the plain digest and, when given, the signature check.
bool DigestFile(const std::string& path, EVP_MD_CTX* sha, EVP_MD_CTX* verify, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) continue;
    EVP_DigestUpdate(sha, buf.data(), n);
    if (verify) EVP_DigestVerifyUpdate(verify, buf.data(), n);
  }
  if (in.bad()) {
    *err = "error reading " + path;
    return false;
  }
  return true;
}

// Loads the key, compares its fingerprint with the plan's, and starts a verification context.
bool StartSignatureCheck(const VerifyRequest& r, VerifyResult* result, PkeyPtr* key,
                         EVP_MD_CTX* ctx, std::string* err) {
  std::string fp_err;
  if (!PublicKeyFingerprint(r.public_key_pem, &result->key_fingerprint, &fp_err)) {
    *err = r.display_name + ": public key unusable: " + fp_err;
    return false;
  }
  if (!r.expected_fingerprint.empty() && r.expected_fingerprint != result->key_fingerprint) {
    *err = r.display_name + ": public key fingerprint " + result->key_fingerprint +
           " is not the plan's " + r.expected_fingerprint;
    return false;
  }
  *key = ReadKey(r.public_key_pem);
  if (!*key || EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key->get()) != 1) {
    ERR_clear_error();
    *err = r.display_name + ": cannot verify with key " + result->key_fingerprint;
    return false;
  }
  return true;
}

bool FinishSignatureCheck(const VerifyRequest& r, const VerifyResult& result, EVP_MD_CTX* ctx,
                          std::string* err) {
  std::string sig;
  if (!ReadWhole(r.signature_path, &sig, err)) {
    *err = r.display_name + ": signature unreadable: " + *err;
    return false;
  }
  int ok =
      EVP_DigestVerifyFinal(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
  // The error queue says why (a malformed DER blob, usually); the message below says enough.
  ERR_clear_error();
  if (ok != 1) {
    *err = r.display_name + ": signature does not verify with key " + result.key_fingerprint;
    return false;
  }
  return true;
}

}  // namespace

bool VerifyFile(const VerifyRequest& r, VerifyResult* result, std::string* err) {
  ERR_clear_error();
  bool signed_file = !r.signature_path.empty();
  if (!signed_file && r.expected_sha256.empty()) {
    *err = r.display_name + ": neither a signature nor a sha256 pin to check";
    return false;
  }
  PkeyPtr key(nullptr, EVP_PKEY_free);
  MdCtxPtr verify(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  MdCtxPtr sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr);
  if (signed_file && !StartSignatureCheck(r, result, &key, verify.get(), err)) return false;
  if (!DigestFile(r.file, sha.get(), signed_file ? verify.get() : nullptr, err)) return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(sha.get(), digest, &len);
  result->sha256 = HexOf(digest, len);
  if (signed_file && !FinishSignatureCheck(r, *result, verify.get(), err)) return false;
  std::string pin = r.expected_sha256;
  for (char& c : pin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!pin.empty() && pin != result->sha256) {
    *err = r.display_name + ": sha256 mismatch: expected " + pin + ", got " + result->sha256;
    if (signed_file) *err += " (signed with key " + result->key_fingerprint + ")";
    return false;
  }
  return true;
}

std::string Quarantine(const std::string& path, const std::string& cache_dir) {
  std::string dir = cache_dir + "/quarantine";
  ::mkdir(dir.c_str(), 0755);
  std::string dest = dir + "/" + path.substr(path.rfind('/') + 1);
  if (std::rename(path.c_str(), dest.c_str()) == 0) return dest;
  std::remove(path.c_str());
  return "";
}

}  // namespace asmplan
