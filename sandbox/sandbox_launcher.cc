#include "sandbox/sandbox_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

namespace asmplan::sandbox {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr char kJsonFile[] = "sandbox.json";
constexpr char kPidFile[] = "sandbox.pid";
constexpr char kLogFile[] = "sandbox.log";
constexpr char kSandboxName[] = "asmplan-sandbox";
constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr size_t kLogTailLines = 20;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string PathIn(const std::string& dir, const char* name) { return dir + "/" + name; }

/// Whether `pid` is a live (not zombie) process whose argv[0] names asmplan-sandbox.
bool IsLiveSandbox(long pid) {
  if (pid <= 0) return false;
  const std::string proc = "/proc/" + std::to_string(pid);
  std::string stat = ReadText(proc + "/stat");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
  char state = stat[paren + 2];
  if (state == 'Z' || state == 'X') return false;
  std::string cmdline = ReadText(proc + "/cmdline");
  std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
  return fs::path(argv0).filename() == kSandboxName;
}

/// The last lines of DIR/sandbox.log, indented, for error messages.
std::string LogTail(const std::string& state_dir) {
  std::istringstream log(ReadText(PathIn(state_dir, kLogFile)));
  std::vector<std::string> lines;
  for (std::string line; std::getline(log, line);) lines.push_back(line);
  if (lines.empty()) return "  (" + PathIn(state_dir, kLogFile) + " is empty)\n";
  size_t first = lines.size() > kLogTailLines ? lines.size() - kLogTailLines : 0;
  std::string tail;
  for (size_t i = first; i < lines.size(); ++i) tail += "  " + lines[i] + "\n";
  return tail;
}

/// Closes every descriptor above stderr, so the sandbox holds none of its parent's pipes.
void CloseInheritedDescriptors() {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
  long max_fd = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max_fd > 0 ? max_fd : 1024); ++fd) close(static_cast<int>(fd));
}

/// Forks and execs the sandbox in a new session; returns its pid, or -1 with `err`.
pid_t SpawnDetached(const LaunchOptions& o, std::string* err) {
  std::vector<std::string> argv = {o.sandbox_exe,         "--scenario", o.scenario,
                                   "--state-dir",         o.state_dir,  "--port",
                                   std::to_string(o.port)};
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(&a[0]);
  args.push_back(nullptr);
  const std::string log_path = PathIn(o.state_dir, kLogFile);
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    *err = "cannot open " + log_path + ": " + std::strerror(errno);
    if (log_fd >= 0) close(log_fd);
    if (null_fd >= 0) close(null_fd);
    return -1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    // The child: its own session, so the terminal's Ctrl-C and hangup do not reach it.
    setsid();
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    CloseInheritedDescriptors();
    execv(args[0], args.data());
    const std::string msg = "cannot run " + argv[0] + ": " + std::strerror(errno) + "\n";
    ssize_t ignored = write(2, msg.data(), msg.size());
    (void)ignored;
    _exit(127);
  }
  if (pid < 0) *err = std::string("cannot fork: ") + std::strerror(errno);
  close(log_fd);
  close(null_fd);
  return pid;
}

/// Waits up to `seconds` for the process behind `pidfd` to end; true once it has.
bool WaitForPidfd(int pidfd, double seconds) {
  const auto deadline = SteadyClock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    pollfd p = {pidfd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

/// Stops our own child that never got ready: SIGTERM, SIGKILL after 5 s. Not reaped yet, its pid
/// cannot be another process's, so waitpid() is polled (no pidfd needed).
void StopChild(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (SteadyClock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void RemoveStateFiles(const std::string& state_dir) {
  std::error_code ec;
  fs::remove(PathIn(state_dir, kJsonFile), ec);
  fs::remove(PathIn(state_dir, kPidFile), ec);
}

/// Polls until the child writes sandbox.json naming itself, exits, or the time is up.
LaunchOutcome WaitUntilReady(const LaunchOptions& o, pid_t pid) {
  LaunchOutcome out;
  const auto deadline = SteadyClock::now() + std::chrono::duration<double>(o.ready_timeout_s);
  while (true) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      out.kind = LaunchOutcome::Kind::kChildExited;
      out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      out.message = "the sandbox exited with code " + std::to_string(out.exit_code) +
                    " before it was ready; the end of its log:\n" + LogTail(o.state_dir);
      RemoveStateFiles(o.state_dir);
      return out;
    }
    std::string ignored;
    if (ReadSandboxJson(o.state_dir, &out.sandbox, &ignored) && out.sandbox.pid == pid) {
      out.kind = LaunchOutcome::Kind::kStarted;
      return out;
    }
    if (SteadyClock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  StopChild(pid);
  RemoveStateFiles(o.state_dir);
  std::ostringstream waited;  // 60 as "60", 0.5 as "0.5"
  waited << o.ready_timeout_s;
  out.message = "the sandbox was not ready after " + waited.str() +
                "s and was stopped; the end of its log:\n" + LogTail(o.state_dir);
  return out;
}

}  // namespace

bool ReadSandboxJson(const std::string& state_dir, LaunchedSandbox* sandbox, std::string* err) {
  const std::string path = PathIn(state_dir, kJsonFile);
  std::ifstream in(path);
  if (!in) return (*err = "cannot read " + path, false);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("pid") || !j["pid"].is_number_integer()) {
    *err = path + ": not a sandbox.json (no integer pid)";
    return false;
  }
  sandbox->pid = j["pid"].get<long>();
  sandbox->user_server = j.value("user_server", "");
  sandbox->admin_server = j.value("admin_server", "");
  sandbox->release_base = j.value("release_base", "");
  sandbox->kubeconfig = j.value("kubeconfig", "");
  sandbox->bin_dir = j.value("bin_dir", "");
  return true;
}

long RunningSandboxPid(const std::string& state_dir) {
  LaunchedSandbox sandbox;
  std::string ignored;
  if (ReadSandboxJson(state_dir, &sandbox, &ignored) && IsLiveSandbox(sandbox.pid)) {
    return sandbox.pid;
  }
  long pid = std::atol(ReadText(PathIn(state_dir, kPidFile)).c_str());
  return IsLiveSandbox(pid) ? pid : 0;
}

LaunchOutcome LaunchSandbox(const LaunchOptions& options) {
  LaunchOutcome out;
  std::error_code ec;
  fs::create_directories(options.state_dir, ec);
  if (ec) {
    out.message = "cannot create the state directory " + options.state_dir + ": " + ec.message();
    return out;
  }
  if (long pid = RunningSandboxPid(options.state_dir)) {
    out.kind = LaunchOutcome::Kind::kAlreadyRunning;
    out.sandbox.pid = pid;
    out.message = "a sandbox from " + options.state_dir + " is already running (pid " +
                  std::to_string(pid) + ")";
    return out;
  }
  RemoveStateFiles(options.state_dir);  // left by one that died without `down`
  pid_t pid = SpawnDetached(options, &out.message);
  if (pid < 0) return out;
  std::ofstream(PathIn(options.state_dir, kPidFile)) << pid << "\n";
  return WaitUntilReady(options, pid);
}

bool StopSandbox(const std::string& state_dir, double grace_s, StopOutcome* outcome,
                 std::string* err) {
  *outcome = StopOutcome();
  outcome->pid = RunningSandboxPid(state_dir);
  if (outcome->pid != 0) {
    // A pidfd names this process and no other: a signal never reaches one that took its pid
    // over, and it reads ready once the process has ended (not while it is still on its way out).
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(outcome->pid), 0));
    if (pidfd < 0 && errno != ESRCH) {
      *err = "cannot watch the sandbox (pid " + std::to_string(outcome->pid) +
             "): pidfd_open: " + std::strerror(errno);
      return false;
    }
    auto signal = [pidfd](int sig) { syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0); };
    if (pidfd >= 0) {
      signal(SIGTERM);
      if (!WaitForPidfd(pidfd, grace_s)) {
        outcome->killed = true;
        signal(SIGKILL);
        if (!WaitForPidfd(pidfd, 5)) {
          ::close(pidfd);
          *err = "the sandbox (pid " + std::to_string(outcome->pid) + ") survived SIGKILL";
          return false;
        }
      }
      ::close(pidfd);
    }
  }
  RemoveStateFiles(state_dir);
  return true;
}

}  // namespace asmplan::sandbox
