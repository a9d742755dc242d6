// `asmplan show COMPILED`: verify a compiled plan's hash and print what it will do.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "compiler/compiled_plan_io.h"
#include "compiler/plan_summary.h"

namespace asmplan::cli {
namespace {

struct ShowOptions {
  std::string path;
  bool quiet = false;
};

// Reads all of `path` ("-" is stdin) into `text`.
bool ReadAll(const std::string& path, std::string* text, std::string* err) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *err = std::strerror(errno);
    return false;
  }
  // Size the buffer once for a regular file: a 100k-step plan is ~30 MB.
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) text->reserve(st.st_size + 1);
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text->append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  if (failed) *err = std::strerror(errno);
  if (f != stdin) std::fclose(f);
  return !failed;
}

int RunShow(const ShowOptions& options) {
  const std::string name = options.path == "-" ? "<stdin>" : options.path;
  std::string text;
  std::string err;
  if (!ReadAll(options.path, &text, &err)) {
    std::fprintf(stderr, "%s: error: cannot read the compiled plan: %s\n", name.c_str(),
                 err.c_str());
    return kExitFailure;
  }
  Plan plan;
  if (!ReadCompiledPlan(text, &plan, &err)) {
    std::fprintf(stderr, "%s: error: %s\n", name.c_str(), err.c_str());
    return kExitInvalid;
  }
  const std::string out = options.quiet ? plan.sha256 + "\n" : RenderPlanSummary(plan);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void RegisterShowCommand(CLI::App& app) {
  auto options = std::make_shared<ShowOptions>();
  CLI::App* show = app.add_subcommand(
      "show", "Verify a compiled plan's sha256 and print a readable summary of what it will run");
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
