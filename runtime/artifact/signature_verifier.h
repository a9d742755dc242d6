// Checking a downloaded artifact: an ECDSA (DER, SHA-256) signature against a PEM public key, as
// `openssl dgst -sha256 -verify KEY -signature FILE.1.sig FILE`, and/or a sha256 pin.
#pragma once

#include <string>

namespace asmplan {

/// What to check about one file. At least one of `signature_path` and `expected_sha256` is set.
struct VerifyRequest {
  std::string file;                  ///< the downloaded artifact
  std::string display_name;          ///< how messages name it, e.g. the URL's file name
  std::string signature_path;        ///< DER signature file, or "" when not signed
  std::string public_key_pem;        ///< required with a signature
  std::string expected_fingerprint;  ///< the plan's key fingerprint; "" = do not compare
  std::string expected_sha256;       ///< hex pin, or "" for none
};

/// The facts a check established, whether or not it passed.
struct VerifyResult {
  std::string sha256;           ///< hex SHA-256 of the file, when it could be read
  std::string key_fingerprint;  ///< hex SHA-256 of the key's DER, when a key was given
};

/// Streams `request.file` once through SHA-256 and the signature check. False with a message that
/// names the file, the key's fingerprint and what failed: "signature does not verify",
/// "sha256 mismatch: expected X, got Y", an unreadable key or signature, or a key whose fingerprint
/// is not the plan's.
bool VerifyFile(const VerifyRequest& request, VerifyResult* result, std::string* err);

/// Moves `path` into `cache_dir`/quarantine/ (created as needed) so it is never used again; returns
/// the new path, or "" when the move failed (the file is then deleted).
std::string Quarantine(const std::string& path, const std::string& cache_dir);

}  // namespace asmplan
