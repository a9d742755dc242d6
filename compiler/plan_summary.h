// The human-readable summary `asmplan show` prints for a verified compiled plan.
#pragma once

#include <string>
#include <string_view>

#include "compiler/plan_model.h"

namespace asmplan {

/// Renders `plan` for a reviewer: name, title, hash, sources, parameters with their sources
/// (secrets as the environment variable that supplies them, never a value), artifacts with key
/// fingerprints, groups with parallelism, then every step in execution order with its
/// dependencies, guards, commands, limits and gates.
std::string RenderPlanSummary(const Plan& plan);

/// `arg` as a reader would type it in a shell: bare when it has only safe characters, in single
/// quotes when that is exact, else JSON-quoted. For display only: asmplan never runs a shell.
std::string DisplayWord(std::string_view arg);

}  // namespace asmplan
