// The real GuardEvaluator: builds kubectl argv, runs them through a CommandRunner, parses JSON.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "runtime/clock.h"
#include "runtime/command_runner.h"
#include "runtime/guard_evaluator.h"

namespace asmplan {

struct KubectlOptions {
  std::string kubectl = "kubectl";  ///< program name or path
  Millis query_timeout_ms = 60'000;
  /// Added to / overriding the inherited environment of every query (e.g. KUBECONFIG).
  std::map<std::string, std::string> env;
  /// More namespaces than this waiting on one resource kind in one tick share one `-A` query.
  int max_namespaced_queries = 3;
  /// Where `command [...] succeeds` guards run: the run's workspace, where its `run` commands run
  /// ("" inherits the current directory). kubectl queries run where asmplan was started.
  std::string command_cwd;
  /// When set and true, queries are no longer started (CommandSpec::cancel): a signal stops them.
  const std::atomic<bool>* cancel = nullptr;
};

std::unique_ptr<GuardEvaluator> NewKubectlGuardEvaluator(CommandRunner& runner, Clock& clock,
                                                         KubectlOptions options = {});

}  // namespace asmplan
