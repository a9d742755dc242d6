// `asmplan run --dry-run`: every command exactly as it would run, in execution order, one per
// line (shell-quoted where needed), with the step's guards and gates as `#` comments around
// them. Secret parameters stay as `${NAME}`. Nothing is executed or written.
#pragma once

#include <string>

#include "compiler/plan_model.h"

namespace asmplan {

std::string DryRunText(const Plan& plan);

}  // namespace asmplan
