// The asmplan CLI: each family of subcommands registers itself on the top-level app.
#pragma once

namespace CLI {
class App;
}

namespace asmplan::cli {

/// Exit codes, distinct so scripts can tell outcomes apart.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      ///< a step failed, or another error (I/O, network)
  kExitInvalid = 2,      ///< invalid input: plan, compiled plan, scenario, command line
  kExitAwaiting = 3,     ///< stopped at a confirmation or a decision; resumable
  kExitLocked = 4,       ///< another executor holds the state directory's lock
  kExitPlanChanged = 5,  ///< the compiled plan differs from the one the checkpoint belongs to
  kExitInterrupted = 130,
};

/// check, compile, graph, show (cli/compiler_commands.cc)
void RegisterCompilerCommands(CLI::App& app);
/// show (cli/show_command.cc)
void RegisterShowCommand(CLI::App& app);
/// run, resume, status (cli/run_commands.cc)
void RegisterRunCommands(CLI::App& app);
/// sandbox up, down, status (cli/sandbox_commands.cc)
void RegisterSandboxCommands(CLI::App& app);

}  // namespace asmplan::cli
