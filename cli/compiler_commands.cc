// asmplan check | compile | graph: the compiler's commands. Thin: options in, CompilePlan, out.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "compiler/compiled_plan_io.h"
#include "compiler/compiler.h"
#include "compiler/plan_graph_dot.h"
#include "runtime/durable_file.h"

namespace asmplan::cli {
namespace {

struct CompileOptions {
  std::string file;
  std::vector<std::string> sets;
  std::string values;
  std::string output;
};

void AddInputOptions(CLI::App* cmd, CompileOptions* o) {
  cmd->add_option("FILE", o->file, "plan or environment file (.asmplan); - reads stdin")
      ->required();
  cmd->add_option("--set", o->sets, "bind a parameter: NAME=VALUE (repeatable; lists: a,b,c)");
  cmd->add_option("--values", o->values, "bind parameters from a YAML mapping file");
}

/// Compiles and prints every diagnostic to stderr. The exit code if it failed, else kExitOk.
int Compile(const CompileOptions& o, Plan* plan) {
  CompileInput in{o.file, o.sets, o.values, nullptr};
  Diagnostics diags;
  bool ok = CompilePlan(in, plan, &diags);
  std::cerr << diags.Render();
  if (ok) return kExitOk;
  return InputUnreadable(diags, o.file) ? kExitFailure : kExitInvalid;
}

/// Where `compile -o PATH` writes: PATH, or the file a symlink at PATH points to (so the link
/// stays a link). Refused, with the reason in `err`: anything but a regular file (a directory, a
/// device such as /dev/null, which a rename would replace), and any of the plan's own sources.
bool OutputTarget(const std::string& path, const Plan& plan, std::string* target,
                  std::string* err) {
  *target = path;
  // Another environment's source, say: a compiled plan is never named like a plan source.
  if (path.size() >= 8 && path.compare(path.size() - 8, 8, ".asmplan") == 0) {
    *err = "refusing to write the compiled plan to " + path +
           ", a plan source's name (-o names a compiled plan, e.g. plans/compiled/NAME.yaml)";
    return false;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return true;  // a new file (a dangling link is replaced)
  if (!S_ISREG(st.st_mode)) {
    *err = "cannot write " + path + ": not a regular file; -o takes a file path";
    return false;
  }
  for (const SourceDigest& source : plan.sources) {
    struct stat src {};
    if (::stat(source.path.c_str(), &src) == 0 && src.st_dev == st.st_dev &&
        src.st_ino == st.st_ino) {
      *err = "refusing to write the compiled plan over " + path +
             ", a source of this plan (-o names the compiled plan's own file)";
      return false;
    }
  }
  char* real = ::realpath(path.c_str(), nullptr);
  if (real != nullptr) {
    *target = real;
    std::free(real);
  }
  return true;
}

void Finish(int code) {
  if (code != kExitOk) throw CLI::RuntimeError(code);
}

void RunCheck(const CompileOptions& o) {
  Plan plan;
  int code = Compile(o, &plan);
  if (code == kExitOk) {
    std::cout << o.file << ": ok: plan `" << plan.name << "`, " << plan.steps.size()
              << (plan.steps.size() == 1 ? " step\n" : " steps\n");
  }
  Finish(code);
}

void RunCompile(const CompileOptions& o) {
  Plan plan;
  Finish(Compile(o, &plan));
  std::string text = WriteCompiledPlan(&plan);
  if (o.output.empty() || o.output == "-") {
    std::cout << text;
    return;
  }
  std::string err, target;
  if (!OutputTarget(o.output, plan, &target, &err)) {
    std::cerr << "asmplan: error: " << err << "\n";
    Finish(kExitInvalid);
  }
  if (!WriteFileAtomic(target, text, &err)) {
    std::cerr << "asmplan: error: " << err << "\n";
    Finish(kExitFailure);
  }
}

void RunGraph(const CompileOptions& o) {
  Plan plan;
  Finish(Compile(o, &plan));
  std::cout << RenderDot(plan);
}

}  // namespace

void RegisterCompilerCommands(CLI::App& app) {
  auto o = std::make_shared<CompileOptions>();
  CLI::App* check = app.add_subcommand("check", "check a plan and report diagnostics");
  AddInputOptions(check, o.get());
  check->callback([o] { RunCheck(*o); });

  CLI::App* compile = app.add_subcommand("compile", "compile a plan to reviewed, hashed YAML");
  AddInputOptions(compile, o.get());
  compile->add_option("-o,--output", o->output,
                      "write here (a temporary file, synced, renamed over it); default stdout");
  compile->callback([o] { RunCompile(*o); });

  CLI::App* graph = app.add_subcommand("graph", "print the step graph as Graphviz DOT");
  AddInputOptions(graph, o.get());
  graph->callback([o] { RunGraph(*o); });
}

}  // namespace asmplan::cli
