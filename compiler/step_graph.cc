#include "compiler/step_graph.h"

#include <functional>
#include <queue>

namespace asmplan {
namespace {

// Every step left over by Kahn's algorithm waits on another left-over step, so walking from any
// of them along unfinished dependencies must revisit a step: that loop is a cycle.
std::vector<int> FindCycle(const StepGraph& graph, const std::vector<bool>& done) {
  size_t n = graph.deps.size();
  int start = 0;
  while (static_cast<size_t>(start) < n && done[start]) ++start;
  std::vector<int> seen_at(n, -1), path;
  int node = start;
  while (seen_at[node] < 0) {
    seen_at[node] = static_cast<int>(path.size());
    path.push_back(node);
    for (int dep : graph.deps[node]) {
      if (!done[dep]) {
        node = dep;
        break;
      }
    }
  }
  std::vector<int> cycle(path.begin() + seen_at[node], path.end());
  cycle.push_back(node);
  return cycle;
}

}  // namespace

bool TopologicalOrder(const StepGraph& graph, std::vector<int>* order, std::vector<int>* cycle) {
  size_t n = graph.deps.size();
  std::vector<int> waiting(n, 0);
  std::vector<std::vector<int>> dependents(n);
  for (size_t i = 0; i < n; ++i) {
    for (int dep : graph.deps[i]) {
      ++waiting[i];
      dependents[dep].push_back(static_cast<int>(i));
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push(static_cast<int>(i));
  }
  std::vector<bool> done(n, false);
  order->clear();
  order->reserve(n);
  while (!ready.empty()) {
    int next = ready.top();
    ready.pop();
    done[next] = true;
    order->push_back(next);
    for (int d : dependents[next]) {
      if (--waiting[d] == 0) ready.push(d);
    }
  }
  if (order->size() == n) return true;
  *cycle = FindCycle(graph, done);
  return false;
}

}  // namespace asmplan
