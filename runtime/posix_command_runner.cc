// The real CommandRunner. Each command is started with posix_spawn (glibc spawns with
// CLONE_VFORK, so a large parent is never copied, and /bin/sh is never involved) as the leader of
// its own process group. The parent waits on a pidfd and the output pipe with poll(), so waiting
// costs no CPU and a timeout is exact. The child is reaped only after the runner is done
// signalling its group: a zombie leader keeps the group id reserved, so kill(-pgid) can never hit
// a recycled pid. Output always goes through the pipe, so a log file is created only when there
// is something to log (or a background process of the command still holds the pipe): creating a
// file costs up to 1 ms on an ext4 that recently deleted many.
#include "runtime/posix_command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "compiler/duration_text.h"
#include "compiler/plan_model.h"
#include "runtime/durable_file.h"

extern char** environ;

namespace asmplan {
namespace {

/// Captured output beyond this is dropped (and counted), so a chatty command cannot exhaust memory.
// A `kubectl get pods -A -o json` of 20,000 pods is about 90 MB: the cap leaves room for 5x that.
constexpr size_t kMaxCapturedBytes = size_t{512} << 20;
/// Of stderr kept apart (CommandSpec::stderr_apart) only the last this many bytes are kept: its
/// end says why a command failed.
constexpr size_t kMaxErrorBytes = size_t{1} << 20;
/// How much of the end of a command's output CommandResult::output_tail keeps.
constexpr size_t kTailBytes = 4096;
/// Between SIGTERM and SIGKILL when a command times out.
constexpr Millis kKillGraceMs = 2000;
/// At most this much output is read per wake-up before the wait loop looks at its deadline again.
constexpr size_t kDrainBudget = size_t{1} << 20;
/// Only when pidfd_open is unavailable (very old kernels): how often to check for the exit.
constexpr int kFallbackPollMs = 20;

Millis SteadyNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

/// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// The inherited environment with `overrides` applied, as "NAME=value" strings. Secrets
/// (ASMPLAN_SECRET_*) are not inherited: a secret reaches a command only in the argv its plan
/// puts it in, not in the environment of every kubectl and of whatever that starts.
std::vector<std::string> BuildEnvironment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (overrides.count(name) == 0 && name.rfind(kSecretVariablePrefix, 0) != 0)
      env.push_back(std::move(entry));
  }
  for (const auto& [name, value] : overrides) env.push_back(name + "=" + value);
  return env;
}

std::string EnvValue(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& entry : env) {
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
        entry[name.size()] == '=')
      return entry.substr(name.size() + 1);
  }
  return "";
}

/// Finds `program` on `path_var` the way execvp in the child would: on the CHILD's PATH
/// (posix_spawnp would search the parent's), a relative entry (or an empty one, ".") relative to
/// the child's working directory `cwd` ("" = ours). Names containing '/' are used as they are.
bool ResolveProgram(const std::string& program, const std::string& path_var, const std::string& cwd,
                    std::string* resolved, std::string* err) {
  if (program.find('/') != std::string::npos) {
    *resolved = program;
    return true;
  }
  std::string path = path_var.empty() ? "/usr/local/bin:/usr/bin:/bin" : path_var;
  bool not_executable = false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    if (dir[0] != '/' && !cwd.empty()) dir = cwd + "/" + dir;
    // Absolute: the child looks a relative program up again after changing into `cwd`.
    std::string candidate = AbsolutePath(dir) + "/" + program;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (access(candidate.c_str(), X_OK) == 0) {
        *resolved = candidate;
        return true;
      }
      not_executable = true;
    }
    start = end + 1;
  }
  *err =
      program + (not_executable ? ": found on PATH but not executable" : ": no such file on PATH");
  return false;
}

std::string SpawnErrorText(const std::string& program, int error) {
  if (error == ENOENT) return program + ": no such file or directory";
  if (error == EACCES) return program + ": permission denied";
  return program + ": cannot start: " + std::strerror(error);
}

/// NULL-terminated pointer arrays over strings that outlive them.
std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// Adds to `actions` (initialized): stdin from /dev/null, stdout to `out_fd` and stderr to
/// `err_fd`, no other inherited descriptors, its own working directory.
bool InitFileActions(posix_spawn_file_actions_t* actions, int out_fd, int err_fd, int reader_fd,
                     const std::string& cwd) {
  // The command holds a reader of its own output pipe too, as fd 3, and never reads it: killed
  // (kill -9, the OOM killer), asmplan leaves the pipe with a reader, so the command's next line
  // does not kill it with SIGPIPE halfway through its work; it runs on (for up to a pipe's buffer
  // of output) as resume expects of a command a killed run left running.
  return posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0) == 0 &&
         posix_spawn_file_actions_adddup2(actions, out_fd, 1) == 0 &&
         posix_spawn_file_actions_adddup2(actions, err_fd, 2) == 0 &&
         posix_spawn_file_actions_adddup2(actions, reader_fd, 3) == 0 &&
         posix_spawn_file_actions_addclosefrom_np(actions, 4) == 0 &&
         (cwd.empty() || posix_spawn_file_actions_addchdir_np(actions, cwd.c_str()) == 0);
}

/// Sets on `attr` (initialized): a new process group led by the child, an empty signal mask, and
/// default dispositions for every signal (the parent may ignore SIGPIPE or SIGINT; the command must
/// not inherit that).
bool InitAttributes(posix_spawnattr_t* attr) {
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  return posix_spawnattr_setflags(
             attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) == 0 &&
         posix_spawnattr_setpgroup(attr, 0) == 0 && posix_spawnattr_setsigmask(attr, &none) == 0 &&
         posix_spawnattr_setsigdefault(attr, &all) == 0;
}

/// The child's output always goes to a pipe, whose read end lands in `*capture`: into the log file
/// (opened at the first byte, so a silent command creates no file) or into the result.
bool OpenOutput(Fd* child_out, Fd* capture, std::string* err) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *err = std::string("cannot create a pipe: ") + strerror(errno);
    return false;
  }
  capture->Reset(fds[0]);
  child_out->Reset(fds[1]);
  // Only the parent's end is non-blocking; the child writes normally.
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return true;
}

/// Whether the log file can be opened for writing later ("" needs no file). errno says why not.
bool LogWritable(const std::string& path) {
  if (path.empty() || access(path.c_str(), W_OK) == 0) return true;
  return errno == ENOENT && access(DirName(path).c_str(), W_OK | X_OK) == 0;
}

bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

/// What can be checked before spawning, so the message names the real cause (posix_spawn reports
/// a missing working directory as ENOENT, like a missing program).
bool CheckSpec(const CommandSpec& spec, std::string* err) {
  struct stat st;
  if (spec.argv.empty()) {
    *err = "empty command";
  } else if (!spec.cwd.empty() && (stat(spec.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
    *err = "working directory " + spec.cwd + ": no such directory";
  } else if (!LogWritable(spec.log_path)) {
    *err = "cannot open log file " + spec.log_path + ": " + strerror(errno);
  } else {
    return true;
  }
  return false;
}

/// One running command as the wait loop sees it.
struct Child {
  const CommandSpec* spec = nullptr;
  pid_t pid = -1;
  Fd pidfd;        ///< readable once the child has exited (invalid: fall back to waitid polling)
  Fd capture;      ///< read end of the output pipe, until end of file
  Fd err_capture;  ///< read end of the stderr pipe (CommandSpec::stderr_apart only)
  std::string error_output;  ///< what came through err_capture (its end, once trimmed)
  size_t error_dropped = 0;  ///< bytes trimmed from the start of error_output
  Fd log;                    ///< the log file, once the command has printed something
  bool logged = false;       ///< the preamble is in the log
  std::string log_error;     ///< why the log could not be written (the rest is kept in `output`)
  std::string output;
  size_t dropped = 0;
  std::string tail;  ///< the end of what came through `capture` (2 * kTailBytes at the most)
  /// Spawns begun (by any thread) before this command's write ends were closed here: only their
  /// children can have held a copy of them.
  uint64_t spawns_before_close = 0;
};

/// Opens the log file once and writes the preamble; false (log_error set) when it cannot.
bool OpenLog(Child* child) {
  const std::string& path = child->spec->log_path;
  if (path.empty() || !child->log_error.empty()) return false;
  if (!child->log.valid()) {
    child->log.Reset(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    std::string preamble = child->spec->log_preamble;
    if (!preamble.empty() && child->log.valid() && EndsMidLine(path, child->log.get()))
      preamble.insert(0, "\n");
    child->logged =
        child->log.valid() && WriteAll(child->log.get(), preamble.data(), preamble.size());
    if (!child->logged) child->log_error = "cannot write log file " + path + ": " + strerror(errno);
  }
  return child->logged;
}

/// Sends output to the log file (opened, and the preamble written, at the first byte) or, without
/// a log or when it cannot be written, into `output` up to the cap.
void Keep(Child* child, const char* data, size_t n) {
  size_t take = std::min(n, kTailBytes);
  child->tail.append(data + n - take, take);
  if (child->tail.size() > 2 * kTailBytes) child->tail.erase(0, child->tail.size() - kTailBytes);
  if (OpenLog(child)) {
    if (WriteAll(child->log.get(), data, n)) return;
    child->log_error = "cannot write log file " + child->spec->log_path + ": " + strerror(errno);
  }
  size_t room = kMaxCapturedBytes - std::min(kMaxCapturedBytes, child->output.size());
  size_t keep = std::min(room, n);
  child->output.append(data, keep);
  child->dropped += n - keep;
}

/// Reads what the pipe holds now, at most `budget` bytes (a command writing without pause must not
/// keep the caller from its deadline); closes the pipe at end of file.
void DrainPipe(Child* child, size_t budget = kDrainBudget) {
  char buf[65536];
  for (size_t read_so_far = 0; child->capture.valid() && read_so_far < budget;) {
    ssize_t n = read(child->capture.get(), buf, sizeof buf);
    if (n > 0) {
      Keep(child, buf, static_cast<size_t>(n));
      read_so_far += static_cast<size_t>(n);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      child->capture.Reset();
    } else if (errno == EAGAIN) {
      return;
    }
  }
}

/// Keeps the last kMaxErrorBytes of error_output, counting what goes in error_dropped.
void TrimErrors(Child* child) {
  std::string& e = child->error_output;
  if (e.size() <= kMaxErrorBytes) return;
  child->error_dropped += e.size() - kMaxErrorBytes;
  e.erase(0, e.size() - kMaxErrorBytes);
}

/// Reads what the stderr pipe holds now into error_output (its start dropped beyond the cap);
/// closes the pipe at end of file.
void DrainErrors(Child* child) {
  char buf[65536];
  for (size_t read_so_far = 0; child->err_capture.valid() && read_so_far < kDrainBudget;) {
    ssize_t n = read(child->err_capture.get(), buf, sizeof buf);
    if (n > 0) {
      child->error_output.append(buf, static_cast<size_t>(n));
      if (child->error_output.size() >= 2 * kMaxErrorBytes) TrimErrors(child);
      read_so_far += static_cast<size_t>(n);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      child->err_capture.Reset();
    } else if (errno == EAGAIN) {
      return;
    }
  }
}

/// True once child `pid` has exited; it stays a zombie (WNOWAIT) so its group id stays reserved.
bool HasExited(pid_t pid) {
  siginfo_t info;
  info.si_pid = 0;
  return waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0;
}

/// Blocks until the child exits, output arrives or `wait_ms` passes (-1: no limit).
void WaitForEvent(Child* child, Millis wait_ms) {
  pollfd fds[3];
  nfds_t n = 0;
  if (child->pidfd.valid()) fds[n++] = {child->pidfd.get(), POLLIN, 0};
  if (child->capture.valid()) fds[n++] = {child->capture.get(), POLLIN, 0};
  if (child->err_capture.valid()) fds[n++] = {child->err_capture.get(), POLLIN, 0};
  int timeout = wait_ms < 0 ? -1 : static_cast<int>(std::min<Millis>(wait_ms, 1 << 30));
  if (!child->pidfd.valid() && (timeout < 0 || timeout > kFallbackPollMs))
    timeout = kFallbackPollMs;
  poll(fds, n, timeout);
  DrainPipe(child);
  DrainErrors(child);
}

class PosixCommandRunner : public CommandRunner {
 public:
  ~PosixCommandRunner() override { ReapCopiers(); }
  CommandResult Run(const CommandSpec& spec) override;
  void InterruptAll(int signal) override;

 private:
  bool Spawn(const CommandSpec& spec, Child* child, CommandResult* result);
  void WaitWithDeadline(const CommandSpec& spec, Child* child, CommandResult* result, Millis start);
  /// Forgets the child; returns whether InterruptAll() signalled it.
  bool Unregister(pid_t pid);
  void HandOver(Child* child);
  void ReapCopiers();
  /// Around each posix_spawn: its child holds a copy of every descriptor open in this process (the
  /// write ends of other commands' output pipes among them) from its clone until it execs.
  uint64_t BeginSpawn();
  void EndSpawn(uint64_t ticket);
  /// The ticket the next spawn will get.
  uint64_t NextSpawn();
  /// Returns once every spawn with a ticket below `limit` has ended.
  void AwaitSpawnsBefore(uint64_t limit);

  std::mutex spawn_mu_;
  std::condition_variable spawn_done_;
  uint64_t next_spawn_ = 0;
  std::set<uint64_t> spawning_;  ///< tickets of the spawns under way
  std::mutex mu_;
  std::vector<pid_t> copiers_;  ///< `cat` processes started by HandOver(), reaped when done
  /// Running process groups (keyed by leader pid) and whether they were interrupted.
  std::map<pid_t, bool> running_;
  uint64_t interrupts_ = 0;  ///< InterruptAll() calls so far
  int last_interrupt_signal_ = SIGTERM;
};

CommandResult PosixCommandRunner::Run(const CommandSpec& spec) {
  CommandResult result;
  Millis start = SteadyNowMs();
  Child child;
  child.spec = &spec;
  ReapCopiers();
  if (!Spawn(spec, &child, &result)) {
    result.spawn_failed = !result.interrupted;
    return result;
  }
  // The timeout counts from the spawn, also while on_started runs.
  const Millis spawned = SteadyNowMs();
  if (spec.on_started) spec.on_started();
  WaitWithDeadline(spec, &child, &result, spawned);
  result.interrupted = Unregister(child.pid);
  // Whatever the command left behind in its group dies with it when it was stopped by us.
  bool stopped = result.timed_out || result.interrupted;
  if (stopped) kill(-child.pid, SIGKILL);
  DrainPipe(&child);
  DrainErrors(&child);
  if (!stopped && child.capture.valid()) {
    // A spawn of another thread's may have copied the pipe's write end into its child, which holds
    // it until it execs: once those spawns are done, only the command's own processes can.
    AwaitSpawnsBefore(child.spawns_before_close);
    DrainPipe(&child);
  }
  // The command exited but something it started in the background still holds its output: that
  // keeps reaching the log, as it would have had the command written to the file directly.
  if (!stopped && child.capture.valid() && OpenLog(&child)) HandOver(&child);
  int status = 0;
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  result.logged = child.logged;
  if (child.tail.size() > kTailBytes) child.tail.erase(0, child.tail.size() - kTailBytes);
  result.output_tail = std::move(child.tail);
  if (!child.log_error.empty()) result.error = child.log_error;
  result.output = std::move(child.output);
  TrimErrors(&child);
  if (child.error_dropped > 0)
    result.error_output = "[asmplan: stderr truncated, its first " +
                          std::to_string(child.error_dropped) + " bytes dropped]\n";
  result.error_output += child.error_output;
  if (child.dropped > 0)
    result.output += "\n[asmplan: output truncated at 512 MiB, " + std::to_string(child.dropped) +
                     " more bytes dropped]\n";
  result.duration_ms = SteadyNowMs() - start;
  return result;
}

bool PosixCommandRunner::Spawn(const CommandSpec& spec, Child* child, CommandResult* result) {
  if (!CheckSpec(spec, &result->error)) return false;
  std::vector<std::string> env = BuildEnvironment(spec.env);
  std::string program;
  Fd child_out, child_err;
  bool apart = spec.stderr_apart && spec.log_path.empty();
  if (!ResolveProgram(spec.argv[0], EnvValue(env, "PATH"), spec.cwd, &program, &result->error) ||
      !OpenOutput(&child_out, &child->capture, &result->error) ||
      (apart && !OpenOutput(&child_err, &child->err_capture, &result->error)))
    return false;
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv = CStrings(args), envp = CStrings(env);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  int rc = ENOMEM;
  int err_fd = apart ? child_err.get() : child_out.get();
  if (InitFileActions(&actions, child_out.get(), err_fd, child->capture.get(), spec.cwd) &&
      InitAttributes(&attr)) {
    // Spawns run in parallel, outside the lock; an InterruptAll() between the check below and
    // the registration after the spawn is seen by its count and applied to the new child, so
    // a caller that sets the cancel flag and then calls InterruptAll() either stops this spawn
    // here or signals its child.
    uint64_t interrupts_seen = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (spec.cancel && spec.cancel->load()) {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        result->interrupted = true;
        result->not_started = true;
        result->error = "not started: the run was interrupted";
        return false;
      }
      interrupts_seen = interrupts_;
    }
    uint64_t ticket = BeginSpawn();
    rc = posix_spawn(&child->pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
    EndSpawn(ticket);
    if (rc == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      bool missed = interrupts_ != interrupts_seen;
      // posix_spawn returns once the child has exec'd, in its own process group by then. One that
      // has exited already (this thread was descheduled meanwhile) ended on its own, as in
      // InterruptAll(): not interrupted.
      running_[child->pid] = missed && !HasExited(child->pid);
      if (missed) kill(-child->pid, last_interrupt_signal_);
    }
  }
  child_out.Reset();
  child_err.Reset();
  child->spawns_before_close = NextSpawn();
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) result->error = SpawnErrorText(spec.argv[0], rc);
  if (rc == 0) child->pidfd.Reset(static_cast<int>(syscall(SYS_pidfd_open, child->pid, 0)));
  return rc == 0;
}

uint64_t PosixCommandRunner::BeginSpawn() {
  std::lock_guard<std::mutex> lock(spawn_mu_);
  spawning_.insert(next_spawn_);
  return next_spawn_++;
}

void PosixCommandRunner::EndSpawn(uint64_t ticket) {
  {
    std::lock_guard<std::mutex> lock(spawn_mu_);
    spawning_.erase(ticket);
  }
  spawn_done_.notify_all();
}

uint64_t PosixCommandRunner::NextSpawn() {
  std::lock_guard<std::mutex> lock(spawn_mu_);
  return next_spawn_;
}

void PosixCommandRunner::AwaitSpawnsBefore(uint64_t limit) {
  std::unique_lock<std::mutex> lock(spawn_mu_);
  spawn_done_.wait(lock, [&] { return spawning_.empty() || *spawning_.begin() >= limit; });
}

/// Starts `cat` to copy the rest of the pipe into the log until its last writer closes it; the
/// copier has its own process group, so stopping a later command does not touch it. When `cat`
/// cannot start, the pipe is closed here and log_error says so (the background process holds a
/// reader of it as fd 3: its later output is lost, and blocks it once 64 KiB wait unread).
void PosixCommandRunner::HandOver(Child* child) {
  int in = child->capture.get();
  fcntl(in, F_SETFL, fcntl(in, F_GETFL) & ~O_NONBLOCK);  // `cat` reads it blocking
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  char cat[] = "/bin/cat";
  char* argv[] = {cat, nullptr};
  // `cat` needs no environment, and a secret stays out of it. Not an empty one: a resume takes a
  // process with an empty environment for one caught mid-exec, and looks again.
  char copier_env[] = "ASMPLAN_LOG_COPIER=1";
  char* no_env[] = {copier_env, nullptr};
  pid_t pid = -1;
  int rc = ENOMEM;
  if (posix_spawn_file_actions_adddup2(&actions, in, 0) == 0 &&
      posix_spawn_file_actions_adddup2(&actions, child->log.get(), 1) == 0 &&
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) == 0 &&
      posix_spawn_file_actions_addclosefrom_np(&actions, 3) == 0 && InitAttributes(&attr)) {
    uint64_t ticket = BeginSpawn();
    rc = posix_spawn(&pid, cat, &actions, &attr, argv, no_env);
    EndSpawn(ticket);
  }
  if (rc == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    copiers_.push_back(pid);
  } else {
    child->log_error = std::string("cannot copy later output of a background process to ") +
                       child->spec->log_path + ": " + cat + ": " + strerror(rc);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  child->capture.Reset();
}

void PosixCommandRunner::ReapCopiers() {
  std::lock_guard<std::mutex> lock(mu_);
  copiers_.erase(std::remove_if(copiers_.begin(), copiers_.end(),
                                [](pid_t pid) { return waitpid(pid, nullptr, WNOHANG) != 0; }),
                 copiers_.end());
}

/// Waits for the child to exit. At the deadline: SIGTERM to the group, then SIGKILL after a grace.
void PosixCommandRunner::WaitWithDeadline(const CommandSpec& spec, Child* child,
                                          CommandResult* result, Millis start) {
  Millis deadline = spec.timeout_ms > 0 ? AddDuration(start, spec.timeout_ms) : -1;
  bool killed = false;
  while (!HasExited(child->pid)) {
    Millis now = SteadyNowMs();
    if (deadline >= 0 && now >= deadline) {
      if (!result->timed_out) {
        result->timed_out = true;
        kill(-child->pid, SIGTERM);
        deadline = now + kKillGraceMs;
      } else if (!killed) {
        killed = true;
        kill(-child->pid, SIGKILL);
        deadline = -1;
      }
      continue;
    }
    WaitForEvent(child, deadline < 0 ? -1 : deadline - now);
  }
}

bool PosixCommandRunner::Unregister(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = running_.find(pid);
  bool interrupted = it != running_.end() && it->second;
  if (it != running_.end()) running_.erase(it);
  return interrupted;
}

void PosixCommandRunner::InterruptAll(int signal) {
  std::lock_guard<std::mutex> lock(mu_);
  ++interrupts_;
  last_interrupt_signal_ = signal;
  for (auto& [pid, interrupted] : running_) {
    // A leader that has exited already (Run() has yet to reap it) ended on its own: its result
    // is its exit status. What it left in its group is signalled all the same.
    bool exited = HasExited(pid);
    kill(-pid, signal);
    if (!exited) interrupted = true;
  }
}

}  // namespace

std::unique_ptr<CommandRunner> NewPosixCommandRunner() {
  return std::make_unique<PosixCommandRunner>();
}

}  // namespace asmplan
