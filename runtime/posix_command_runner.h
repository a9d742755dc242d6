// The real CommandRunner: posix_spawn (no fork of a large parent, never /bin/sh), a new process
// group per command, output to a log file or captured, timeout kills the whole group.
#pragma once

#include <memory>

#include "runtime/clock.h"
#include "runtime/command_runner.h"

namespace asmplan {

/// A runner whose Run() may be called from any number of threads. Semantics:
/// - argv[0] without '/' is looked up on the PATH of the command's own environment (inherited plus
///   CommandSpec::env); a miss is spawn_failed with "NAME: no such file on PATH".
/// - stdin is /dev/null; stdout and stderr go, interleaved, through a pipe to the log file
///   (appended; created at the first byte of output, after CommandSpec::log_preamble, so a silent
///   command leaves no file) or into CommandResult::output (at most 512 MiB kept, then a note says
///   how much was dropped). A log that cannot be written later is named in CommandResult::error
///   and the rest of the output is kept in CommandResult::output instead. Without a log and with
///   CommandSpec::stderr_apart, stderr goes through its own pipe into CommandResult::error_output
///   (its last 1 MiB, after a note of what was dropped).
/// - On timeout: SIGTERM to the command's process group, SIGKILL 2 s later; after a timeout or an
///   InterruptAll(), whatever is left in the group is SIGKILLed once the command itself exits.
/// - A command that exits normally leaves its background children alone; Run() returns as soon as
///   the command exits. With a log, what they write later still reaches it (a `/bin/cat` in its
///   own process group copies the pipe until they close it; the log is created for that, even if
///   they never write); captured output ends at the exit.
/// Requires that nothing else in the process reaps children it did not start (waitpid(-1), or
/// SIGCHLD set to SIG_IGN).
std::unique_ptr<CommandRunner> NewPosixCommandRunner();

}  // namespace asmplan
