#include "runtime/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

namespace asmplan {
namespace {

struct Holder {
  long pid = 0;
  std::string host;
};

Holder ReadHolder(int fd) {
  char buf[512] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  Holder h;
  if (n <= 0) return h;
  std::istringstream in(std::string(buf, static_cast<size_t>(n)));
  std::string word;
  while (in >> word) {
    if (word == "pid") in >> h.pid;
    if (word == "host") in >> h.host;
  }
  return h;
}

bool WriteHolder(int fd) {
  std::string text = "pid " + std::to_string(::getpid()) + " host " + HostName() + "\n";
  return ::ftruncate(fd, 0) == 0 &&
         ::pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size());
}

bool IsDeadHere(const Holder& h) {
  return h.pid > 0 && h.host == HostName() && ::kill(static_cast<pid_t>(h.pid), 0) != 0 &&
         errno == ESRCH;
}

int OpenLockFile(const std::string& path, std::string* err) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) *err = "cannot open lock file " + path + ": " + std::strerror(errno);
  return fd;
}

}  // namespace

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "unknown";
  return buf;
}

StateLock::~StateLock() {
  if (fd_ < 0) return;
  // An empty lock file says a run ended cleanly; a pid left in it says its holder was killed.
  int ignored = ::ftruncate(fd_, 0);  // best effort: the flock is what excludes
  (void)ignored;
  ::close(fd_);  // closing the descriptor releases the flock
}

std::unique_ptr<StateLock> StateLock::Acquire(const std::string& dir, bool* held_by_other,
                                              std::string* note, std::string* err) {
  *held_by_other = false;
  std::string path = dir + "/lock";
  int fd = OpenLockFile(path, err);
  if (fd < 0) return nullptr;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    Holder h = ReadHolder(fd);
    ::close(fd);
    if (!IsDeadHere(h)) {
      *held_by_other = true;
      *err = "state directory " + dir + " is locked by pid " + std::to_string(h.pid) + " on host " +
             (h.host.empty() ? "unknown" : h.host) + " (another asmplan is running there)";
      return nullptr;
    }
    // The holder died but something inherited its descriptor: replace the file, lock the new one.
    ::unlink(path.c_str());
    fd = OpenLockFile(path, err);
    if (fd < 0) return nullptr;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      *held_by_other = true;
      *err = "state directory " + dir + " was taken by another asmplan while starting";
      return nullptr;
    }
    *note = "took over the lock of dead pid " + std::to_string(h.pid);
  } else {
    Holder h = ReadHolder(fd);
    if (IsDeadHere(h)) *note = "took over the lock of dead pid " + std::to_string(h.pid);
  }
  if (!WriteHolder(fd)) {
    *err = "cannot write lock file " + path + ": " + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<StateLock>(new StateLock(fd));
}

}  // namespace asmplan
