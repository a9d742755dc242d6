// The typed syntax tree of one .asmplan file: what the parse layer produces and the rest of the
// compiler consumes. No ANTLR type appears here. Values are unescaped but not yet interpolated.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/plan_model.h"

namespace asmplan::ast {

/// A position in a source file: `file` indexes Diagnostics::files(); line and column are 1-based;
/// `length` is the number of characters the construct spans on its first line (at least 1).
struct Loc {
  int file = -1;
  int line = 0;
  int column = 0;
  int length = 1;
};

/// A bare word or a quoted string, unescaped, with `${...}` references still in it.
struct Text {
  std::string value;
  Loc loc;
  bool quoted = false;
};

/// A parameter value written in a source file: one scalar, or a `[...]` list.
struct Value {
  bool is_list = false;
  Text scalar;              ///< when !is_list
  std::vector<Text> items;  ///< when is_list
  Loc loc;
};

struct ParamDecl {
  Text name;
  std::string type;  ///< "string", "int", "bool", "duration", "list<string>"
  std::optional<Value> default_value;
  bool secret = false;
  Loc loc;
};

/// `name = value` inside a `use` block.
struct Binding {
  Text name;
  Value value;
};

/// `use "PATH" { bindings }`: this file is an environment of the plan at PATH.
struct Use {
  Text path;
  std::vector<Binding> bindings;
  Loc loc;
};

struct ArtifactDecl {
  Text name;
  std::optional<Text> url;
  std::optional<Text> signature;
  std::optional<Text> key_file;    ///< `public_key file "PATH"`
  std::optional<Text> key_inline;  ///< `public_key "PEM"`
  std::optional<Text> sha256;
  std::optional<Text> extract_to;
  std::optional<Loc> verify_none;  ///< where `verify none` was written
  Loc loc;
};

/// A guard before interpolation. Which fields are used follows asmplan::Guard.
struct GuardExpr {
  GuardKind kind = GuardKind::kPodsAllReady;
  Text ns;
  Text name;
  Text show;  ///< kPodsAllShow: the `N/M` word
  std::vector<Text> argv;
  std::vector<GuardExpr> operands;
  Loc loc;
};

/// `ID` or `ID[INDEX]` in `after`.
struct StepRef {
  Text name;
  std::optional<Text> index;
};

struct WaitStmt {
  GuardExpr guard;
  std::optional<Text> timeout;
  std::optional<Text> every;
  Loc loc;
};

struct StepDecl {
  Text name;
  std::optional<Text> index;  ///< `step ID[INDEX]`
  std::vector<StepRef> after;
  std::vector<std::vector<Text>> run;
  std::optional<Text> fetch;
  std::vector<GuardExpr> require;
  std::vector<GuardExpr> skip_if;
  std::vector<WaitStmt> waits;
  std::vector<GuardExpr> verify;
  std::optional<Text> timeout;
  std::optional<Text> retry;
  std::optional<Text> backoff;
  bool idempotent = false;
  std::optional<Text> confirm;
  Loc loc;  ///< the step's name
};

/// `for VAR in LIST [parallel N] { steps }`.
struct ForDecl {
  Text var;
  Value list;  ///< a literal list, or a scalar naming a list parameter (`namespaces`, `${ns}`)
  std::optional<Text> parallel;
  std::vector<StepDecl> steps;
  Loc loc;
};

/// A step or a `for` group, in declaration order.
struct PlanItem {
  bool is_for = false;
  size_t index = 0;  ///< into PlanDecl::steps or PlanDecl::fors
};

struct PlanDecl {
  Text name;
  std::optional<Text> title;
  std::vector<ParamDecl> params;
  std::vector<ArtifactDecl> artifacts;
  std::vector<StepDecl> steps;
  std::vector<ForDecl> fors;
  std::vector<PlanItem> items;
  Loc loc;
};

/// One source file: either a plan or an environment (`use`).
struct File {
  int id = -1;
  std::optional<Use> use;
  std::optional<PlanDecl> plan;
};

}  // namespace asmplan::ast
