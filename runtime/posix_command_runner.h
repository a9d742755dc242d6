// The real CommandRunner: posix_spawn (no fork of a large parent, never /bin/sh), a new process
// group per command, output to a log file or captured, timeout kills the whole group.
#pragma once

#include <memory>

#include "runtime/clock.h"
#include "runtime/command_runner.h"

namespace asmplan {

std::unique_ptr<CommandRunner> NewPosixCommandRunner();

}  // namespace asmplan
