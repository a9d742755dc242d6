// asmplan check | compile | graph: the compiler's commands. Thin: options in, CompilePlan, out.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "compiler/compiled_plan_io.h"
#include "compiler/compiler.h"
#include "compiler/plan_graph_dot.h"

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
  // The input file itself missing is an I/O problem, not an invalid plan.
  for (const Diagnostic& d : diags.all()) {
    if (d.name == "unreadable-file" && d.loc.file < 0 && d.origin == o.file) return kExitFailure;
  }
  return kExitInvalid;
}

/// Writes `text` to `path` through a temporary file and a rename: never a half-written file.
bool WriteAtomically(const std::string& path, const std::string& text, std::string* err) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      *err = "cannot write " + tmp;
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *err = "cannot rename " + tmp + " to " + path;
    std::remove(tmp.c_str());
    return false;
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
    std::cout << o.file << ": ok: plan `" << plan.name << "`, " << plan.steps.size() << " steps\n";
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
  std::string err;
  if (!WriteAtomically(o.output, text, &err)) {
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
  compile->add_option("-o,--output", o->output, "write here (temp file + rename); default stdout");
  compile->callback([o] { RunCompile(*o); });

  CLI::App* graph = app.add_subcommand("graph", "print the step graph as Graphviz DOT");
  AddInputOptions(graph, o.get());
  graph->callback([o] { RunGraph(*o); });
}

}  // namespace asmplan::cli
