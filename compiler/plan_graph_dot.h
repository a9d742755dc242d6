// The step graph of a compiled plan as Graphviz DOT, for `asmplan graph`.
#pragma once

#include <string>

#include "compiler/plan_model.h"

namespace asmplan {

/// A `digraph` with one node per step (in execution order, labelled with its id and what it
/// does), an edge from each dependency to its dependent, and one cluster per `for` group.
/// Deterministic: the same plan gives the same text.
std::string RenderDot(const Plan& plan);

}  // namespace asmplan
