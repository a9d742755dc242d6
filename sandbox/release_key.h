// The sandbox's release signing key: an ECDSA P-256 key derived deterministically from a fixed
// label, so compiled plans that pin its fingerprint stay stable. A rehearsal key, public by
// construction (anyone can derive the private half): never trust it for anything real.
#pragma once

#include <string>

namespace asmplan::sandbox {

/// The label whose SHA-256, read as a big-endian number mod the P-256 order, is the private scalar.
inline constexpr const char kReleaseKeyLabel[] = "asmplan sandbox release key v1";

/// Writes the public half as PEM SubjectPublicKeyInfo (what plans/keys/sandbox-release.pem holds).
bool ReleasePublicKeyPem(std::string* pem, std::string* err);

/// Signs SHA-256(data) with the release key; `signature` gets the DER ECDSA signature, as
/// `openssl dgst -sha256 -verify KEY -signature SIG DATA` expects.
bool SignWithReleaseKey(const std::string& data, std::string* signature, std::string* err);

}  // namespace asmplan::sandbox
