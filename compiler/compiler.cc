#include "compiler/compiler.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "compiler/param_table.h"
#include "compiler/parser.h"
#include "compiler/plan_builder.h"
#include "compiler/plan_consistency.h"
#include "compiler/sha256.h"

namespace asmplan {
namespace {

// Environment files may use other environment files; beyond this it is surely a mistake.
constexpr size_t kMaxUseChain = 16;

/// The files of one compilation: the environment files, outermost first, then the plan.
struct SourceChain {
  std::vector<ast::File> envs;  ///< each has `use`
  ast::File plan;               ///< has `plan`
  std::vector<std::string> env_paths;
  std::string plan_path;
};

bool ReadSource(const std::string& path, FileReader* reader, const ast::Loc& used_at,
                Diagnostics* diags, Plan* out, int* file) {
  std::string text, err;
  if (!reader->Read(path, &text, &err)) {
    std::string message = "cannot read " + Code(path) + ": " + err;
    if (used_at.file >= 0) {
      diags->Error("unreadable-file", used_at, message);
    } else {
      diags->ErrorAt(path, "unreadable-file", message);
    }
    return false;
  }
  out->sources.push_back({path, Sha256Hex(text)});
  *file = diags->AddFile(path, std::move(text));
  return true;
}

/// The top-level path as diagnostics and the compiled plan's sources name it: without `.` parts
/// or doubled slashes (`./plans/x` is `plans/x`), and relative when it lies under the working
/// directory, so the plan's hash does not depend on how the path was typed. A path with a `..`
/// part is kept as given: folding `dir/..` away would name another file when `dir` is a symlink.
std::string RecordedPath(const std::string& given) {
  namespace fs = std::filesystem;
  if (given == "-" || given.empty()) return given;
  for (const fs::path& part : fs::path(given)) {
    if (part == "..") return given;
  }
  fs::path path = fs::path(given).lexically_normal();
  if (path.is_absolute()) {
    std::error_code ec;
    fs::path rel = path.lexically_relative(fs::current_path(ec));
    if (!ec && !rel.empty() && *rel.begin() != "..") path = rel;
  }
  return path.string();
}

// Follows `use` from the file compiled to the plan, refusing cycles.
bool LoadChain(const CompileInput& in, FileReader* reader, Diagnostics* diags, Plan* out,
               SourceChain* chain) {
  std::string path = RecordedPath(in.path);
  ast::Loc used_at;
  std::vector<std::string> seen;
  while (true) {
    int file = -1;
    if (!ReadSource(path, reader, used_at, diags, out, &file)) return false;
    ast::File parsed;
    if (!ParseSourceFile(file, diags, &parsed)) return false;
    if (parsed.plan) {
      chain->plan = std::move(parsed);
      chain->plan_path = path;
      return true;
    }
    seen.push_back(path);
    std::string next = ResolveRelativeTo(path, parsed.use->path.value);
    bool cycle = std::find(seen.begin(), seen.end(), next) != seen.end();
    if (cycle || seen.size() > kMaxUseChain) {
      std::vector<std::string> notes;
      for (size_t i = 0; i < seen.size(); ++i) {
        notes.push_back(Code(seen[i]) + " uses " + Code(i + 1 < seen.size() ? seen[i + 1] : next));
      }
      diags->Error("use-cycle", parsed.use->path.loc,
                   cycle ? "`use` cycle: " + Code(next) + " is already being used"
                         : "`use` chain longer than " + std::to_string(kMaxUseChain) + " files",
                   std::move(notes));
      return false;
    }
    used_at = parsed.use->path.loc;
    chain->envs.push_back(std::move(parsed));
    chain->env_paths.push_back(path);
    path = next;
  }
}

void BindParams(const CompileInput& in, const SourceChain& chain, FileReader* reader,
                ParamTable* params, Diagnostics* diags, Plan* out) {
  params->Declare(*chain.plan.plan, chain.plan_path, diags);
  // Innermost environment first, so the file being compiled has the last word.
  for (size_t i = chain.envs.size(); i-- > 0;) {
    params->Bind(*chain.envs[i].use, chain.env_paths[i], diags);
  }
  if (!in.values_path.empty()) {
    int file = -1;
    if (ReadSource(in.values_path, reader, ast::Loc{}, diags, out, &file)) {
      params->BindValuesFile(file, diags);
    }
  }
  for (const std::string& set : in.sets) params->BindSet(set, diags);
  ast::Loc where = chain.envs.empty() ? ast::Loc{} : chain.envs.front().use->loc;
  params->CheckMissing(where, diags);
}

void DedupeSources(std::vector<SourceDigest>* sources) {
  std::set<std::string> seen;
  std::vector<SourceDigest> kept;
  for (SourceDigest& s : *sources) {
    if (seen.insert(s.path).second) kept.push_back(std::move(s));
  }
  *sources = std::move(kept);
}

}  // namespace

bool CompilePlan(const CompileInput& in, Plan* out, Diagnostics* diags) {
  DiskFileReader disk;
  FileReader* reader = in.reader ? in.reader : &disk;
  *out = Plan{};
  try {
    SourceChain chain;
    if (!LoadChain(in, reader, diags, out, &chain)) return false;
    const ast::PlanDecl& decl = *chain.plan.plan;
    ParamTable params;
    BindParams(in, chain, reader, &params, diags, out);
    out->name = decl.name.value;
    if (!IsStepName(out->name)) {
      diags->Error("invalid-name", decl.name.loc, "invalid plan name `" + out->name + "`",
                   {"plan names are letters, digits, `_` and `-`, not starting with a digit: the "
                    "default state directory is .asmplan/<name>"});
    }
    if (decl.title) {
      InterpolateOne(*decl.title, Scope{&params, nullptr, nullptr}, TextUse::kScalar, diags,
                     &out->title);
    }
    // On after parameter errors: the steps' own errors are reported in the same pass (a
    // reference to a parameter whose value was refused fails quietly, without a cascade).
    PlanBuilder(&params, reader, diags, &out->sources).Build(decl, out);
    if (diags->HasErrors()) return false;
    params.WarnUnused(diags);
    out->params = params.ToModel();
    DedupeSources(&out->sources);
  } catch (const std::exception& e) {
    diags->ErrorAt("asmplan", "internal-error",
                   std::string("internal compiler error: ") + e.what());
  }
  return !diags->HasErrors();
}

bool InputUnreadable(const Diagnostics& diags, const std::string& path) {
  for (const Diagnostic& d : diags.all()) {
    if (d.name == "unreadable-file" && d.loc.file < 0 && d.origin == path) return true;
  }
  return false;
}

}  // namespace asmplan
