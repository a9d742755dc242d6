#include "compiler/plan_graph_dot.h"

namespace asmplan {
namespace {

// A DOT double-quoted string.
std::string DotQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string Label(const Step& step) {
  std::string what;
  if (!step.fetch.empty()) what = "fetch " + step.fetch;
  if (!step.run.empty() && !step.run[0].empty()) {
    what = step.run[0][0] + (step.run[0].size() > 1 ? " " + step.run[0][1] : "");
    if (step.run.size() > 1) what += " (+" + std::to_string(step.run.size() - 1) + ")";
  }
  if (!step.confirm.empty()) what = "confirm";
  return what.empty() ? step.id : step.id + "\n" + what;
}

}  // namespace

std::string RenderDot(const Plan& plan) {
  std::string out = "digraph " + DotQuote(plan.name) + " {\n";
  out += "  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n";
  for (size_t g = 0; g < plan.groups.size(); ++g) {
    const Group& group = plan.groups[g];
    std::string label = "for " + group.name +
                        (group.parallel > 0 ? ", parallel " + std::to_string(group.parallel) : "");
    out += "  subgraph " + DotQuote("cluster_" + group.name) + " {\n    label=" + DotQuote(label) +
           ";\n";
    for (const std::string& id : group.steps) out += "    " + DotQuote(id) + ";\n";
    out += "  }\n";
  }
  for (const Step& step : plan.steps) {
    out += "  " + DotQuote(step.id) + " [label=" + DotQuote(Label(step));
    if (!step.confirm.empty()) out += ", shape=diamond";
    out += "];\n";
  }
  for (const Step& step : plan.steps) {
    for (const std::string& dep : step.after)
      out += "  " + DotQuote(dep) + " -> " + DotQuote(step.id) + ";\n";
  }
  return out + "}\n";
}

}  // namespace asmplan
