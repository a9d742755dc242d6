// The kubectl GuardEvaluator. One Evaluate() call is one poll tick:
//  1. walk every guard (and/or/not operands too) and collect what it needs: pod lists and
//     deployment lists by namespace, the current context, cluster role bindings by name, commands;
//  2. fetch each distinct need once: per resource kind, one `kubectl get KIND -n NS -o json` per
//     namespace, or a single `kubectl get KIND -A -o json` when more than
//     KubectlOptions::max_namespaced_queries namespaces need that kind;
//  3. answer every guard from those results (runtime/guard_checks.h says what each kind means).
// A failed query makes every guard that needed it an error observation carrying kubectl's words.
#include "runtime/kubectl_guard_evaluator.h"

#include <map>
#include <set>

#include "runtime/guard_checks.h"
#include "runtime/kubectl_client.h"

namespace asmplan {
namespace {

/// What the guards of one tick need from the cluster.
struct Needs {
  std::set<std::string> pod_namespaces;
  std::set<std::string> deployment_namespaces;
  bool context = false;
  std::set<std::string> cluster_role_bindings;
  std::set<std::vector<std::string>> commands;
};

template <typename T>
struct Listing {
  QueryStatus status;
  std::vector<T> items;
};

/// Everything fetched in one tick.
struct Snapshot {
  std::map<std::string, Listing<PodInfo>> pods;  ///< by namespace
  std::map<std::string, Listing<DeploymentInfo>> deployments;
  QueryStatus context_status;
  std::string context;
  std::map<std::string, std::pair<QueryStatus, bool>> cluster_role_bindings;
  std::map<std::vector<std::string>, CommandResult> commands;
};

void Collect(const Guard& g, Needs* needs) {
  switch (g.kind) {
    case GuardKind::kPodsAllReady:
    case GuardKind::kPodsAllShow:
    case GuardKind::kNoPodsTerminating:
    case GuardKind::kSidecarsAtVersion:
      needs->pod_namespaces.insert(g.ns);
      break;
    case GuardKind::kControlPlaneAtVersion:
      needs->pod_namespaces.insert(kIstioNamespace);
      break;
    case GuardKind::kDeploymentRolledOut:
      needs->deployment_namespaces.insert(g.ns);
      break;
    case GuardKind::kContextIs:
      needs->context = true;
      break;
    case GuardKind::kClusterRoleBindingExists:
      needs->cluster_role_bindings.insert(g.name);
      break;
    case GuardKind::kCommandSucceeds:
      needs->commands.insert(g.argv);
      break;
    case GuardKind::kAnd:
    case GuardKind::kOr:
    case GuardKind::kNot:
      for (const auto& op : g.operands) Collect(op, needs);
      break;
  }
}

/// Lists one kind for `namespaces`: per namespace, or once for all when there are more than
/// `max_namespaced`. `list(ns, &items)` lists one namespace, or all when ns is "".
template <typename T, typename ListFn>
std::map<std::string, Listing<T>> FetchByNamespace(const std::set<std::string>& namespaces,
                                                   int max_namespaced, ListFn list) {
  std::map<std::string, Listing<T>> out;
  if (static_cast<int>(namespaces.size()) <= max_namespaced) {
    for (const auto& ns : namespaces) out[ns].status = list(ns, &out[ns].items);
    return out;
  }
  Listing<T> all;
  all.status = list("", &all.items);
  for (const auto& ns : namespaces) out[ns].status = all.status;
  for (auto& item : all.items) {
    auto it = out.find(item.ns);
    if (it != out.end()) it->second.items.push_back(std::move(item));
  }
  return out;
}

class KubectlGuardEvaluator : public GuardEvaluator {
 public:
  KubectlGuardEvaluator(CommandRunner& runner, KubectlOptions options)
      : client_(runner, options), max_namespaced_(options.max_namespaced_queries) {}

  std::vector<GuardObservation> Evaluate(const std::vector<const Guard*>& guards) override {
    Needs needs;
    for (const Guard* g : guards) Collect(*g, &needs);
    Snapshot snap = Fetch(needs);
    std::vector<GuardObservation> out;
    out.reserve(guards.size());
    for (const Guard* g : guards) out.push_back(Answer(*g, snap));
    return out;
  }

 private:
  Snapshot Fetch(const Needs& needs);
  GuardObservation Answer(const Guard& g, const Snapshot& snap);

  KubectlClient client_;
  int max_namespaced_;
};

Snapshot KubectlGuardEvaluator::Fetch(const Needs& needs) {
  Snapshot snap;
  snap.pods = FetchByNamespace<PodInfo>(
      needs.pod_namespaces, max_namespaced_,
      [this](const std::string& ns, std::vector<PodInfo>* v) { return client_.ListPods(ns, v); });
  snap.deployments = FetchByNamespace<DeploymentInfo>(
      needs.deployment_namespaces, max_namespaced_,
      [this](const std::string& ns, std::vector<DeploymentInfo>* v) {
        return client_.ListDeployments(ns, v);
      });
  if (needs.context) snap.context_status = client_.CurrentContext(&snap.context);
  for (const auto& name : needs.cluster_role_bindings) {
    auto& entry = snap.cluster_role_bindings[name];
    entry.first = client_.ClusterRoleBindingExists(name, &entry.second);
  }
  for (const auto& argv : needs.commands) snap.commands[argv] = client_.RunCommand(argv);
  return snap;
}

GuardObservation KubectlGuardEvaluator::Answer(const Guard& g, const Snapshot& snap) {
  auto pods = [&](const std::string& ns) -> const Listing<PodInfo>& { return snap.pods.at(ns); };
  switch (g.kind) {
    case GuardKind::kPodsAllShow:
    case GuardKind::kPodsAllReady:
    case GuardKind::kNoPodsTerminating:
    case GuardKind::kSidecarsAtVersion: {
      const Listing<PodInfo>& l = pods(g.ns);
      if (!l.status.ok) return QueryFailed(l.status.error);
      if (g.kind == GuardKind::kPodsAllShow)
        return CheckPodsAllShow(g.ns, l.items, g.ready, g.total);
      if (g.kind == GuardKind::kPodsAllReady) return CheckPodsAllReady(g.ns, l.items);
      if (g.kind == GuardKind::kNoPodsTerminating) return CheckNoPodsTerminating(g.ns, l.items);
      return CheckSidecarsAtVersion(g.ns, l.items, g.name);
    }
    case GuardKind::kControlPlaneAtVersion: {
      const Listing<PodInfo>& l = pods(kIstioNamespace);
      return l.status.ok ? CheckControlPlaneAtVersion(l.items, g.name)
                         : QueryFailed(l.status.error);
    }
    case GuardKind::kDeploymentRolledOut: {
      const Listing<DeploymentInfo>& l = snap.deployments.at(g.ns);
      return l.status.ok ? CheckDeploymentRolledOut(g.ns, g.name, l.items)
                         : QueryFailed(l.status.error);
    }
    case GuardKind::kContextIs:
      return snap.context_status.ok ? CheckContextIs(snap.context, g.name)
                                    : QueryFailed(snap.context_status.error);
    case GuardKind::kClusterRoleBindingExists: {
      const auto& [status, exists] = snap.cluster_role_bindings.at(g.name);
      return status.ok ? CheckClusterRoleBindingExists(g.name, exists) : QueryFailed(status.error);
    }
    case GuardKind::kCommandSucceeds:
      return CheckCommandSucceeds(g.argv, snap.commands.at(g.argv));
    case GuardKind::kAnd:
    case GuardKind::kOr:
    case GuardKind::kNot:
      break;
  }
  std::vector<GuardObservation> ops;
  for (const auto& op : g.operands) ops.push_back(Answer(op, snap));
  return CombineOperands(g, ops);
}

}  // namespace

std::unique_ptr<GuardEvaluator> NewKubectlGuardEvaluator(CommandRunner& runner, Clock& /*clock*/,
                                                         KubectlOptions options) {
  return std::make_unique<KubectlGuardEvaluator>(runner, std::move(options));
}

}  // namespace asmplan
