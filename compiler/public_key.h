// Public keys of artifacts: parsing PEM and the fingerprint reviewers compare.
#pragma once

#include <string>

namespace asmplan {

/// Hex SHA-256 of the DER SubjectPublicKeyInfo of the PEM public key `pem`. Returns false with a
/// message in `err` when `pem` is not a PEM public key OpenSSL can read.
bool PublicKeyFingerprint(const std::string& pem, std::string* fingerprint, std::string* err);

}  // namespace asmplan
