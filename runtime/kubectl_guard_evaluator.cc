// The kubectl GuardEvaluator. One Evaluate() call is one poll tick:
//  1. walk every guard (and/or/not operands too) and collect what it needs: pod lists and
//     deployment lists by namespace, the current context, cluster role bindings by name, commands;
//  2. fetch each distinct need once: per resource kind, one `kubectl get KIND -n NS -o json` per
//     namespace, or a single `kubectl get KIND -A -o json` when more than
//     KubectlOptions::max_namespaced_queries namespaces need that kind; the queries of one tick
//     run concurrently (up to 4 at a time);
//  3. answer every guard from those results (runtime/guard_checks.h says what each kind means).
// A failed query makes every guard that needed it an error observation carrying kubectl's words.
#include "runtime/kubectl_guard_evaluator.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <thread>

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

using Task = std::function<void()>;

/// Adds the tasks that list one kind for `namespaces` into `*out`: one per namespace, or a single
/// all-namespaces listing split up by namespace when there are more than `max_namespaced`.
/// `list(ns, &items)` lists one namespace, or all when ns is "". Every slot of `*out` exists
/// before any task runs, and each task writes only its own slots.
template <typename T, typename ListFn>
void AddListTasks(const std::set<std::string>& namespaces, int max_namespaced, ListFn list,
                  std::map<std::string, Listing<T>>* out, std::vector<Task>* tasks) {
  for (const auto& ns : namespaces) (*out)[ns];
  if (static_cast<int>(namespaces.size()) <= max_namespaced) {
    for (auto& [ns, slot] : *out)
      tasks->push_back([&ns = ns, &slot = slot, list] { slot.status = list(ns, &slot.items); });
    return;
  }
  tasks->push_back([out, list] {
    Listing<T> all;
    all.status = list("", &all.items);
    for (auto& [ns, slot] : *out) slot.status = all.status;
    for (auto& item : all.items) {
      auto it = out->find(item.ns);
      if (it != out->end()) it->second.items.push_back(std::move(item));
    }
  });
}

/// Runs every task, up to kMaxParallelQueries at once: kubectl calls cost ~0.2 s each, and the
/// queries of one tick are independent.
void RunConcurrently(const std::vector<Task>& tasks) {
  constexpr size_t kMaxParallelQueries = 4;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < tasks.size();) tasks[i]();
  };
  std::vector<std::thread> threads;
  for (size_t k = 1; k < std::min(tasks.size(), kMaxParallelQueries); ++k)
    threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

class KubectlGuardEvaluator : public GuardEvaluator {
 public:
  KubectlGuardEvaluator(CommandRunner& runner, KubectlOptions options)
      : client_(runner, options), max_namespaced_(options.max_namespaced_queries) {
    client_.set_secrets(&secrets_);
  }

  void SetSecrets(const Secrets& secrets) override { secrets_ = secrets; }

  std::vector<GuardObservation> Evaluate(const std::vector<const Guard*>& guards) override {
    Needs needs;
    for (const Guard* g : guards) Collect(*g, &needs);
    Snapshot snap;
    Fetch(needs, &snap);
    std::vector<GuardObservation> out;
    out.reserve(guards.size());
    for (const Guard* g : guards) out.push_back(Answer(*g, snap));
    return out;
  }

 private:
  /// Runs every query `needs` calls for, concurrently, into `*snap`.
  void Fetch(const Needs& needs, Snapshot* snap);
  GuardObservation AnswerPods(const Guard& g, const Snapshot& snap);
  GuardObservation Answer(const Guard& g, const Snapshot& snap);

  Secrets secrets_;
  KubectlClient client_;
  int max_namespaced_;
};

void KubectlGuardEvaluator::Fetch(const Needs& needs, Snapshot* snap) {
  std::vector<Task> tasks;
  KubectlClient* c = &client_;
  AddListTasks<PodInfo>(
      needs.pod_namespaces, max_namespaced_,
      [c](const std::string& ns, std::vector<PodInfo>* v) { return c->ListPods(ns, v); },
      &snap->pods, &tasks);
  AddListTasks<DeploymentInfo>(
      needs.deployment_namespaces, max_namespaced_,
      [c](const std::string& ns, std::vector<DeploymentInfo>* v) {
        return c->ListDeployments(ns, v);
      },
      &snap->deployments, &tasks);
  if (needs.context)
    tasks.push_back([c, snap] { snap->context_status = c->CurrentContext(&snap->context); });
  for (const auto& name : needs.cluster_role_bindings) {
    auto* slot = &snap->cluster_role_bindings[name];
    tasks.push_back(
        [c, slot, &name] { slot->first = c->ClusterRoleBindingExists(name, &slot->second); });
  }
  for (const auto& argv : needs.commands) {
    CommandResult* slot = &snap->commands[argv];
    tasks.push_back([c, slot, &argv] { *slot = c->RunGuardCommand(argv); });
  }
  RunConcurrently(tasks);
}

GuardObservation KubectlGuardEvaluator::AnswerPods(const Guard& g, const Snapshot& snap) {
  const std::string& ns = g.kind == GuardKind::kControlPlaneAtVersion ? kIstioNamespace : g.ns;
  const Listing<PodInfo>& l = snap.pods.at(ns);
  if (!l.status.ok) return QueryFailed(l.status.error);
  switch (g.kind) {
    case GuardKind::kPodsAllShow:
      return CheckPodsAllShow(g.ns, l.items, g.ready, g.total);
    case GuardKind::kPodsAllReady:
      return CheckPodsAllReady(g.ns, l.items);
    case GuardKind::kNoPodsTerminating:
      return CheckNoPodsTerminating(g.ns, l.items);
    case GuardKind::kSidecarsAtVersion:
      return CheckSidecarsAtVersion(g.ns, l.items, g.name);
    default:
      return CheckControlPlaneAtVersion(l.items, g.name);
  }
}

GuardObservation KubectlGuardEvaluator::Answer(const Guard& g, const Snapshot& snap) {
  switch (g.kind) {
    case GuardKind::kPodsAllShow:
    case GuardKind::kPodsAllReady:
    case GuardKind::kNoPodsTerminating:
    case GuardKind::kSidecarsAtVersion:
    case GuardKind::kControlPlaneAtVersion:
      return AnswerPods(g, snap);
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
      return CheckCommandSucceeds(g.argv, snap.commands.at(g.argv), &secrets_);
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
