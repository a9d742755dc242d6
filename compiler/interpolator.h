// `${name}` substitution in words and strings, against the parameters and a `for` variable.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/param_table.h"

namespace asmplan {

/// A name `${NAME}` can refer to: letters, digits and `_`, not starting with a digit.
bool IsIdentifier(const std::string& s);

/// Where a text is used decides what it may refer to.
enum class TextUse {
  kArgv,    ///< a `run`/`command` argument: a lone `${list}` splices; secrets stay `${NAME}`
  kGuard,   ///< a guard operand: one value; secrets stay `${NAME}`
  kScalar,  ///< anything else (ids, URLs, durations, counts): one value; no secrets
};

/// The names visible in a text: the plan's parameters and, inside a `for`, its variable.
struct Scope {
  ParamTable* params = nullptr;
  const std::string* var = nullptr;         ///< the `for` variable's name, or nullptr
  const std::string* var_value = nullptr;   ///< its value in the current expansion
  const std::string* var_origin = nullptr;  ///< where the loop's list comes from, for notes
};

/// For a diagnostic about a substituted value: where the first `${NAME}` in `text` got its
/// value, e.g. {"`ns` comes from `namespaces`, set at plans/envs/prod.asmplan:4"}; {} if none.
std::vector<std::string> ValueOrigin(const ast::Text& text, const Scope& scope);

/// Substitutes `text`, appending the resulting argument(s) to `out` (exactly one unless a lone
/// `${list}` in kArgv). Marks referenced parameters used. False after reporting unknown-param,
/// type-mismatch, secret-not-allowed or invalid-interpolation.
bool Interpolate(const ast::Text& text, const Scope& scope, TextUse use, Diagnostics* diags,
                 std::vector<std::string>* out);

/// The single-value form: false (and `*out` untouched) after reporting.
bool InterpolateOne(const ast::Text& text, const Scope& scope, TextUse use, Diagnostics* diags,
                    std::string* out);

/// If `text` is exactly `${NAME}` (or, unquoted, a bare NAME when `bare_name` is set), NAME.
std::string LoneReference(const ast::Text& text, bool bare_name);

}  // namespace asmplan
