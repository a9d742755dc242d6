#include "runtime/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

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
  // Written over the old text, then cut to length: a reader never sees an empty file.
  return ::pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()) &&
         ::ftruncate(fd, static_cast<off_t>(text.size())) == 0;
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

long LockHolder(const std::string& dir) {
  struct stat st {};
  if (::stat((dir + "/lock").c_str(), &st) != 0) return 0;  // never locked
  std::ifstream locks("/proc/locks");
  if (!locks) return -1;
  // "1: FLOCK  ADVISORY  WRITE 1234 08:01:123456 0 EOF": pid, then MAJOR:MINOR:INODE.
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string id, type, advisory, mode, device;
    long pid = 0;
    if (!(in >> id >> type >> advisory >> mode >> pid >> device) || type != "FLOCK") continue;
    size_t colon = device.rfind(':');
    if (colon != std::string::npos &&
        device.substr(colon + 1) == std::to_string(static_cast<unsigned long>(st.st_ino)))
      return pid > 0 ? pid : -1;  // 0: a holder outside this pid namespace
  }
  return 0;
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "unknown";
  return buf;
}

std::string BootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

StateLock::~StateLock() {
  if (fd_ < 0) return;
  // An empty lock file says a run ended cleanly; a pid left in it says its holder was killed.
  int ignored = ::ftruncate(fd_, 0);  // best effort: the flock is what excludes
  (void)ignored;
  ::close(fd_);  // closing the descriptor releases the flock
}

std::unique_ptr<StateLock> StateLock::Acquire(const std::string& dir, bool* held_by_other,
                                              std::string* note, std::string* err,
                                              int transient_wait_ms) {
  *held_by_other = false;
  std::string path = dir + "/lock";
  int fd = OpenLockFile(path, err);
  if (fd < 0) return nullptr;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(transient_wait_ms);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    // The flock is held, so a live process holds the directory whatever the file says (a dead
    // process's flock is gone with it): never taken over. The file may not name it yet: a winner
    // writes its pid just after its flock. That holder, and a child that an asmplan killed with
    // kill -9 left between its spawn and its exec (it shares the lock's descriptor until its
    // exec closes it; the file names the dead asmplan), let go within moments: waited for.
    Holder h = ReadHolder(fd);
    if ((h.pid <= 0 || IsDeadHere(h)) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    ::close(fd);
    *held_by_other = true;
    if (h.pid <= 0) {
      *err = "state directory " + dir + " is locked by another asmplan that is starting";
    } else if (IsDeadHere(h)) {
      *err = "state directory " + dir + " is locked, though its lock file names pid " +
             std::to_string(h.pid) +
             ", which is not running: another asmplan that is starting, or a process the dead one "
             "left behind, holds it (`fuser " +
             path + "` names it)";
    } else {
      *err = "state directory " + dir + " is locked by pid " + std::to_string(h.pid) + " on host " +
             (h.host.empty() ? "unknown" : h.host) + " (another asmplan is running there)";
    }
    return nullptr;
  }
  // A pid left in the file by a holder that was killed: its flock died with it.
  Holder h = ReadHolder(fd);
  if (IsDeadHere(h)) *note = "took over the lock of dead pid " + std::to_string(h.pid);
  if (!WriteHolder(fd)) {
    *err = "cannot write lock file " + path + ": " + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<StateLock>(new StateLock(fd));
}

}  // namespace asmplan
