// Evaluating guards against a cluster, behind an interface: the executor asks once per poll tick
// for every guard it is waiting on, so the implementation can answer them from shared queries.
#pragma once

#include <string>
#include <vector>

#include "compiler/plan_model.h"
#include "runtime/secrets.h"

namespace asmplan {

/// What one evaluation of one guard saw.
struct GuardObservation {
  bool holds = false;
  bool error = false;   ///< the query itself failed (kubectl unreachable, bad JSON, ...)
  std::string summary;  ///< one line, e.g. "3 of 5 pods in payments show 2/2"
  /// Object by object, why it does not hold, e.g. "payments/api-7d9f: 1/2 ready, istio-proxy
  /// not ready". Empty when it holds.
  std::vector<std::string> details;
};

/// The details worth showing under the summary: those that do not only repeat it (a guard with
/// nothing to add object by object has its summary as its one detail).
inline std::vector<std::string> DetailsBeyondSummary(const GuardObservation& o) {
  std::vector<std::string> shown;
  for (const std::string& d : o.details) {
    if (d != o.summary) shown.push_back(d);
  }
  return shown;
}

/// "verify `G` does not hold: why" (`what` is "verify", "require", ...), or "cannot evaluate
/// verify `G`: why" when its query failed; then the observation's details, indented (but not
/// one that only repeats the summary).
inline std::string UnmetGuardText(const std::string& what, const Guard& g,
                                  const GuardObservation& o) {
  std::string quoted = "`" + CanonicalText(g) + "`";
  std::string text = o.error ? "cannot evaluate " + what + " " + quoted + ": " + o.summary
                             : what + " " + quoted + " does not hold: " + o.summary;
  for (const std::string& d : DetailsBeyondSummary(o)) text += "\n  " + d;
  return text;
}

class GuardEvaluator {
 public:
  virtual ~GuardEvaluator() = default;
  /// Evaluates all `guards` for one poll tick; result i belongs to guards[i]. Guards over one
  /// resource kind share one query (per namespace, or one all-namespaces query when many wait).
  virtual std::vector<GuardObservation> Evaluate(const std::vector<const Guard*>& guards) = 0;
  /// The run's secrets, set before its first Evaluate(). Guards come with their values
  /// substituted, and everything an observation says is redacted by the executor; but a line
  /// quoted from a command's output is cut to a length first, and a secret the cut goes through
  /// must be redacted before it.
  virtual void SetSecrets(const Secrets& secrets) { (void)secrets; }
};

}  // namespace asmplan
