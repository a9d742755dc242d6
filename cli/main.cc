// asmplan: compile, review and run operational plans. Thin: parsing and dispatch only.
#include <poll.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/commands.h"

namespace {

/// A command whose product is its output (check, compile, graph, show, status, sandbox) must not
/// exit 0 when that output was lost: `asmplan compile plan > out.yaml` on a full disk would leave
/// half a plan. `run` and `resume` keep their code: their record is the checkpoint, and a reader
/// that went away (`| head`) must not turn a finished run into a failure.
int WithOutputWritten(const CLI::App& app, int code) {
  if (code != asmplan::cli::kExitOk || app.got_subcommand("run") || app.got_subcommand("resume"))
    return code;
  std::cout.flush();
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return code;
  // A reader that stopped reading (`| head`) wanted no more: quiet. The write that failed may
  // have been an earlier one (errno is then 0 here); a pipe without readers polls as POLLERR.
  pollfd out{1, POLLOUT, 0};
  const bool reader_gone =
      errno == EPIPE || (::poll(&out, 1, 0) == 1 && (out.revents & POLLERR) != 0);
  if (!reader_gone) {
    std::cerr << "asmplan: error: cannot write to standard output"
              << (errno != 0 ? std::string(": ") + std::strerror(errno) : "") << "\n";
  }
  return asmplan::cli::kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  // A reader that goes away (`asmplan run ... | head`) must not kill a run between a command's
  // start and its record: output then fails quietly and the run goes on to its checkpoint.
  // Commands get the default action back (posix_spawn resets every signal).
  std::signal(SIGPIPE, SIG_IGN);
  // Likewise a file size limit (`ulimit -f`): a write past it fails with EFBIG, which is reported
  // (a journal that cannot grow fails the run with a message), instead of killing asmplan.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"asmplan: compile, review and run Anthos Service Mesh procedures as plans"};
  app.name("asmplan");
  app.set_version_flag("--version", std::string("asmplan ") + ASMPLAN_VERSION);
  app.require_subcommand(1);
  asmplan::cli::RegisterCompilerCommands(app);
  asmplan::cli::RegisterShowCommand(app);
  asmplan::cli::RegisterRunCommands(app);
  asmplan::cli::RegisterSandboxCommands(app);
  // CLI11 would answer a misspelt command with "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    try {
      app.get_subcommand(argv[1]);
    } catch (const CLI::OptionNotFound&) {
      std::string names;
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        names += (names.empty() ? "" : ", ") + sub->get_name();
      std::cerr << "error: unknown command `" << argv[1] << "` (commands: " << names << ")\n";
      return asmplan::cli::kExitInvalid;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    // Subcommand callbacks end with `throw CLI::RuntimeError(code)` after printing their message.
    return WithOutputWritten(app, e.get_exit_code());
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return asmplan::cli::kExitInvalid;
  }
  return WithOutputWritten(app, asmplan::cli::kExitOk);
}
