// The floor under any executor that runs N `true` commands with a durable checkpoint: the bare
// cost of one spawn of `true` (posix_spawn + wait, nothing else), of one durable append (a
// 100-byte write + fdatasync in DIR), of both per step one after the other (as `-j1` must; an
// fdatasync right after a process ran takes longer than one of a series), and of both per step
// with two steps running at once (two threads, each appending durably and then spawning, as `-j2`
// must). bench_executor.sh prints
// these beside asmplan and ninja, so what is asmplan's own overhead and what is the machine's
// shows. Usage: bench_floor N DIR
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

extern char** environ;

namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_floor N DIR\n");
    return 2;
  }
  int n = std::atoi(argv[1]);
  std::string dir = argv[2];
  if (n <= 0) {
    std::fprintf(stderr, "bench_floor: N must be a positive number\n");
    return 2;
  }
  char prog[] = "true";
  char* args[] = {prog, nullptr};
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    pid_t pid;
    if (int rc = posix_spawnp(&pid, prog, nullptr, nullptr, args, environ); rc != 0) {
      std::fprintf(stderr, "bench_floor: cannot spawn true: %s\n", std::strerror(rc));
      return 1;
    }
    int status;
    waitpid(pid, &status, 0);
  }
  double spawn_ms = MsSince(start) / n;

  std::string path = dir + "/bench-floor-journal";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(("bench_floor: " + path).c_str());
    return 1;
  }
  std::string record(100, 'x');
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    if (write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()) ||
        fdatasync(fd) != 0) {
      std::perror("bench_floor: append");
      return 1;
    }
  }
  double sync_ms = MsSince(start) / n;

  start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    pid_t pid;
    int status;
    if (write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()) ||
        fdatasync(fd) != 0) {
      std::perror("bench_floor: one after the other: append");
      return 1;
    }
    if (int rc = posix_spawnp(&pid, prog, nullptr, nullptr, args, environ); rc != 0) {
      std::fprintf(stderr, "bench_floor: cannot spawn true: %s\n", std::strerror(rc));
      return 1;
    }
    waitpid(pid, &status, 0);
  }
  double serial_ms = MsSince(start) / n;

  std::atomic<bool> failed{false};
  auto steps = [&](int count) {
    for (int i = 0; i < count; ++i) {
      pid_t pid;
      int status;
      if (write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()) ||
          fdatasync(fd) != 0 || posix_spawnp(&pid, prog, nullptr, nullptr, args, environ) != 0) {
        failed = true;
        return;
      }
      waitpid(pid, &status, 0);
    }
  };
  start = std::chrono::steady_clock::now();
  std::thread other(steps, n / 2);
  steps(n - n / 2);
  other.join();
  double pair_ms = MsSince(start) / n;
  close(fd);
  unlink(path.c_str());
  if (failed) {
    std::fprintf(stderr, "bench_floor: two at once: an append or a spawn failed\n");
    return 1;
  }
  std::printf(
      "spawn of `true` %.3f ms, durable append %.3f ms, both with two running at once %.3f ms "
      "per step, both one after the other %.3f ms\n",
      spawn_ms, sync_ms, pair_ms, serial_ms);
  return 0;
}
