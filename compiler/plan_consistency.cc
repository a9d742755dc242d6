#include "compiler/plan_consistency.h"

#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace asmplan {
namespace {

// An open-addressing index of step ids (views into the plan): one allocation for the whole
// table instead of one node per step, which makes checking a 100k-step plan several times faster
// than std::unordered_map.
class StepIndex {
 public:
  explicit StepIndex(const std::vector<Step>& steps) : steps_(steps) {
    size_t capacity = 16;
    while (capacity < steps.size() * 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
  }

  /// Adds step `i`; false when a step with the same id is already there.
  bool Insert(size_t i) {
    const std::uint64_t hash = Hash(steps_[i].id);
    for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
      Slot& slot = slots_[at];
      if (slot.index_plus_one == 0) {
        slot = {static_cast<std::uint32_t>(i + 1), static_cast<std::uint32_t>(hash >> 32)};
        return true;
      }
      if (Matches(slot, hash, steps_[i].id)) return false;
    }
  }

  /// The inserted step with `id`, or nullptr.
  const Step* Find(std::string_view id) const {
    const std::uint64_t hash = Hash(id);
    for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (slot.index_plus_one == 0) return nullptr;
      if (Matches(slot, hash, id)) return &steps_[slot.index_plus_one - 1];
    }
  }

 private:
  struct Slot {
    std::uint32_t index_plus_one = 0;  // 0: empty
    std::uint32_t hash_high = 0;       // compared first, so most misses skip the string compare
  };

  static std::uint64_t Hash(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a, then a final mix of the high bits down
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h ^ (h >> 29) * 0xbf58476d1ce4e5b9ull;
  }

  bool Matches(const Slot& slot, std::uint64_t hash, std::string_view id) const {
    return slot.hash_high == static_cast<std::uint32_t>(hash >> 32) &&
           steps_[slot.index_plus_one - 1].id == id;
  }

  const std::vector<Step>& steps_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

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

bool CheckCommands(const Step& s, std::string* err) {
  for (const auto& argv : s.run) {
    if (argv.empty() || argv[0].empty()) {
      *err = Named("step", s.id) + " has an empty command";
      return false;
    }
  }
  std::vector<const Guard*> guards;
  for (const auto* list : {&s.require, &s.skip_if, &s.verify}) {
    for (const Guard& g : *list) guards.push_back(&g);
  }
  for (const WaitUntil& w : s.wait_until) guards.push_back(&w.guard);
  while (!guards.empty()) {
    const Guard* g = guards.back();
    guards.pop_back();
    if (g->kind == GuardKind::kCommandSucceeds && (g->argv.empty() || g->argv[0].empty())) {
      *err = Named("step", s.id) + " has a `command [...]` guard with an empty command";
      return false;
    }
    for (const Guard& op : g->operands) guards.push_back(&op);
  }
  return true;
}

/// What the compiler requires of an artifact's verification and extraction.
bool CheckArtifact(const Artifact& a, std::string* err) {
  std::string what = Named("artifact", a.name);
  if (!IsWorkspacePath(a.extract_to)) {
    *err = what + " extracts to `" + a.extract_to + "`, not a relative path inside the workspace";
  } else if (!a.sha256.empty() && !IsSha256Hex(a.sha256)) {
    *err = what + " has a sha256 pin that is not 64 lower-case hex digits";
  } else if (a.signature_url.empty() && a.sha256.empty() && !a.verify_none) {
    *err = what + " is never verified (no signature, no sha256, no `verify none`)";
  } else if (a.verify_none && (!a.signature_url.empty() || !a.sha256.empty())) {
    *err = what + " says `verify none` and has a signature or sha256";
  } else if (!a.signature_url.empty() && (a.public_key_pem.empty() || a.key_fingerprint.empty())) {
    *err = what + " has a signature but no public key and fingerprint";
  } else {
    return true;
  }
  return false;
}

bool CheckGroups(const Plan& plan, const StepIndex& steps,
                 std::unordered_set<std::string_view>* names, std::string* err) {
  for (const Group& g : plan.groups) {
    if (!names->insert(g.name).second || g.parallel < 0) {
      *err = Named("group", g.name) + " is declared twice or has a negative parallelism";
      return false;
    }
    for (const std::string& id : g.steps) {
      const Step* step = steps.Find(id);
      if (step == nullptr || step->group != g.name) {
        *err = Named("group", g.name) + " lists " + Named("step", id) + ", not a step of it";
        return false;
      }
    }
  }
  return true;
}

// Letters, digits, `_`, `-` and the characters in `also`, and nothing else.
bool OnlyNameCharacters(std::string_view s, std::string_view also = "") {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || also.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool IsWorkspacePath(const std::string& p) {
  if (p.empty() || p[0] == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string::npos) slash = p.size();
    if (p.compare(start, slash - start, "..") == 0 && slash - start == 2) return false;
    start = slash + 1;
  }
  return true;
}

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool IsStepName(const std::string& s) {
  return !s.empty() && !(s[0] >= '0' && s[0] <= '9') && s[0] != '-' && OnlyNameCharacters(s);
}

bool IsStepId(const std::string& s) {
  size_t open = s.find('[');
  if (open == std::string::npos) return IsStepName(s);
  return IsStepName(s.substr(0, open)) && s.size() >= open + 3 && s.back() == ']' &&
         OnlyNameCharacters(std::string_view(s).substr(open + 1, s.size() - open - 2), ".");
}

bool CheckPlanConsistency(const Plan& plan, std::string* err) {
  if (!IsStepName(plan.name)) {
    *err = "plan name `" + plan.name + "` is not letters, digits, `_` and `-`";
    return false;
  }
  std::unordered_set<std::string_view> artifacts;
  for (const Artifact& a : plan.artifacts) {
    if (!artifacts.insert(a.name).second) {
      *err = Named("artifact", a.name) + " is declared twice";
      return false;
    }
    if (!CheckArtifact(a, err)) return false;
  }
  StepIndex steps(plan.steps);
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    for (const std::string& dep : s.after) {
      if (steps.Find(dep) == nullptr) {
        *err = Named("step", s.id) + " runs after " + Named("step", dep) +
               ", which is not an earlier step";
        return false;
      }
    }
    if (!s.fetch.empty() && artifacts.count(s.fetch) == 0) {
      *err = Named("step", s.id) + " fetches an unknown " + Named("artifact", s.fetch);
      return false;
    }
    if (!CheckStepFields(s, err) || !CheckCommands(s, err)) return false;
    if (s.id.empty() || !steps.Insert(i)) {
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
