// The exclusive lock on a state directory: flock() on DIR/lock, whose content names the holder
// ("pid 1234 host build-7\n"). The kernel drops a flock when its holder dies, so a crashed run
// never blocks the next one (the pid it left in the file is "taken over"). A held flock is never
// taken over, whatever the file names: that holder is alive (perhaps an asmplan that has not
// written its pid yet), and two executors on one directory would run steps twice.
#pragma once

#include <memory>
#include <string>

namespace asmplan {

class StateLock {
 public:
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

  /// Takes the lock on `dir` (which must exist). On refusal returns nullptr and sets `err` to
  /// "state directory DIR is locked by pid N on host H (another asmplan is running there)" and
  /// `held_by_other` to true. `note` receives "took over the lock of dead pid N" after a takeover.
  /// A holder that lets go within moments (one starting, whose pid the file does not name yet, or
  /// a process a killed asmplan left holding it, while the file names that dead asmplan) is
  /// waited for, up to `transient_wait_ms`; a live holder named in the file is refused at once.
  static std::unique_ptr<StateLock> Acquire(const std::string& dir, bool* held_by_other,
                                            std::string* note, std::string* err,
                                            int transient_wait_ms = 2000);

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_;
};

/// The pid of the process holding the lock on `dir` (from /proc/locks, without touching the
/// lock: a run starting at that instant is never refused because of a look), 0 when no process
/// holds it, -1 when that cannot be told.
long LockHolder(const std::string& dir);

/// This machine's host name ("unknown" when it cannot be read).
std::string HostName();

/// This boot of the machine's kernel (/proc/sys/kernel/random/boot_id), or "" when unknown.
std::string BootId();

}  // namespace asmplan
