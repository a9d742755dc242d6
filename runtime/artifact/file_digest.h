// SHA-256 of files and byte strings, as lower-case hex.
#pragma once

#include <string>

namespace asmplan {

/// Lower-case hex of `len` bytes.
std::string HexOf(const unsigned char* data, size_t len);


/// Hex SHA-256 of the file at `path`, read in chunks. False with a message naming the file when it
/// cannot be read.
bool Sha256OfFile(const std::string& path, std::string* hex, std::string* err);

}  // namespace asmplan
