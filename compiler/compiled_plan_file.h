// Loading a compiled plan from a file: what `asmplan show` and the executor pay at start.
#pragma once

#include <string>

#include "compiler/plan_model.h"

namespace asmplan {

/// What LoadCompiledPlanFile came to; callers map these to exit codes 0, 1 and 2.
enum class PlanFileStatus {
  kOk,
  kUnreadable,  ///< the file could not be opened or read
  kInvalid,     ///< not a compiled plan, malformed, inconsistent or edited after compiling
};

/// Reads the compiled plan at `path` ("-" is standard input) and verifies and parses it with
/// ReadCompiledPlan. A regular file is memory-mapped rather than copied. On failure `err` holds
/// the reason, without the path ("cannot read the compiled plan: ...", or ReadCompiledPlan's).
/// A pipe or a terminal is read to its end (at most 256 MiB); another device is refused. With
/// `text`, its bytes are kept there too.
PlanFileStatus LoadCompiledPlanFile(const std::string& path, Plan* plan, std::string* err,
                                    std::string* text = nullptr);

}  // namespace asmplan
