// For the executor's process tests: start `asmplan` in a session of its own, signal it, wait
// for it and for every process it left behind in that session.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "compiler/compiled_plan_io.h"
#include "runtime/durable_file.h"

namespace asmplan::testing {

/// A running `asmplan` (setsid: its session id is its pid), output to files in `scratch`, or its
/// stdout to `stdout_fd` when that is given.
class AsmplanProcess {
 public:
  /// `nofile`: the limit on open files it starts with (soft, hard), when not {0, 0}.
  /// `stdin_fd`: its standard input (default /dev/null).
  AsmplanProcess(const std::vector<std::string>& args, const std::string& scratch,
                 int stdout_fd = -1, rlimit nofile = {0, 0}, int stdin_fd = -1) {
    std::vector<std::string> argv = {std::string(ASMPLAN_BIN_DIR) + "/asmplan"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> ptrs;
    for (std::string& a : argv) ptrs.push_back(&a[0]);
    ptrs.push_back(nullptr);
    std::string out = scratch + "/asmplan.out";
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setsid();
      if (nofile.rlim_max > 0 && ::setrlimit(RLIMIT_NOFILE, &nofile) != 0) ::_exit(126);
      ::dup2(stdin_fd >= 0 ? stdin_fd : in_fd, 0);
      ::dup2(stdout_fd >= 0 ? stdout_fd : out_fd, 1);
      ::dup2(out_fd, 2);
      ::execv(ptrs[0], ptrs.data());
      ::_exit(127);
    }
    ::close(out_fd);
    ::close(in_fd);
  }

  pid_t pid() const { return pid_; }
  void Signal(int sig) { ::kill(pid_, sig); }

  /// Waits for it to end; returns the exit code, or 128 + signal.
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  /// Waits until no process of its session is left (commands orphaned by a SIGKILL), at most
  /// `limit_ms`. True when none is left.
  bool WaitForSessionToEmpty(int limit_ms) {
    for (int waited = 0; waited < limit_ms; waited += 5) {
      if (SessionProcesses().empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return SessionProcesses().empty();
  }

  /// The live processes of its session (itself too, until waited for), in /proc order.
  std::vector<long> SessionProcesses() const {
    std::vector<long> found;
    DIR* d = ::opendir("/proc");
    while (dirent* e = d ? ::readdir(d) : nullptr) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
      std::string line;
      std::getline(in, line);
      // Fields after the command (which may hold spaces): state ppid pgrp session ...
      size_t close = line.rfind(')');
      if (close == std::string::npos) continue;
      char state = 0;
      long ppid = 0, pgrp = 0, session = 0;
      long pid = std::atol(e->d_name);
      if (std::sscanf(line.c_str() + close + 1, " %c %ld %ld %ld", &state, &ppid, &pgrp,
                      &session) == 4 &&
          session == pid_ && state != 'Z') {
        found.push_back(pid);
      }
    }
    if (d) ::closedir(d);
    return found;
  }

 private:
  pid_t pid_ = -1;
};

/// Writes `plan` compiled to `path`.
inline bool WritePlanFile(Plan plan, const std::string& path) {
  std::string err;
  return WriteFileAtomic(path, WriteCompiledPlan(&plan), &err);
}

}  // namespace asmplan::testing
