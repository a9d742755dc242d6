#include "runtime/scheduler.h"

namespace asmplan {

Scheduler::Scheduler(const Plan& plan, int jobs) : plan_(plan), jobs_(jobs < 1 ? 1 : jobs) {
  size_t n = plan.steps.size();
  index_.reserve(n);
  for (size_t i = 0; i < n; ++i) index_.emplace(plan.steps[i].id, static_cast<int>(i));
  std::unordered_map<std::string, int> group_index;
  for (const Group& g : plan.groups) {
    group_index.emplace(g.name, static_cast<int>(group_limit_.size()));
    group_limit_.push_back(g.parallel);
  }
  group_active_.assign(group_limit_.size(), 0);
  pending_deps_.assign(n, 0);
  dependents_.resize(n);
  group_of_.assign(n, -1);
  done_.assign(n, false);
  done_before_.assign(n, false);
  ready_at_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const Step& s = plan.steps[i];
    for (const std::string& dep : s.after) {
      auto it = index_.find(dep);
      if (it == index_.end()) continue;  // the compiler guarantees it exists; be lenient
      ++pending_deps_[i];
      dependents_[it->second].push_back(static_cast<int>(i));
    }
    auto g = group_index.find(s.group);
    if (!s.group.empty() && g != group_index.end()) group_of_[i] = g->second;
    if (pending_deps_[i] == 0) ready_.insert(static_cast<int>(i));
  }
}

int Scheduler::IndexOf(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : it->second;
}

void Scheduler::MarkDone(int step) {
  ready_.erase(step);
  done_before_[step] = true;
  if (pending_deps_[step] == 0) Release(step);
}

void Scheduler::Release(int step) {
  // Iterative: a chain of steps done before can be as long as the plan.
  std::vector<int>& releasing = releasing_;  // kept: no allocation per finished step
  releasing.assign(1, step);
  bool counted = false;
  while (!releasing.empty()) {
    int s = releasing.back();
    releasing.pop_back();
    if (done_[s]) continue;
    done_[s] = true;
    for (int d : dependents_[s]) {
      if (--pending_deps_[d] != 0 || done_[d]) continue;
      if (done_before_[d]) {
        releasing.push_back(d);
      } else {
        ready_.insert(d);
        if (!counted) ++releases_;
        counted = true;
        ready_at_[d] = releases_;
      }
    }
  }
}

std::vector<int> Scheduler::TakeStartable(const std::function<bool(int)>& only) {
  std::vector<int> out;
  for (auto it = ready_.begin(); it != ready_.end() && active_ < jobs_;) {
    if (only && !only(*it)) {
      ++it;
      continue;
    }
    int g = group_of_[*it];
    if (g >= 0 && group_limit_[g] > 0 && group_active_[g] >= group_limit_[g]) {
      ++it;  // its group is full; a later step of another group may still start
      continue;
    }
    if (g >= 0) ++group_active_[g];
    ++active_;
    out.push_back(*it);
    it = ready_.erase(it);
  }
  return out;
}

std::vector<int> Scheduler::FirstReady(size_t n) const {
  std::vector<int> out;
  for (auto it = ready_.begin(); it != ready_.end() && out.size() < n; ++it) out.push_back(*it);
  return out;
}

bool Scheduler::HasReady(const std::function<bool(int)>& pred) const {
  for (int step : ready_) {
    if (pred(step)) return true;
  }
  return false;
}

void Scheduler::Finish(int step, bool done) {
  --active_;
  int g = group_of_[step];
  if (g >= 0) --group_active_[g];
  if (done) Release(step);
}

}  // namespace asmplan
