#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

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

// `status` tells a live run from a killed one by who holds the lock, without taking it.
TEST(StateLockTest, LockHolderNamesTheLiveHolderOnly) {
  TempDir dir;
  EXPECT_EQ(LockHolder(dir.path()), 0);  // never locked
  bool other = false;
  std::string note, err;
  auto lock = StateLock::Acquire(dir.path(), &other, &note, &err);
  ASSERT_TRUE(lock) << err;
  EXPECT_EQ(LockHolder(dir.path()), ::getpid());
  lock.reset();
  EXPECT_EQ(LockHolder(dir.path()), 0);  // the file stays, naming this pid; nobody holds it
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

// Takes the flock of DIR/lock on a descriptor of its own and writes `pid` in it, as a holder would;
// -1 on failure.
int HoldLockNaming(const TempDir& dir, pid_t pid) {
  int fd = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  std::string text = "pid " + std::to_string(pid) + " host " + HostName() + "\n";
  if (fd >= 0 && (::flock(fd, LOCK_EX | LOCK_NB) != 0 ||
                  ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A flock held while the file names a dead pid (a second asmplan between its flock and writing
// its pid, or a process the dead one left behind) is never taken over: two executors on one
// state directory would run steps twice.
TEST(StateLockTest, AHeldLockIsNeverTakenOverWhateverTheFileSays) {
  TempDir dir;
  std::string err, note;
  pid_t dead = DeadPid();
  int fd = HoldLockNaming(dir, dead);
  ASSERT_GE(fd, 0);
  bool other = false;
  EXPECT_FALSE(StateLock::Acquire(dir.path(), &other, &note, &err, /*transient_wait_ms=*/0));
  EXPECT_TRUE(other);
  EXPECT_EQ(err, "state directory " + dir.path() + " is locked, though its lock file names pid " +
                     std::to_string(dead) + ", which is not running: another asmplan that is " +
                     "starting, or a process the dead one left behind, holds it (`fuser " +
                     dir.path() + "/lock` names it)");
  // Held with no pid written yet: another asmplan is starting.
  ASSERT_EQ(::ftruncate(fd, 0), 0);
  EXPECT_FALSE(StateLock::Acquire(dir.path(), &other, &note, &err, /*transient_wait_ms=*/0));
  EXPECT_EQ(err,
            "state directory " + dir.path() + " is locked by another asmplan that is starting");
  // Held for a live pid on another host.
  std::string text = "pid " + std::to_string(dead) + " host elsewhere\n";
  ASSERT_EQ(::pwrite(fd, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
  EXPECT_FALSE(StateLock::Acquire(dir.path(), &other, &note, &err));
  EXPECT_EQ(err, "state directory " + dir.path() + " is locked by pid " + std::to_string(dead) +
                     " on host elsewhere (another asmplan is running there)");
  // Released: the dead pid's leftover is taken over.
  ::close(fd);
  ASSERT_TRUE(WriteFileAtomic(dir / "lock",
                              "pid " + std::to_string(dead) + " host " + HostName() + "\n", &err));
  auto lock = StateLock::Acquire(dir.path(), &other, &note, &err);
  EXPECT_TRUE(lock) << err;
  EXPECT_EQ(note, "took over the lock of dead pid " + std::to_string(dead));
}

// A kill -9 of asmplan can leave a child between its spawn and its exec, holding the lock's
// descriptor for a moment while the file names the dead asmplan: the next resume waits for it to
// let go instead of refusing (the crash test met this as a spurious exit 4). A live holder named
// in the file is refused at once, without that wait.
TEST(StateLockTest, AHolderThatLetsGoWithinMomentsIsWaitedFor) {
  TempDir dir;
  std::string err, note;
  pid_t dead = DeadPid();
  int fd = HoldLockNaming(dir, dead);
  ASSERT_GE(fd, 0);
  std::thread lets_go([fd] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ::close(fd);
  });
  bool other = false;
  auto lock = StateLock::Acquire(dir.path(), &other, &note, &err);
  lets_go.join();
  EXPECT_TRUE(lock) << err;
  EXPECT_FALSE(other);
  EXPECT_EQ(note, "took over the lock of dead pid " + std::to_string(dead));
  // Held by a live process named in the file (this one): refused without waiting.
  lock.reset();
  auto first = StateLock::Acquire(dir.path(), &other, &note, &err);
  ASSERT_TRUE(first) << err;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(StateLock::Acquire(dir.path(), &other, &note, &err));
  EXPECT_TRUE(other);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

// Two executors starting at once on a directory whose lock file names a dead pid (as a kill -9
// leaves it): never both get it.
TEST(StateLockTest, TwoStartingAtOnceNeverBothGetIt) {
  TempDir dir;
  pid_t dead = DeadPid();
  int both = 0;
  for (int round = 0; round < 200; ++round) {
    std::string err;
    ASSERT_TRUE(WriteFileAtomic(
        dir / "lock", "pid " + std::to_string(dead) + " host " + HostName() + "\n", &err));
    std::unique_ptr<StateLock> locks[2];
    std::atomic<int> ready{0};
    auto take = [&](int k) {
      ++ready;
      while (ready.load() < 2) {
      }
      bool other = false;
      std::string note, why;
      locks[k] = StateLock::Acquire(dir.path(), &other, &note, &why);
    };
    std::thread a(take, 0), b(take, 1);
    a.join();
    b.join();
    if (locks[0] && locks[1]) ++both;
  }
  EXPECT_EQ(both, 0);
}

}  // namespace
}  // namespace asmplan
