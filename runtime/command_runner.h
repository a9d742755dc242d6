// Running commands, behind an interface so tests can abstract out running processes (as ninja's
// CommandRunner does). The real one spawns argv directly (posix_spawn, never /bin/sh).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compiler/plan_model.h"

namespace asmplan {

struct CommandSpec {
  std::vector<std::string> argv;           ///< argv[0] is looked up on PATH unless it contains '/'
  std::string cwd;                         ///< "" = the current directory
  std::map<std::string, std::string> env;  ///< added to / overriding the inherited environment
  /// Append stdout+stderr here; "" = capture into CommandResult::output. The file is opened at
  /// the command's first byte of output: a silent command creates no file.
  std::string log_path;
  std::string log_preamble;  ///< written to the log just before the first byte of output
  /// Without a log: stderr is captured into CommandResult::error_output instead of being mixed
  /// into `output` (kubectl's warnings must not corrupt the JSON a guard parses).
  bool stderr_apart = false;
  Millis timeout_ms = 0;  ///< 0 = none; on expiry the whole process group is killed
  /// When set: a command not yet started once it is true is never started (result: interrupted).
  /// Set it before InterruptAll() and no command slips in between the two.
  const std::atomic<bool>* cancel = nullptr;
  /// When set: called on Run()'s thread once the command has started, before Run() waits for it
  /// (its time counts toward timeout_ms); never after Run() returns.
  std::function<void()> on_started;
};

struct CommandResult {
  int exit_code = -1;         ///< the exit status when the process exited, else -1
  int term_signal = 0;        ///< the signal that ended it, else 0
  bool timed_out = false;     ///< killed because timeout_ms expired
  bool interrupted = false;   ///< killed by InterruptAll()
  bool spawn_failed = false;  ///< could not start (error says why, e.g. "kubectl: not found")
  /// Not started because CommandSpec::cancel was set (`interrupted` is set too): nothing ran.
  bool not_started = false;
  bool logged = false;       ///< the command wrote output to the log (after the preamble)
  std::string output;        ///< stdout (+stderr unless kept apart) when log_path is empty
  std::string error_output;  ///< stderr, with CommandSpec::stderr_apart (output is stdout then)
  /// The last 4 KiB the command printed through its output pipe, also when that went to the log.
  std::string output_tail;
  std::string error;  ///< a description of a failure to spawn or to write the log, or ""
  Millis duration_ms = 0;

  bool ok() const { return exit_code == 0 && !timed_out && !interrupted && !spawn_failed; }
};

/// Runs one command to completion. Run() may be called from several threads at once.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandResult Run(const CommandSpec& spec) = 0;
  /// Sends `signal` to the process group of every running command; later Run() calls still work.
  virtual void InterruptAll(int signal) = 0;
};

}  // namespace asmplan
