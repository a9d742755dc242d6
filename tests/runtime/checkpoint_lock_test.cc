#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/durable_file.h"
#include "runtime/state_lock.h"
#include "tests/support/temp_dir.h"

namespace asmplan {
namespace {

pid_t DeadPid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(StateLockTest, SecondHolderIsRefusedWithPidAndHost) {
  TempDir dir;
  bool other = false;
  std::string note, err;
  auto first = StateLock::Acquire(dir.path(), &other, &note, &err);
  ASSERT_TRUE(first) << err;
  EXPECT_EQ(note, "");
  auto second = StateLock::Acquire(dir.path(), &other, &note, &err);
  EXPECT_FALSE(second);
  EXPECT_TRUE(other);
  EXPECT_EQ(err, "state directory " + dir.path() + " is locked by pid " +
                     std::to_string(::getpid()) + " on host " + HostName() +
                     " (another asmplan is running there)");
  first.reset();
  EXPECT_TRUE(StateLock::Acquire(dir.path(), &other, &note, &err)) << err;
}

TEST(StateLockTest, StaleFileOfDeadPidIsTakenOver) {
  TempDir dir;
  std::string err, note;
  pid_t dead = DeadPid();
  ASSERT_TRUE(WriteFileAtomic(dir / "lock",
                              "pid " + std::to_string(dead) + " host " + HostName() + "\n", &err));
  bool other = false;
  auto lock = StateLock::Acquire(dir.path(), &other, &note, &err);
  ASSERT_TRUE(lock) << err;
  EXPECT_EQ(note, "took over the lock of dead pid " + std::to_string(dead));
  std::string content;
  ASSERT_TRUE(ReadWholeFile(dir / "lock", &content, &err));
  EXPECT_EQ(content, "pid " + std::to_string(::getpid()) + " host " + HostName() + "\n");
}

TEST(StateLockTest, LockHeldForADeadPidIsTakenOver) {
  // A descriptor inherited by an orphan keeps the flock although the named holder is dead.
  TempDir dir;
  std::string err, note;
  pid_t dead = DeadPid();
  int fd = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  std::string text = "pid " + std::to_string(dead) + " host " + HostName() + "\n";
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  bool other = false;
  auto lock = StateLock::Acquire(dir.path(), &other, &note, &err);
  EXPECT_TRUE(lock) << err;
  EXPECT_EQ(note, "took over the lock of dead pid " + std::to_string(dead));
  // A lock held for a live pid on another host is never taken over.
  lock.reset();
  ::close(fd);
  fd = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  text = "pid " + std::to_string(dead) + " host elsewhere\n";
  ASSERT_EQ(::pwrite(fd, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
  EXPECT_FALSE(StateLock::Acquire(dir.path(), &other, &note, &err));
  EXPECT_EQ(err, "state directory " + dir.path() + " is locked by pid " + std::to_string(dead) +
                     " on host elsewhere (another asmplan is running there)");
  ::close(fd);
}

}  // namespace
}  // namespace asmplan
