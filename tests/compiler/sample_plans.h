// Plans built in code for the compiled plan tests: every field populated, awkward strings.
#pragma once

#include "compiler/plan_model.h"

namespace asmplan::testing {

/// A guard of kind `kind` with all the fields that kind uses filled in.
Guard SampleGuard(GuardKind kind);

/// A plan in which every field of every struct is set, including nested and/or/not guards,
/// strings with quotes, apostrophes, backslashes, newlines, unicode and `${secret}` references.
Plan FullPlan();

/// A plan with `steps` simple steps in one `for` group, like the benchmark's expanded plans.
Plan WidePlan(int steps);

}  // namespace asmplan::testing
