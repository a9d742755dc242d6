// SHA-256 digests in lower-case hex, for plan hashes and source file digests.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace asmplan {

/// Incremental SHA-256 (OpenSSL). Feed bytes with Update, then read HexDigest once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  /// Adds `bytes` to the digest.
  void Update(std::string_view bytes);
  /// The digest of everything added so far as 64 lower-case hex digits; ends the computation.
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

/// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

/// Lower-case hex of `len` bytes.
std::string HexOf(const unsigned char* data, size_t len);

/// True when `text` is exactly 64 lower-case hex digits.
bool IsSha256Hex(std::string_view text);

}  // namespace asmplan
