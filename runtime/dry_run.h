// `asmplan run --dry-run`: every command exactly as it would run, in execution order, one per
// line (shell-quoted where needed), with the step's guards and gates as `#` comments around
// them, after a line naming the directory the commands would run in (relative paths in them, such
// as an extracted release's istioctl, are relative to it). Secret parameters stay as `${NAME}`.
// Control and invisible characters are shown escaped. Nothing is executed or written.
#pragma once

#include <string>

#include "compiler/plan_model.h"

namespace asmplan {

std::string DryRunText(const Plan& plan, const std::string& workspace);

}  // namespace asmplan
