// Reads the body of a compiled plan (everything after its sha256 line) into a Plan.
#pragma once

#include <string>
#include <string_view>

#include "compiler/plan_model.h"

namespace asmplan {

/// Parses `body`, the text after the sha256 line, which starts at line `first_line`, into `plan`
/// (whose sha256 the caller has set). Accepts exactly the layout WriteCompiledPlan writes; for
/// anything else returns false with "compiled plan line N: ..." in `err`. Never throws.
bool ParseCompiledPlanBody(std::string_view body, int first_line, Plan* plan, std::string* err);

}  // namespace asmplan
