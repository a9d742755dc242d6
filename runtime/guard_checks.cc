#include "runtime/guard_checks.h"

#include "runtime/argv_text.h"
#include "runtime/kubectl_client.h"

namespace asmplan {
namespace {

std::string Ref(const PodInfo& p) { return p.ns + "/" + p.name; }

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string JoinWith(const std::vector<std::string>& parts, const std::string& sep) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : sep) + p;
  return s;
}

std::vector<const PodInfo*> LivePods(const std::vector<PodInfo>& pods) {
  std::vector<const PodInfo*> live;
  for (const auto& p : pods)
    if (!p.Finished()) live.push_back(&p);
  return live;
}

GuardObservation Holds(std::string summary) {
  GuardObservation o;
  o.holds = true;
  o.summary = std::move(summary);
  return o;
}

/// Does not hold; with no details given, the summary is the only detail.
GuardObservation Fails(std::string summary, std::vector<std::string> details = {}) {
  GuardObservation o;
  o.summary = std::move(summary);
  o.details = details.empty() ? std::vector<std::string>{o.summary} : std::move(details);
  return o;
}

/// "terminating (grace period until 2026-11-27T07:20:00Z; finalizers: example.com/protect)": a pod
/// still there long after its grace period ended usually waits for a finalizer or its node.
std::string Terminating(const PodInfo& p) {
  std::vector<std::string> notes;
  if (!p.deletion_timestamp.empty()) notes.push_back("grace period until " + p.deletion_timestamp);
  if (!p.finalizers.empty()) notes.push_back("finalizers: " + JoinWith(p.finalizers, ", "));
  return notes.empty() ? "terminating" : "terminating (" + JoinWith(notes, "; ") + ")";
}

GuardObservation NoPods(const std::string& ns) { return Fails("no pods in namespace " + ns); }

/// "istio-proxy not ready (CrashLoopBackOff, 7 restarts)"
std::string ContainerProblem(const ContainerInfo& c) {
  std::string why = !c.reason.empty() ? c.reason : !c.state.empty() ? c.state : "no status yet";
  if (c.restart_count > 0) why += ", " + Plural(c.restart_count, "restart");
  return c.name + " not ready (" + why + ")";
}

/// "discovery at 1.6.14-asm.1" for each container not at `version`.
std::vector<std::string> VersionProblems(const PodInfo& p, const std::string& version) {
  std::vector<std::string> out;
  for (const auto& c : p.containers) {
    std::string tag = ImageTag(c.image);
    if (tag != version)
      out.push_back(c.name + " at " + (tag.empty() ? "untagged " + c.image : tag));
  }
  return out;
}

std::string RolloutProblem(const DeploymentInfo& d) {
  auto n = [](std::int64_t v) { return std::to_string(v); };
  // The order and the tests of `kubectl rollout status` (kubectl's DeploymentStatusViewer).
  if (d.generation > d.observed_generation)
    return "waiting for the rollout to be observed (generation " + n(d.generation) + ", observed " +
           n(d.observed_generation) + ")";
  if (d.progress_deadline_exceeded) return "progress deadline exceeded";
  if (d.updated_replicas < d.spec_replicas)
    return n(d.updated_replicas) + " of " + n(d.spec_replicas) + " replicas updated";
  if (d.replicas > d.updated_replicas)
    return n(d.replicas - d.updated_replicas) + " old replicas pending termination";
  if (d.available_replicas < d.updated_replicas)
    return n(d.available_replicas) + " of " + n(d.updated_replicas) + " updated replicas available";
  return "";
}

}  // namespace

std::string DescribeReadiness(const PodInfo& pod) {
  std::string s =
      std::to_string(pod.ReadyCount()) + "/" + std::to_string(pod.containers.size()) + " ready";
  for (const auto& c : pod.containers)
    if (!c.ready) s += ", " + ContainerProblem(c);
  return s;
}

GuardObservation CheckPodsAllShow(const std::string& ns, const std::vector<PodInfo>& pods,
                                  int ready, int total) {
  std::vector<const PodInfo*> live = LivePods(pods);
  if (live.empty()) return NoPods(ns);
  const std::string want = std::to_string(ready) + "/" + std::to_string(total);
  std::vector<std::string> details;
  size_t good = 0;
  for (const PodInfo* p : live) {
    if (p->terminating) {
      details.push_back(Ref(*p) + ": " + Terminating(*p));
    } else if (p->ReadyCount() == ready && static_cast<int>(p->containers.size()) == total) {
      ++good;
    } else {
      std::string d = Ref(*p) + ": " + DescribeReadiness(*p);
      if (static_cast<int>(p->containers.size()) != total || p->ReadyCount() > ready)
        d += ", expected " + want;
      details.push_back(d);
    }
  }
  std::string summary =
      std::to_string(good) + " of " + Plural(live.size(), "pod") + " in " + ns + " show " + want;
  return details.empty() ? Holds(summary) : Fails(summary, details);
}

GuardObservation CheckPodsAllReady(const std::string& ns, const std::vector<PodInfo>& pods) {
  std::vector<const PodInfo*> live = LivePods(pods);
  if (live.empty()) return NoPods(ns);
  std::vector<std::string> details;
  size_t good = 0;
  for (const PodInfo* p : live) {
    if (p->terminating) {
      details.push_back(Ref(*p) + ": " + Terminating(*p));
    } else if (p->ready_condition) {
      ++good;
    } else {
      std::string phase = p->phase.empty() ? "" : " (" + p->phase + ")";
      details.push_back(Ref(*p) + ": not ready" + phase + ", " + DescribeReadiness(*p));
    }
  }
  std::string summary =
      std::to_string(good) + " of " + Plural(live.size(), "pod") + " in " + ns + " ready";
  return details.empty() ? Holds(summary) : Fails(summary, details);
}

GuardObservation CheckNoPodsTerminating(const std::string& ns, const std::vector<PodInfo>& pods) {
  std::vector<std::string> details;
  for (const auto& p : pods)
    if (p.terminating) details.push_back(Ref(p) + ": " + Terminating(p));
  if (details.empty()) return Holds("no pods in " + ns + " terminating");
  return Fails(Plural(details.size(), "pod") + " in " + ns + " terminating", details);
}

GuardObservation CheckSidecarsAtVersion(const std::string& ns, const std::vector<PodInfo>& pods,
                                        const std::string& version) {
  std::vector<std::string> details, terminating;
  size_t judged = 0, good = 0;
  for (const PodInfo* p : LivePods(pods)) {
    if (p->terminating) {
      terminating.push_back(Ref(*p) + ": " + Terminating(*p));
      continue;
    }
    ++judged;
    const ContainerInfo* proxy = nullptr;
    for (const auto& c : p->containers)
      if (c.name == "istio-proxy") proxy = &c;
    std::string tag = proxy ? ImageTag(proxy->image) : "";
    if (!proxy)
      details.push_back(Ref(*p) + ": no istio-proxy container");
    else if (tag != version)
      details.push_back(Ref(*p) + ": istio-proxy at " +
                        (tag.empty() ? "untagged " + proxy->image : tag));
    else
      ++good;
  }
  if (judged == 0 && !terminating.empty())
    return Fails("no pods in " + ns + " but terminating ones", terminating);
  if (judged == 0) return NoPods(ns);
  std::string summary = std::to_string(good) + " of " + Plural(judged, "pod") + " in " + ns +
                        " have istio-proxy at " + version;
  return details.empty() ? Holds(summary) : Fails(summary, details);
}

GuardObservation CheckControlPlaneAtVersion(const std::vector<PodInfo>& pods,
                                            const std::string& version) {
  std::vector<std::string> details;
  size_t count = 0;
  for (const PodInfo* p : LivePods(pods)) {
    auto app = p->labels.find("app");
    if (app == p->labels.end() || app->second != "istiod") continue;
    ++count;
    std::vector<std::string> problems;
    if (p->terminating) problems.push_back(Terminating(*p));
    for (auto& v : VersionProblems(*p, version)) problems.push_back(v);
    if (!p->terminating && !p->ready_condition)
      problems.push_back("not ready, " + DescribeReadiness(*p));
    if (!problems.empty()) details.push_back(Ref(*p) + ": " + JoinWith(problems, ", "));
  }
  if (count == 0) return Fails(std::string("no istiod pods in ") + kIstioNamespace);
  std::string summary = std::to_string(count - details.size()) + " of " +
                        Plural(count, "istiod pod") + " ready at " + version;
  return details.empty() ? Holds(summary) : Fails(summary, details);
}

GuardObservation CheckDeploymentRolledOut(const std::string& ns, const std::string& name,
                                          const std::vector<DeploymentInfo>& deployments) {
  const std::string ref = ns + "/" + name;
  for (const auto& d : deployments) {
    if (d.name != name) continue;
    std::string problem = RolloutProblem(d);
    if (problem.empty())
      return Holds("deployment " + ref + " rolled out (" + std::to_string(d.updated_replicas) +
                   " updated, " + std::to_string(d.available_replicas) + " available)");
    return Fails("deployment " + ref + " not rolled out: " + problem, {ref + ": " + problem});
  }
  return Fails("deployment " + name + " not found in namespace " + ns);
}

GuardObservation CheckContextIs(const std::string& current, const std::string& wanted) {
  std::string summary = current.empty() ? "no current context" : "current context is " + current;
  return current == wanted ? Holds(summary) : Fails(summary);
}

GuardObservation CheckClusterRoleBindingExists(const std::string& name, bool exists) {
  return exists ? Holds("clusterrolebinding " + name + " exists")
                : Fails("clusterrolebinding " + name + " not found");
}

GuardObservation CheckCommandSucceeds(const std::vector<std::string>& argv,
                                      const CommandResult& result, const Secrets* secrets) {
  if (result.spawn_failed || result.timed_out || result.interrupted)
    return QueryFailed(DescribeFailure(argv, result, secrets));
  if (result.exit_code == 0) return Holds("command exited 0");
  // The summary quotes the last line; a command that printed more (kubectl: one error per missing
  // namespace) shows its last lines too, so a second problem is not found only on the next run.
  constexpr size_t kShownLines = 20;
  std::string summary = DescribeFailure(argv, result, secrets);
  bool apart = result.error_output.find_first_not_of(" \t\r\n") != std::string::npos;
  std::vector<std::string> lines =
      LastOutputLines(apart ? result.error_output : result.output, kShownLines, secrets);
  if (lines.size() < 2) return Fails(summary);
  std::vector<std::string> details = {summary};
  for (const std::string& line : lines) details.push_back("| " + line);
  return Fails(summary, details);
}

namespace {

/// Operands' summaries and details, for the operands picked by `pick`.
template <typename Pick>
GuardObservation Gather(const std::vector<GuardObservation>& operands, Pick pick,
                        const std::string& prefix) {
  GuardObservation o;
  std::vector<std::string> summaries;
  for (const auto& op : operands) {
    if (!pick(op)) continue;
    summaries.push_back(op.summary);
    const auto& more = op.details.empty() ? std::vector<std::string>{op.summary} : op.details;
    o.details.insert(o.details.end(), more.begin(), more.end());
  }
  o.summary = prefix + JoinWith(summaries, "; ");
  return o;
}

}  // namespace

GuardObservation CombineOperands(const Guard& guard, const std::vector<GuardObservation>& ops) {
  auto holds = [](const GuardObservation& o) { return o.holds; };
  auto fails = [](const GuardObservation& o) { return !o.holds && !o.error; };
  auto erred = [](const GuardObservation& o) { return o.error; };
  bool any_holds = false, any_fails = false, any_error = false;
  for (const auto& o : ops) {
    any_holds |= holds(o);
    any_fails |= fails(o);
    any_error |= erred(o);
  }
  GuardObservation out;
  if (guard.kind == GuardKind::kNot) {
    if (ops.empty() || ops[0].error)
      return ops.empty() ? QueryFailed("not without operand") : ops[0];
    if (!ops[0].holds) return Holds("as required, not: " + ops[0].summary);
    return Fails("holds but must not: " + ops[0].summary,
                 {CanonicalText(guard.operands[0]) + " holds: " + ops[0].summary});
  }
  if (guard.kind == GuardKind::kAnd) {
    if (any_fails) return Gather(ops, fails, "");
    if (any_error)
      out = Gather(ops, erred, "");
    else
      return Holds("all " + std::to_string(ops.size()) + " conditions hold");
  } else {
    if (any_holds) return Holds(Gather(ops, holds, "").summary);
    out = Gather(ops, any_error ? erred : fails, any_error ? "" : "none holds: ");
  }
  out.error = any_error;
  if (out.error) out.details.clear();
  return out;
}

GuardObservation QueryFailed(const std::string& error) {
  GuardObservation o;
  o.error = true;
  o.summary = error;
  return o;
}

}  // namespace asmplan
