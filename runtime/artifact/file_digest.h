// SHA-256 of files, as lower-case hex (byte strings: compiler/sha256.h).
#pragma once

#include <string>

namespace asmplan {

/// Hex SHA-256 of the file at `path`, read in chunks. False with a message naming the file when it
/// cannot be read.
bool Sha256OfFile(const std::string& path, std::string* hex, std::string* err);

}  // namespace asmplan
