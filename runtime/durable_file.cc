#include "runtime/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace asmplan {
namespace {

std::string Reason() { return std::strerror(errno); }

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool ReadWholeFile(const std::string& path, std::string* out, std::string* err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = "cannot read " + path + ": " + Reason();
    return false;
  }
  out->clear();
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out->reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = "cannot read " + path + ": " + Reason();
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

bool SyncDirectory(const std::string& dir, std::string* err) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    *err = "cannot sync directory " + dir + ": " + Reason();
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

bool WriteFileAtomic(const std::string& path, const std::string& content, std::string* err) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  // A file replaced keeps its permissions (a 0600 file must not become readable by all, not even
  // as the temporary file): created with them, then set exactly (the umask may have cut some).
  struct stat old {};
  const bool replacing = ::stat(path.c_str(), &old) == 0;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  replacing ? old.st_mode & 0777 : 0644);
  if (fd < 0) {
    *err = "cannot write " + path + ": " + Reason();
    return false;
  }
  bool ok = (!replacing || ::fchmod(fd, old.st_mode & 07777) == 0) && WriteAll(fd, content) &&
            ::fsync(fd) == 0;
  std::string reason = Reason();
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    *err = "cannot write " + path + ": " + (ok ? Reason() : reason);
    ::unlink(tmp.c_str());
    return false;
  }
  return SyncDirectory(DirName(path), err);
}

bool MakeDirectories(const std::string& dir, std::string* err) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return true;
    *err = "cannot create directory " + dir + ": a file of that name exists";
    return false;
  }
  std::string parent = DirName(dir);
  if (parent != dir && !MakeDirectories(parent, err)) return false;
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) return true;
    *err = "cannot create directory " + dir + ": " + Reason();
    return false;
  }
  // Its entry in the parent is made durable too, so a power loss cannot take a state directory
  // whose journal was synced. Best effort: a parent we may write but not read cannot be opened
  // to sync, and a disk that fails here fails the journal's own syncs next.
  std::string ignored;
  SyncDirectory(parent, &ignored);
  return true;
}

std::string AbsolutePath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char* here = ::getcwd(nullptr, 0);
  if (here == nullptr) return path;
  std::string out = std::string(here) + (path == "." ? "" : "/" + path);
  std::free(here);
  return out;
}

bool EndsMidLine(const std::string& path, int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return false;
  int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  char last = '\n';
  bool read = in >= 0 && ::pread(in, &last, 1, st.st_size - 1) == 1;
  if (in >= 0) ::close(in);
  return read && last != '\n';
}

}  // namespace asmplan
