// PlanBuilder, part 4: `for` expansion, step registration, dependencies and execution order.
#include "compiler/plan_builder.h"

#include <algorithm>
#include <unordered_set>

#include "compiler/did_you_mean.h"
#include "compiler/plan_consistency.h"
#include "compiler/step_graph.h"

namespace asmplan {

void PlanBuilder::Build(const ast::PlanDecl& decl, Plan* out) {
  LowerArtifacts(decl, out);
  steps_.reserve(decl.steps.size());
  step_locs_.reserve(decl.steps.size());
  refs_.reserve(decl.steps.size());
  step_index_.reserve(decl.steps.size());
  Scope scope{params_, nullptr, nullptr};
  for (const ast::PlanItem& item : decl.items) {
    if (!diags_->WantsMore()) return;
    if (item.is_for) {
      ExpandFor(decl.fors[item.index]);
    } else {
      LowerStep(decl.steps[item.index], scope, "");
    }
  }
  // The body of a `for` over an empty list is checked too (a typo in it must not wait for the
  // environment whose list is not empty): expanded once with a sample value, then dropped.
  const size_t real_steps = steps_.size();
  for (const auto& [decl, group_of] : unexpanded_) {
    static const std::string kSample = "sample";
    std::string origin = "a sample value (the list is empty, so no step comes of it)";
    Scope sample{params_, &decl->var.value, &kSample, &origin};
    for (const ast::StepDecl& step : decl->steps) LowerStep(step, sample, "");
  }
  std::vector<std::vector<int>> deps;
  ResolveDependencies(real_steps, &deps);
  steps_.resize(real_steps);
  deps.resize(real_steps);  // no real step depends on a sample one: they are in no group
  // Cycles are reported beside the other errors: every edge in `deps` is a real `after`.
  if (!diags_->WantsMore()) return;
  if (diags_->HasErrors()) {
    ReportCycles(deps);
    return;
  }
  Order(deps, out);
  out->groups = std::move(groups_);
}

bool PlanBuilder::ForValues(const ast::ForDecl& decl, std::vector<std::string>* values) {
  Scope scope{params_, nullptr, nullptr};
  if (decl.list.is_list) {
    bool ok = true;
    for (const ast::Text& item : decl.list.items) {
      values->emplace_back();
      ok = InterpolateOne(item, scope, TextUse::kScalar, diags_, &values->back()) && ok;
    }
    return ok;
  }
  // `for ns in namespaces` or `for ns in ${namespaces}`: a list parameter.
  const ast::Text& text = decl.list.scalar;
  std::string name = LoneReference(text, true);
  ResolvedParam* p = params_->Find(name);
  if (!p) {
    diags_->Error("unknown-param", text.loc,
                  "unknown parameter " + Code(name.empty() ? text.value : name),
                  DidYouMean(name, params_->Names()));
    return false;
  }
  p->used = true;
  if (p->type != "list<string>") {
    diags_->Error("type-mismatch", text.loc,
                  "`for` needs a list, " + Code(name) + " is of type `" + p->type + "`");
    return false;
  }
  // A list whose binding was refused (reported there) expands to nothing: its groups still
  // exist, so `after GROUP` elsewhere does not add errors of its own.
  *values = p->broken ? std::vector<std::string>{} : p->list;
  // A required list bound to nothing (`--set namespaces=`) is likely a mistake: the plan would
  // restart nothing and succeed.
  if (!p->broken && p->list.empty() && p->decl && !p->decl->default_value) {
    diags_->Warning("empty-list", text.loc,
                    Code(name) + " is bound to an empty list (from " + p->source +
                        "): this `for` makes no steps");
  }
  return true;
}

void PlanBuilder::ExpandFor(const ast::ForDecl& decl) {
  const std::string& var = decl.var.value;
  if (params_->Find(var)) {
    diags_->Error("shadowed-param", decl.var.loc,
                  "loop variable " + Code(var) + " has the name of a parameter");
    return;
  }
  std::vector<std::string> values;
  int parallel = 0;
  Scope outer{params_, nullptr, nullptr};
  // A bad `parallel` is reported but still expands, so the body's own errors show as well.
  if (decl.parallel) Count(*decl.parallel, outer, 1, &parallel);
  if (!ForValues(decl, &values)) return;
  // One group per step name in the body; `after NAME` means all of its expansions.
  std::vector<int> group_of(decl.steps.size());
  for (size_t i = 0; i < decl.steps.size(); ++i) {
    const ast::StepDecl& s = decl.steps[i];
    if (step_index_.count(s.name.value)) {
      diags_->Error("duplicate-step", s.name.loc,
                    "group " + Code(s.name.value) + " has the name of a step",
                    {"the step is declared at line " +
                     std::to_string(step_locs_[step_index_[s.name.value]].line)});
      return;
    }
    auto [it, fresh] = group_index_.emplace(s.name.value, static_cast<int>(groups_.size()));
    if (fresh) {
      groups_.push_back(Group{s.name.value, parallel, {}});
      group_locs_.push_back(s.loc);
    } else if (group_locs_[it->second].line != s.loc.line ||
               group_locs_[it->second].file != s.loc.file) {
      diags_->Error("duplicate-step", s.name.loc, "group " + Code(s.name.value) + " declared twice",
                    {"first declared at line " + std::to_string(group_locs_[it->second].line)});
      return;
    }
    group_of[i] = it->second;
  }
  std::string origin = "the list at line " + std::to_string(decl.list.loc.line);
  ResolvedParam* p =
      decl.list.is_list ? nullptr : params_->Find(LoneReference(decl.list.scalar, true));
  if (p) {
    origin = Code(p->name) + (p->source == "default" ? " (its default)" : ", set at " + p->source);
  }
  if (values.empty()) {
    if (!p || !p->broken) unexpanded_.push_back({&decl, group_of});
    return;
  }
  // Large expansions: grow the step tables once, not by repeated rehashing.
  size_t expected = steps_.size() + values.size() * decl.steps.size();
  steps_.reserve(expected);
  step_locs_.reserve(expected);
  refs_.reserve(expected);
  step_index_.reserve(expected);
  for (const std::string& value : values) {
    Scope scope{params_, &var, &value, &origin};
    for (size_t i = 0; i < decl.steps.size(); ++i) {
      size_t before = steps_.size();
      LowerStep(decl.steps[i], scope, groups_[group_of[i]].name);
      if (steps_.size() > before) groups_[group_of[i]].steps.push_back(steps_.back().id);
    }
    if (!diags_->WantsMore()) return;
  }
}

bool PlanBuilder::AddStep(Step step, const ast::Loc& loc) {
  const std::string& name = step.id.substr(0, step.id.find('['));
  if (!IsStepName(name)) {
    diags_->Error("invalid-name", loc, "invalid step name " + Code(name),
                  {"step names are letters, digits, `_` and `-`, not starting with a digit"});
    return false;
  }
  if (!IsStepId(step.id)) {
    diags_->Error("invalid-name", loc, "invalid step id " + Code(step.id),
                  {"an index (a `for` value) holds letters, digits, `_`, `-` and `.`"});
    return false;
  }
  auto group = group_index_.find(step.id);
  if (group != group_index_.end() || step_index_.count(step.id)) {
    int line = group != group_index_.end() ? group_locs_[group->second].line
                                           : step_locs_[step_index_[step.id]].line;
    std::string why = step.group.empty() ? "" : ", after expanding `for`";
    std::string note = line == loc.line && !step.group.empty()
                           ? "the `for` list holds the same value more than once"
                           : "first declared at line " + std::to_string(line);
    diags_->Error("duplicate-step", loc, "step " + Code(step.id) + " declared twice" + why, {note});
    return false;
  }
  step_index_.emplace(step.id, static_cast<int>(steps_.size()));
  step_locs_.push_back(loc);
  steps_.push_back(std::move(step));
  return true;
}

void PlanBuilder::ResolveDependencies(size_t real_steps, std::vector<std::vector<int>>* deps) {
  deps->resize(steps_.size());
  for (size_t i = 0; i < steps_.size(); ++i) {
    std::vector<int>& d = (*deps)[i];
    for (const PendingRef& ref : refs_[i]) {
      auto step = step_index_.find(ref.id);
      if (step != step_index_.end() && i < real_steps &&
          static_cast<size_t>(step->second) >= real_steps)
        step = step_index_.end();  // a sample step: no real step comes of it
      auto group = ref.id == ref.name ? group_index_.find(ref.name) : group_index_.end();
      if (step != step_index_.end()) {
        d.push_back(step->second);
      } else if (group != group_index_.end()) {
        for (const std::string& id : groups_[group->second].steps) d.push_back(step_index_[id]);
      } else {
        ReportUnknownStep(ref);
        if (!diags_->WantsMore()) return;
      }
    }
    if (refs_[i].size() > 1) {  // keep the first mention of each dependency
      std::unordered_set<int> seen;
      d.erase(std::remove_if(d.begin(), d.end(), [&](int x) { return !seen.insert(x).second; }),
              d.end());
    }
  }
}

void PlanBuilder::ReportUnknownStep(const PendingRef& ref) {
  std::vector<std::string> names;
  for (const Group& g : groups_) names.push_back(g.name);
  for (const Step& s : steps_) {
    if (s.group.empty() || ref.id != ref.name) names.push_back(s.id);
  }
  diags_->Error("unknown-step", ref.loc, "unknown step or group " + Code(ref.id),
                DidYouMean(ref.id, names));
}

bool PlanBuilder::ReportCycles(const std::vector<std::vector<int>>& deps, std::vector<int>* order) {
  std::vector<int> local, cycle;
  if (!order) order = &local;
  if (TopologicalOrder(StepGraph{deps}, order, &cycle)) return true;
  // Every cycle, not just the first: each one found is broken (its first edge dropped) and the
  // graph searched again, up to the error limit.
  std::vector<std::vector<int>> rest = deps;
  do {
    std::string path;
    for (size_t i = 0; i < cycle.size(); ++i) path += (i ? " -> " : "") + steps_[cycle[i]].id;
    diags_->Error("dependency-cycle", step_locs_[cycle[0]], "dependency cycle: `" + path + "`",
                  {"each step runs after the next one in the cycle"});
    std::vector<int>& d = rest[cycle[0]];
    auto edge = std::find(d.begin(), d.end(), cycle[1]);
    if (edge == d.end()) break;  // not a cycle of these edges: never loop
    d.erase(edge);
  } while (diags_->WantsMore() && !TopologicalOrder(StepGraph{rest}, &local, &cycle));
  return false;
}

void PlanBuilder::Order(const std::vector<std::vector<int>>& deps, Plan* out) {
  std::vector<int> order;
  if (!ReportCycles(deps, &order)) return;
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (int d : deps[i]) steps_[i].after.push_back(steps_[d].id);
  }
  out->steps.reserve(steps_.size());
  for (int i : order) out->steps.push_back(std::move(steps_[i]));
}

}  // namespace asmplan
