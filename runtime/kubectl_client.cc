#include "runtime/kubectl_client.h"

#include "runtime/argv_text.h"
#include "runtime/flight_recorder.h"

namespace asmplan {

std::string DescribeFailure(const std::vector<std::string>& argv, const CommandResult& result,
                            const Secrets* secrets) {
  std::string how;
  if (result.spawn_failed) return ArgvText(argv) + " could not start: " + result.error;
  if (result.timed_out)
    how = "timed out after " + HumanDuration(result.duration_ms);
  else if (result.interrupted)
    how = "was interrupted";
  else if (result.term_signal != 0)
    how = "killed by signal " + std::to_string(result.term_signal);
  else
    how = "failed (exit " + std::to_string(result.exit_code) + ")";
  // Queries keep stderr apart: that is where kubectl says why it failed.
  std::string said = LastOutputLine(result.error_output, secrets);
  if (said.empty()) said = LastOutputLine(result.output, secrets);
  return ArgvText(argv) + " " + how + (said.empty() ? "" : ": " + said);
}

KubectlClient::KubectlClient(CommandRunner& runner, KubectlOptions options)
    : runner_(runner), options_(std::move(options)) {}

std::vector<std::string> KubectlClient::PodsArgv(const std::string& ns) const {
  if (ns.empty()) return {options_.kubectl, "get", "pods", "-A", "-o", "json"};
  return {options_.kubectl, "get", "pods", "-n", ns, "-o", "json"};
}

std::vector<std::string> KubectlClient::DeploymentsArgv(const std::string& ns) const {
  if (ns.empty()) return {options_.kubectl, "get", "deployments", "-A", "-o", "json"};
  return {options_.kubectl, "get", "deployments", "-n", ns, "-o", "json"};
}

std::vector<std::string> KubectlClient::CurrentContextArgv() const {
  return {options_.kubectl, "config", "current-context"};
}

std::vector<std::string> KubectlClient::ClusterRoleBindingArgv(const std::string& name) const {
  return {options_.kubectl, "get", "clusterrolebinding", name, "--ignore-not-found", "-o", "name"};
}

CommandResult KubectlClient::RunCommand(const std::vector<std::string>& argv,
                                        const std::string& cwd, bool stderr_apart) {
  CommandSpec spec;
  spec.argv = argv;
  spec.cwd = cwd;
  spec.env = options_.env;
  spec.timeout_ms = options_.query_timeout_ms;
  spec.cancel = options_.cancel;
  spec.stderr_apart = stderr_apart;
  return runner_.Run(spec);
}

CommandResult KubectlClient::Query(const std::vector<std::string>& argv, QueryStatus* status) {
  // Only stdout is the answer: the warnings kubectl prints on stderr (an API server's deprecation
  // `Warning:` headers, discovery errors of a broken aggregated API) would corrupt the JSON. A
  // `command [...] succeeds` guard keeps one stream: its failure is quoted as it printed it.
  CommandResult r = RunCommand(argv, "", /*stderr_apart=*/true);
  status->ok = r.ok();
  if (!status->ok) status->error = DescribeFailure(argv, r, secrets_);
  return r;
}

QueryStatus KubectlClient::ListPods(const std::string& ns, std::vector<PodInfo>* pods) {
  QueryStatus status;
  std::vector<std::string> argv = PodsArgv(ns);
  CommandResult r = Query(argv, &status);
  std::string err;
  if (status.ok && !ParsePodList(r.output, pods, &err)) {
    status.ok = false;
    status.error = ArgvText(argv) + ": " + err;
  }
  return status;
}

QueryStatus KubectlClient::ListDeployments(const std::string& ns,
                                           std::vector<DeploymentInfo>* deployments) {
  QueryStatus status;
  std::vector<std::string> argv = DeploymentsArgv(ns);
  CommandResult r = Query(argv, &status);
  std::string err;
  if (status.ok && !ParseDeploymentList(r.output, deployments, &err)) {
    status.ok = false;
    status.error = ArgvText(argv) + ": " + err;
  }
  return status;
}

QueryStatus KubectlClient::CurrentContext(std::string* context) {
  QueryStatus status;
  CommandResult r = Query(CurrentContextArgv(), &status);
  context->clear();
  // kubectl exits 1 with "error: current-context is not set": an answer, not a failed query.
  if (!status.ok && r.exit_code == 1 &&
      (r.error_output + r.output).find("current-context is not set") != std::string::npos) {
    status = QueryStatus{true, ""};
    return status;
  }
  if (status.ok) *context = LastOutputLine(r.output);
  return status;
}

QueryStatus KubectlClient::ClusterRoleBindingExists(const std::string& name, bool* exists) {
  QueryStatus status;
  CommandResult r = Query(ClusterRoleBindingArgv(name), &status);
  // With --ignore-not-found a missing binding prints nothing and exits 0.
  *exists = status.ok && r.output.find("clusterrolebinding") != std::string::npos;
  return status;
}

}  // namespace asmplan
