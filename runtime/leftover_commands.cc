#include "runtime/leftover_commands.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/durable_file.h"

namespace asmplan {
namespace {

/// The NUL-separated fields of a /proc file (environ, cmdline).
std::vector<std::string> NulFields(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// The value of `name` in `environ`'s fields, and whether it is there.
bool EnvField(const std::vector<std::string>& environ, const std::string& name,
              std::string* value) {
  for (const std::string& entry : environ) {
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
        entry[name.size()] == '=') {
      *value = entry.substr(name.size() + 1);
      return true;
    }
  }
  return false;
}

/// What /proc/PID/stat says of a process.
struct Stat {
  char state = 0;
  long pgid = 0;
  unsigned long flags = 0;
  unsigned long long start = 0;  ///< clock ticks after boot
};

/// Parses /proc/PID/stat. The command name in parentheses may hold anything, so fields are counted
/// after the last ')'.
bool ReadStat(const std::string& text, Stat* st) {
  size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  // state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
  // cstime priority nice num_threads itrealvalue starttime
  long ppid = 0;
  return std::sscanf(text.c_str() + close + 1,
                     " %c %ld %ld %*d %*d %*d %lu %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d "
                     "%llu",
                     &st->state, &ppid, &st->pgid, &st->flags, &st->start) == 5;
}

/// PF_KTHREAD in /proc/PID/stat's flags: a kernel thread, whose environment is always empty.
constexpr unsigned long kKernelThread = 0x00200000;
/// PF_FORKNOEXEC: a process that was forked and has not called exec yet.
constexpr unsigned long kForkedNoExec = 0x00000040;

/// The file a /proc/PID/exe link names, or "" when it cannot be read. Without the " (deleted)"
/// the kernel appends once the binary was replaced (asmplan upgraded or rebuilt since).
std::string ExeTarget(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return "";
  std::string target(buf, static_cast<size_t>(n));
  const std::string deleted = " (deleted)";
  if (target.size() > deleted.size() &&
      target.compare(target.size() - deleted.size(), deleted.size(), deleted) == 0)
    target.resize(target.size() - deleted.size());
  return target;
}

/// Seconds since boot, from /proc/uptime; -1 when unreadable.
double Uptime(const std::string& proc_root) {
  std::string text, err;
  double up = -1;
  if (ReadWholeFile(proc_root + "/uptime", &text, &err)) std::sscanf(text.c_str(), "%lf", &up);
  return up;
}

}  // namespace

std::string CanonicalDirectory(const std::string& dir) {
  char* real = ::realpath(dir.c_str(), nullptr);
  if (real == nullptr) return AbsolutePath(dir);
  std::string out = real;
  std::free(real);
  return out;
}

ProcessScan FindLeftoverCommands(const std::string& canonical_state_dir,
                                 const std::string& proc_root) {
  ProcessScan scan;
  DIR* d = ::opendir(proc_root.c_str());
  if (d == nullptr) {
    scan.error = "cannot list processes in " + proc_root + ": " + std::strerror(errno);
    return scan;
  }
  double uptime = Uptime(proc_root);
  long ticks = ::sysconf(_SC_CLK_TCK);
  long self = proc_root == "/proc" ? ::getpid() : 0;
  const std::string self_exe = ExeTarget("/proc/self/exe");
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0' || pid == self) continue;
    std::string base = proc_root + "/" + e->d_name, text, err;
    std::string dir_value, step;
    if (!ReadWholeFile(base + "/environ", &text, &err)) continue;
    bool empty = text.empty();
    std::vector<std::string> environ = NulFields(text);
    bool marked = EnvField(environ, kStateDirVariable, &dir_value) &&
                  dir_value == canonical_state_dir && EnvField(environ, kStepVariable, &step);
    // A command between its spawn and its exec (a kill -9 of asmplan can leave it there) still
    // shows the environment of the asmplan that spawned it: asmplan's binary, not exec'd yet.
    bool spawning = !marked && !empty && !self_exe.empty() && ExeTarget(base + "/exe") == self_exe;
    if (!marked && !empty && !spawning) continue;
    Stat st;
    if (!ReadWholeFile(base + "/stat", &text, &err) || !ReadStat(text, &st) || st.state == 'Z' ||
        st.state == 'X')
      continue;
    if (!marked) {
      if (spawning ? (st.flags & kForkedNoExec) != 0 : (st.flags & kKernelThread) == 0)
        ++scan.unsure;
      continue;
    }
    LeftoverCommand c;
    c.pid = pid;
    c.pgid = st.pgid;
    c.step = step;
    if (ReadWholeFile(base + "/comm", &text, &err)) {
      while (!text.empty() && text.back() == '\n') text.pop_back();
      c.program = text;
    }
    if (uptime >= 0 && ticks > 0) {
      double ran = uptime - static_cast<double>(st.start) / static_cast<double>(ticks);
      if (ran >= 0) c.running_ms = static_cast<Millis>(ran * 1000);
    }
    scan.commands.push_back(std::move(c));
  }
  ::closedir(d);
  std::sort(scan.commands.begin(), scan.commands.end(),
            [](const LeftoverCommand& a, const LeftoverCommand& b) { return a.pid < b.pid; });
  return scan;
}

ProcessScan FindCutOffCommands(const std::string& state_dir, const Checkpoint& checkpoint) {
  auto running = [&](const std::string& step) {
    auto it = checkpoint.steps.find(step);
    return it != checkpoint.steps.end() && it->second.state == StepState::kRunning;
  };
  bool any = std::any_of(checkpoint.steps.begin(), checkpoint.steps.end(),
                         [&](const auto& step) { return running(step.first); });
  if (!any) return {};
  ProcessScan scan = FindLeftoverCommands(CanonicalDirectory(state_dir));
  scan.commands.erase(std::remove_if(scan.commands.begin(), scan.commands.end(),
                                     [&](const LeftoverCommand& c) { return !running(c.step); }),
                      scan.commands.end());
  return scan;
}

}  // namespace asmplan
