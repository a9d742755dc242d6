#include "compiler/file_reader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace asmplan {

bool DiskFileReader::Read(const std::string& path, std::string* content, std::string* err) {
  if (path == "-") {
    std::ostringstream buf;
    buf << std::cin.rdbuf();
    *content = buf.str();
    return true;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    *err = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = std::strerror(errno);
    return false;
  }
  content->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    *err = "read error";
    return false;
  }
  return true;
}

bool MemoryFileReader::Read(const std::string& path, std::string* content, std::string* err) {
  auto it = files.find(path);
  if (it == files.end()) {
    *err = "No such file or directory";
    return false;
  }
  *content = it->second;
  return true;
}

std::string ResolveRelativeTo(const std::string& from_file, const std::string& relative) {
  std::filesystem::path rel(relative);
  if (rel.is_absolute() || from_file == "-") return rel.lexically_normal().string();
  std::filesystem::path base = std::filesystem::path(from_file).parent_path();
  std::string out = (base / rel).lexically_normal().string();
  return out.empty() ? "." : out;
}

}  // namespace asmplan
