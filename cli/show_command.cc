// `asmplan show COMPILED`: verify a compiled plan's hash and print what it will do.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "compiler/compiled_plan_file.h"
#include "compiler/plan_summary.h"

namespace asmplan::cli {
namespace {

struct ShowOptions {
  std::string path;
  bool quiet = false;
};

int RunShow(const ShowOptions& options) {
  const std::string name = options.path == "-" ? "<stdin>" : options.path;
  Plan plan;
  std::string err;
  const PlanFileStatus status = LoadCompiledPlanFile(options.path, &plan, &err);
  if (status != PlanFileStatus::kOk) {
    std::fprintf(stderr, "%s: error: %s\n", name.c_str(), err.c_str());
    return status == PlanFileStatus::kUnreadable ? kExitFailure : kExitInvalid;
  }
  const std::string out = options.quiet ? plan.sha256 + "\n" : RenderPlanSummary(plan);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void RegisterShowCommand(CLI::App& app) {
  auto options = std::make_shared<ShowOptions>();
  CLI::App* show = app.add_subcommand(
      "show", "verify a compiled plan's sha256 and print a readable summary of what it will run");
  show->add_option("COMPILED", options->path,
                   "a compiled plan written by `asmplan compile`; - reads stdin")
      ->required();
  show->add_flag("-q,--quiet", options->quiet,
                 "only verify: print the plan's sha256 and nothing else");
  show->footer(
      "Exit status: 0 verified, 2 not a valid compiled plan or edited after compiling (its content "
      "no longer matches its sha256), 1 unreadable.");
  show->callback([options] {
    const int code = RunShow(*options);
    if (code != kExitOk) throw CLI::RuntimeError(code);
  });
}

}  // namespace asmplan::cli
