// Which steps differ between two compiled plans: what `resume` names when it refuses a changed
// plan, and what --accept-changes checks against the checkpoint.
#pragma once

#include <string>
#include <vector>

#include "compiler/plan_model.h"

namespace asmplan {

struct StepChange {
  std::string step;
  std::string how;  ///< "added", "removed", "changed"
};

/// Steps of `before` and `after` that differ: added, removed, or changed in anything the executor
/// uses (commands, guards, dependencies, limits, the artifact it fetches, its group's limit).
/// In `after`'s order, removed steps last.
std::vector<StepChange> DiffSteps(const Plan& before, const Plan& after);

/// "a (changed), b (added)".
std::string ChangeList(const std::vector<StepChange>& changes);

}  // namespace asmplan
