#include "runtime/plan_diff.h"

#include <unordered_map>

namespace asmplan {
namespace {

bool SameWaits(const std::vector<WaitUntil>& a, const std::vector<WaitUntil>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].guard != b[i].guard || a[i].timeout_ms != b[i].timeout_ms ||
        a[i].every_ms != b[i].every_ms) {
      return false;
    }
  }
  return true;
}

bool SameArtifact(const Artifact* a, const Artifact* b) {
  if (!a || !b) return a == b;
  return a->url == b->url && a->signature_url == b->signature_url &&
         a->public_key_pem == b->public_key_pem && a->sha256 == b->sha256 &&
         a->extract_to == b->extract_to && a->verify_none == b->verify_none;
}

const Artifact* FindArtifact(const Plan& p, const std::string& name) {
  for (const Artifact& a : p.artifacts) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

int GroupLimit(const Plan& p, const std::string& name) {
  for (const Group& g : p.groups) {
    if (g.name == name) return g.parallel;
  }
  return 0;
}

bool SameStep(const Plan& pa, const Step& a, const Plan& pb, const Step& b) {
  return a.group == b.group && a.after == b.after && a.require == b.require &&
         a.skip_if == b.skip_if && a.fetch == b.fetch && a.run == b.run &&
         a.timeout_ms == b.timeout_ms && a.retries == b.retries && a.backoff_ms == b.backoff_ms &&
         SameWaits(a.wait_until, b.wait_until) && a.verify == b.verify &&
         a.idempotent == b.idempotent && a.confirm == b.confirm &&
         GroupLimit(pa, a.group) == GroupLimit(pb, b.group) &&
         (a.fetch.empty() || SameArtifact(FindArtifact(pa, a.fetch), FindArtifact(pb, b.fetch)));
}

}  // namespace

std::vector<StepChange> DiffSteps(const Plan& before, const Plan& after) {
  std::unordered_map<std::string, const Step*> old;
  for (const Step& s : before.steps) old.emplace(s.id, &s);
  std::vector<StepChange> out;
  for (const Step& s : after.steps) {
    auto it = old.find(s.id);
    if (it == old.end()) {
      out.push_back({s.id, "added"});
      continue;
    }
    if (!SameStep(before, *it->second, after, s)) out.push_back({s.id, "changed"});
    old.erase(it);
  }
  for (const Step& s : before.steps) {
    if (old.count(s.id)) out.push_back({s.id, "removed"});
  }
  return out;
}

std::string ChangeList(const std::vector<StepChange>& changes) {
  std::string out;
  for (const StepChange& c : changes)
    out += (out.empty() ? "" : ", ") + c.step + " (" + c.how + ")";
  return out;
}

}  // namespace asmplan
