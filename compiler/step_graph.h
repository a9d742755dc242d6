// The step graph: dependencies between steps, cycle detection and the execution order.
#pragma once

#include <string>
#include <vector>

namespace asmplan {

/// Steps are numbered 0..n-1 in declaration order; deps[i] lists the steps i runs after.
struct StepGraph {
  std::vector<std::vector<int>> deps;
};

/// A deterministic topological order: among the steps ready to run, the earliest declared comes
/// first. O((n + e) log n). On a cycle returns false and one cycle in `cycle`, starting and ending
/// with the same step, each step depending on the next (`a -> b -> a`: a runs after b, b after a).
bool TopologicalOrder(const StepGraph& graph, std::vector<int>* order, std::vector<int>* cycle);

}  // namespace asmplan
