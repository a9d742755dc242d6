#include "sandbox/release_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cstring>
#include <memory>

namespace asmplan::sandbox {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using BnPtr = Owned<BIGNUM, BN_free>;
using BnCtxPtr = Owned<BN_CTX, BN_CTX_free>;
using GroupPtr = Owned<EC_GROUP, EC_GROUP_free>;
using PointPtr = Owned<EC_POINT, EC_POINT_free>;
using ParamBldPtr = Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = Owned<OSSL_PARAM, OSSL_PARAM_free>;
using PkeyCtxPtr = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using PkeyPtr = Owned<EVP_PKEY, EVP_PKEY_free>;
using MdCtxPtr = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using BioPtr = Owned<BIO, BIO_free_all>;

std::string OpenSslError(const char* what) {
  char buf[256] = "unknown error";
  unsigned long code = ERR_get_error();
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return std::string("release key: ") + what + ": " + buf;
}

/// Private scalar d = SHA-256(label) mod n and public point Q = d*G (uncompressed octets).
bool DeriveScalarAndPoint(BnPtr* d, std::string* point, std::string* err) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(kReleaseKeyLabel), std::strlen(kReleaseKeyLabel),
         digest);
  GroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  BnCtxPtr ctx(BN_CTX_new());
  d->reset(BN_bin2bn(digest, sizeof(digest), nullptr));
  if (!group || !ctx || !*d) return (*err = OpenSslError("allocation failed"), false);
  if (!BN_nnmod(d->get(), d->get(), EC_GROUP_get0_order(group.get()), ctx.get()) ||
      BN_is_zero(d->get())) {
    return (*err = OpenSslError("cannot reduce the scalar"), false);
  }
  PointPtr q(EC_POINT_new(group.get()));
  if (!q || !EC_POINT_mul(group.get(), q.get(), d->get(), nullptr, nullptr, ctx.get())) {
    return (*err = OpenSslError("cannot compute the public point"), false);
  }
  unsigned char buf[128];
  size_t len = EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, buf,
                                  sizeof(buf), ctx.get());
  if (len == 0) return (*err = OpenSslError("cannot encode the public point"), false);
  point->assign(reinterpret_cast<const char*>(buf), len);
  return true;
}

/// Builds the EVP_PKEY key pair from the derived scalar and point.
PkeyPtr BuildKey(std::string* err) {
  BnPtr d;
  std::string point;
  if (!DeriveScalarAndPoint(&d, &point, err)) return nullptr;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    *err = OpenSslError("cannot build key parameters");
    return nullptr;
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) <= 0) {
    *err = OpenSslError("cannot build the key");
    return nullptr;
  }
  return PkeyPtr(raw);
}

/// The key, derived once per process; null (with `err` set) if OpenSSL failed.
const EVP_PKEY* ReleaseKey(std::string* err) {
  static std::string derive_error;
  static PkeyPtr key = BuildKey(&derive_error);
  if (!key) *err = derive_error;
  return key.get();
}

}  // namespace

bool ReleasePublicKeyPem(std::string* pem, std::string* err) {
  const EVP_PKEY* key = ReleaseKey(err);
  if (key == nullptr) return false;
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PUBKEY(bio.get(), const_cast<EVP_PKEY*>(key))) {
    *err = OpenSslError("cannot write the public key");
    return false;
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  pem->assign(data, static_cast<size_t>(len));
  return true;
}

bool SignWithReleaseKey(const std::string& data, std::string* signature, std::string* err) {
  const EVP_PKEY* key = ReleaseKey(err);
  if (key == nullptr) return false;
  MdCtxPtr md(EVP_MD_CTX_new());
  size_t len = 0;
  if (!md ||
      EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, const_cast<EVP_PKEY*>(key)) <=
          0 ||
      EVP_DigestSign(md.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) <= 0) {
    *err = OpenSslError("cannot start signing");
    return false;
  }
  signature->resize(len);
  auto* out = reinterpret_cast<unsigned char*>(&(*signature)[0]);
  if (EVP_DigestSign(md.get(), out, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) <= 0) {
    *err = OpenSslError("cannot sign");
    return false;
  }
  signature->resize(len);
  return true;
}

}  // namespace asmplan::sandbox
