// Plan parameters: declarations, the values bound to them from every source, with precedence
// default < environment file (outermost wins) < --values file < --set, and where each came from.
#pragma once

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/plan_model.h"

namespace asmplan {

struct ResolvedParam {
  const ast::ParamDecl* decl = nullptr;
  std::string name;
  std::string type;  ///< "string", "int", "bool", "duration", "list<string>"
  bool secret = false;
  bool bound = false;
  /// Its value is unknown: missing, or a binding was refused (already reported). References to it
  /// fail without a diagnostic of their own, so one bad value does not cascade.
  bool broken = false;
  std::string scalar;             ///< canonical text of a scalar: `5`, `true`, `1h30m`, `text`
  std::vector<std::string> list;  ///< the elements of a list<string>
  std::string source;             ///< "default", "plans/envs/prod.asmplan:3", "--set", ...
  std::string origin_file;        ///< relative file paths in the value resolve against its dir
  bool used = false;              ///< referenced somewhere in the plan
};

/// A value as written, before it is checked against its parameter's type.
struct RawValue {
  bool is_list = false;
  bool quoted = false;  ///< a quoted source string is never an int, bool or duration
  std::string scalar;
  std::vector<std::string> items;
};

class ParamTable {
 public:
  /// Declares `plan`'s parameters with their defaults, from the file `plan_path`.
  void Declare(const ast::PlanDecl& plan, const std::string& plan_path, Diagnostics* diags);
  /// Binds the values of an environment file's `use` block, from the file `env_path`.
  void Bind(const ast::Use& use, const std::string& env_path, Diagnostics* diags);
  /// Binds the top-level mapping of a YAML values file registered as `file` in diags.
  void BindValuesFile(int file, Diagnostics* diags);
  /// Binds `NAME=VALUE` from the command line.
  void BindSet(const std::string& assignment, Diagnostics* diags);
  /// Reports every required parameter without a value, at `where`, or at its declaration
  /// when `where.file` < 0.
  void CheckMissing(const ast::Loc& where, Diagnostics* diags);
  /// Warns about every declared parameter the plan never referenced.
  void WarnUnused(Diagnostics* diags) const;

  ResolvedParam* Find(const std::string& name);
  std::vector<std::string> Names() const;
  /// True the first time it is asked about `name` (an unknown parameter): one misspelt or
  /// undeclared name is reported at its first use, not at every one.
  bool FirstReportOfUnknown(const std::string& name) {
    return unknown_reported_.insert(name).second;
  }
  /// The parameters in declaration order, as the compiled plan records them.
  std::vector<ParamValue> ToModel() const;

 private:
  /// Checks `raw` against `p`'s type and stores it. Reports at `loc` (or `origin` if no file).
  bool Assign(ResolvedParam* p, const RawValue& raw, const std::string& source,
              const std::string& origin_file, const ast::Loc& loc, const std::string& origin,
              Diagnostics* diags);
  /// Finds `name` for a binding, reporting unknown-param or secret-in-source.
  ResolvedParam* FindForBinding(const std::string& name, const ast::Loc& loc,
                                const std::string& origin, Diagnostics* diags);

  std::vector<ResolvedParam> params_;
  std::unordered_map<std::string, size_t> index_;
  std::set<std::string> unknown_reported_;
  std::set<std::string> set_names_;  ///< parameters bound by --set so far
};

/// Converts `raw` to `type`'s canonical form. False with the diagnostic name and message.
bool ConvertValue(const std::string& type, const RawValue& raw, std::string* scalar,
                  std::vector<std::string>* list, std::string* diag_name, std::string* message);

}  // namespace asmplan
