// The real GuardEvaluator: builds kubectl argv, runs them through a CommandRunner, parses JSON.
#pragma once

#include <memory>
#include <string>

#include "runtime/clock.h"
#include "runtime/command_runner.h"
#include "runtime/guard_evaluator.h"

namespace asmplan {

struct KubectlOptions {
  std::string kubectl = "kubectl";  ///< program name or path
  Millis query_timeout_ms = 60'000;
};

std::unique_ptr<GuardEvaluator> NewKubectlGuardEvaluator(CommandRunner& runner, Clock& clock,
                                                         KubectlOptions options = {});

}  // namespace asmplan
