// The kubectl query layer: builds the argv of every read-only query guards need, runs it through a
// CommandRunner (so tests script it with FakeCommandRunner), and parses the answer.
#pragma once

#include <string>
#include <vector>

#include "runtime/command_runner.h"
#include "runtime/kube_objects.h"
#include "runtime/kubectl_guard_evaluator.h"
#include "runtime/secrets.h"

namespace asmplan {

/// How one query went. `error` is one line: the command and kubectl's own complaint, e.g.
/// `kubectl get pods -n payments -o json failed (exit 1): The connection to the server
/// 127.0.0.1:6443 was refused - did you specify the right host or port?`
struct QueryStatus {
  bool ok = false;
  std::string error;
};

class KubectlClient {
 public:
  KubectlClient(CommandRunner& runner, KubectlOptions options);
  /// Secrets to redact from the kubectl line a failed query's message quotes (null: none).
  void set_secrets(const Secrets* secrets) { secrets_ = secrets; }

  /// `kubectl get pods -n NS -o json`, or `kubectl get pods -A -o json` when `ns` is empty.
  std::vector<std::string> PodsArgv(const std::string& ns) const;
  /// `kubectl get deployments -n NS -o json`, or `... -A ...` when `ns` is empty.
  std::vector<std::string> DeploymentsArgv(const std::string& ns) const;
  /// `kubectl config current-context`
  std::vector<std::string> CurrentContextArgv() const;
  /// `kubectl get clusterrolebinding NAME --ignore-not-found -o name`
  std::vector<std::string> ClusterRoleBindingArgv(const std::string& name) const;

  /// Pods of one namespace, or of all namespaces when `ns` is empty.
  QueryStatus ListPods(const std::string& ns, std::vector<PodInfo>* pods);
  /// Deployments of one namespace, or of all namespaces when `ns` is empty.
  QueryStatus ListDeployments(const std::string& ns, std::vector<DeploymentInfo>* deployments);
  /// The kubeconfig's current context; "" when none is set (not an error).
  QueryStatus CurrentContext(std::string* context);
  /// Whether the cluster role binding exists (a missing one is not an error).
  QueryStatus ClusterRoleBindingExists(const std::string& name, bool* exists);
  /// Runs any argv with the options' environment and timeout, in `cwd` ("" inherits it); with
  /// `stderr_apart`, stderr comes back in CommandResult::error_output, else mixed into `output`.
  CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd = "",
                           bool stderr_apart = false);
  /// Runs a `command [...] succeeds` guard's argv: RunCommand() in the options' command_cwd.
  CommandResult RunGuardCommand(const std::vector<std::string>& argv) {
    return RunCommand(argv, options_.command_cwd);
  }

 private:
  /// Runs a query, stdout apart from stderr; on failure fills `*status` with a summary of what
  /// kubectl said.
  CommandResult Query(const std::vector<std::string>& argv, QueryStatus* status);

  CommandRunner& runner_;
  KubectlOptions options_;
  const Secrets* secrets_ = nullptr;
};

/// One line describing a failed command: the argv joined, how it failed, and the last meaningful
/// line of its stderr when kept apart and not empty, else of its output (at most 300
/// characters).
/// With `secrets`, they are redacted from that line before it is cut.
std::string DescribeFailure(const std::vector<std::string>& argv, const CommandResult& result,
                            const Secrets* secrets = nullptr);

}  // namespace asmplan
