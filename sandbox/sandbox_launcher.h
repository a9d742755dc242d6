// Running asmplan-sandbox in the background for `asmplan sandbox up/down/status`: start it
// detached, wait until it reports ready in DIR/sandbox.json, find it again later by pid.
#pragma once

#include <string>

namespace asmplan::sandbox {

/// DIR/sandbox.json, as a running sandbox writes it (sandbox/CONTRACT.md).
struct LaunchedSandbox {
  long pid = 0;
  std::string user_server;
  std::string admin_server;
  std::string release_base;
  std::string kubeconfig;
  std::string bin_dir;
};

/// Reads `state_dir`/sandbox.json; false with `err` when it is missing or malformed.
bool ReadSandboxJson(const std::string& state_dir, LaunchedSandbox* sandbox, std::string* err);

/// The pid of the sandbox started from `state_dir` if it is still alive, else 0. Looks at
/// sandbox.json, then at sandbox.pid (written at launch, before the sandbox is ready); a pid
/// counts only if it is a live asmplan-sandbox process, so a reused pid is never mistaken.
long RunningSandboxPid(const std::string& state_dir);

struct LaunchOptions {
  std::string sandbox_exe;      ///< path of asmplan-sandbox
  std::string scenario;         ///< scenario file, passed on as given
  std::string state_dir;        ///< absolute; created if missing
  int port = 0;                 ///< 0 picks free ports
  double ready_timeout_s = 60;  ///< how long to wait for sandbox.json
};

struct LaunchOutcome {
  enum class Kind {
    kStarted,         ///< ready; `sandbox` is filled in
    kAlreadyRunning,  ///< a sandbox from this state dir is alive (`sandbox.pid`)
    kChildExited,     ///< it ended before it was ready; see `exit_code`, `message` (log tail)
    kFailed,          ///< could not start it, or it never got ready (then it was stopped)
  };
  Kind kind = Kind::kFailed;
  int exit_code = 1;    ///< the sandbox's own exit code, for kChildExited
  std::string message;  ///< what went wrong, with the end of DIR/sandbox.log where it helps
  LaunchedSandbox sandbox;
};

/// Starts asmplan-sandbox in its own session (stdin /dev/null, stdout and stderr appended to
/// DIR/sandbox.log, no other descriptors inherited) and waits until DIR/sandbox.json names it.
LaunchOutcome LaunchSandbox(const LaunchOptions& options);

struct StopOutcome {
  long pid = 0;         ///< the sandbox's pid, or 0 when none was running
  bool killed = false;  ///< it ignored SIGTERM for `grace_s` and got SIGKILL
};

/// Stops the sandbox started from `state_dir`: SIGTERM, up to `grace_s` for it to exit, then
/// SIGKILL; removes sandbox.json and sandbox.pid either way. False only if it would not die.
bool StopSandbox(const std::string& state_dir, double grace_s, StopOutcome* outcome,
                 std::string* err);

}  // namespace asmplan::sandbox
