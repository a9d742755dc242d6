#include "compiler/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace asmplan {

namespace {

/// No source, key or values file is this large: a larger one is a mistake (a log, an image).
constexpr size_t kMaxSourceBytes = 256u << 20;

/// Reads `fd` to its end, at most kMaxSourceBytes.
bool ReadAll(int fd, std::string* content, std::string* err) {
  content->clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = std::strerror(errno);
      return false;
    }
    if (n == 0) return true;
    if (content->size() + static_cast<size_t>(n) > kMaxSourceBytes) {
      *err = "larger than " + std::to_string(kMaxSourceBytes >> 20) + " MiB";
      return false;
    }
    content->append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

bool DiskFileReader::Read(const std::string& path, std::string* content, std::string* err) {
  if (path == "-") return ReadAll(0, content, err);
  // O_NONBLOCK: opening a FIFO must not wait for a writer; only regular files are read.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *err = std::strerror(errno);
    return false;
  }
  struct stat st;
  bool ok = false;
  if (::fstat(fd, &st) != 0) {
    *err = std::strerror(errno);
  } else if (S_ISDIR(st.st_mode)) {
    *err = "is a directory";
  } else if (!S_ISREG(st.st_mode)) {
    *err = "not a regular file (a device, pipe or socket)";
  } else {
    ok = ReadAll(fd, content, err);
  }
  ::close(fd);
  return ok;
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
