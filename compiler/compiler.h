// The compiler's public API: .asmplan source (plus environment files and bound values) ->
// the compiled Plan, or diagnostics.
#pragma once

#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/file_reader.h"
#include "compiler/plan_model.h"

namespace asmplan {

struct CompileInput {
  std::string path;               ///< the plan or environment file; "-" reads standard input
  std::vector<std::string> sets;  ///< `NAME=VALUE` from --set, in command-line order
  std::string values_path;        ///< a YAML values file (--values), or ""
  FileReader* reader = nullptr;   ///< nullptr: the file system
};

/// Compiles `in` into `out`. All problems go to `diags` (warnings too); returns false when there
/// is at least one error, and then `out` is unspecified. Never throws.
/// Parameter precedence, lowest first: default < environment files (the file compiled wins over
/// the files it uses) < --values < --set.
bool CompilePlan(const CompileInput& in, Plan* out, Diagnostics* diags);

/// Whether CompilePlan() failed because the file given to it (`path`) could not be read: an I/O
/// problem (exit 1), not an invalid plan (exit 2).
bool InputUnreadable(const Diagnostics& diags, const std::string& path);

}  // namespace asmplan
