#include "runtime/artifact/file_digest.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "compiler/sha256.h"

namespace asmplan {

bool Sha256OfFile(const std::string& path, std::string* hex, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  Sha256 sha;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) sha.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) {
    *err = "error reading " + path;
    return false;
  }
  *hex = sha.HexDigest();
  return true;
}

}  // namespace asmplan
