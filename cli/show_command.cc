// Placeholder until its issue lands: registers no subcommands yet.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace asmplan::cli {

void RegisterShowCommand(CLI::App&) {}

}  // namespace asmplan::cli
