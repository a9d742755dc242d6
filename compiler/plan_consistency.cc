#include "compiler/plan_consistency.h"

#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace asmplan {
namespace {

std::string Named(std::string_view what, std::string_view name) {
  return std::string(what) + " `" + std::string(name) + "`";
}

bool CheckStepFields(const Step& s, std::string* err) {
  if (s.timeout_ms < 0 || s.backoff_ms < 0 || s.retries < 0) {
    *err = Named("step", s.id) + " has a negative timeout, retry count or backoff";
    return false;
  }
  for (const WaitUntil& w : s.wait_until) {
    if (w.timeout_ms <= 0 || w.every_ms <= 0) {
      *err = Named("step", s.id) + " waits without a positive timeout and interval";
      return false;
    }
  }
  return true;
}

bool CheckGroups(const Plan& plan, const std::unordered_map<std::string_view, size_t>& steps,
                 std::unordered_set<std::string_view>* names, std::string* err) {
  for (const Group& g : plan.groups) {
    if (!names->insert(g.name).second || g.parallel < 0) {
      *err = Named("group", g.name) + " is declared twice or has a negative parallelism";
      return false;
    }
    for (const std::string& id : g.steps) {
      auto it = steps.find(id);
      if (it == steps.end() || plan.steps[it->second].group != g.name) {
        *err = Named("group", g.name) + " lists " + Named("step", id) + ", not a step of it";
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool CheckPlanConsistency(const Plan& plan, std::string* err) {
  std::unordered_set<std::string_view> artifacts;
  for (const Artifact& a : plan.artifacts) {
    if (!artifacts.insert(a.name).second) {
      *err = Named("artifact", a.name) + " is declared twice";
      return false;
    }
  }
  std::unordered_map<std::string_view, size_t> steps;
  steps.reserve(plan.steps.size());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    for (const std::string& dep : s.after) {
      if (steps.count(dep) == 0) {
        *err = Named("step", s.id) + " runs after " + Named("step", dep) +
               ", which is not an earlier step";
        return false;
      }
    }
    if (!s.fetch.empty() && artifacts.count(s.fetch) == 0) {
      *err = Named("step", s.id) + " fetches an unknown " + Named("artifact", s.fetch);
      return false;
    }
    if (!CheckStepFields(s, err)) return false;
    if (s.id.empty() || !steps.emplace(s.id, i).second) {
      *err = Named("step", s.id) + " is empty or not unique";
      return false;
    }
  }
  std::unordered_set<std::string_view> groups;
  if (!CheckGroups(plan, steps, &groups, err)) return false;
  for (const Step& s : plan.steps) {
    if (!s.group.empty() && groups.count(s.group) == 0) {
      *err = Named("step", s.id) + " belongs to an unknown " + Named("group", s.group);
      return false;
    }
  }
  return true;
}

}  // namespace asmplan
