// SHA-256 digests of source files (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace asmplan {

/// Lower-case hex SHA-256 of `data`.
std::string DigestSha256Hex(std::string_view data);

}  // namespace asmplan
