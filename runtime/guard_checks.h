// What each guard kind means, as pure functions over what kubectl returned. The evaluator fetches;
// these decide. Every function fills `summary` (one line) and, when the guard does not hold,
// `details` object by object ("payments/api-7d9f: 1/2 ready, istio-proxy not ready
// (CrashLoopBackOff)").
//
// Exact semantics (also in docs/guards.md). Terms:
//  - pods of a namespace: every pod the API lists there, except *finished* pods (status.phase
//    Succeeded or Failed: completed Jobs, evicted pods), which never run again and are ignored.
//  - terminating: metadata.deletionTimestamp is set (kubectl's STATUS shows Terminating).
//  - containers: spec.containers; init containers are not counted (as in kubectl's READY column).
//  - a container is ready when its containerStatuses entry says ready: true; a container without
//    a status yet is not ready.
//  - image tag: the part after the last ':' of the image reference that comes after its last
//    '/', without any "@sha256:..." digest; "" when the reference has no tag.
//
//  pods in ns X all show N/M     holds iff X has >= 1 pod, none is terminating, and every pod has
//                                exactly M containers of which exactly N are ready.
//  pods in ns X all ready        holds iff X has >= 1 pod, none is terminating, and every pod's
//                                Ready condition is "True".
//  no pods in ns X terminating   holds iff no pod in X (finished ones included) is terminating;
//                                an empty namespace holds.
//  deployment D in ns X rolled out
//                                kubectl rollout status's test: D exists,
//                                metadata.generation <= status.observedGeneration,
//                                status.updatedReplicas == spec.replicas (default 1),
//                                status.replicas == status.updatedReplicas,
//                                status.availableReplicas >= status.updatedReplicas, and no
//                                Progressing condition has reason ProgressDeadlineExceeded.
//  context is C                  holds iff `kubectl config current-context` prints exactly C.
//  clusterrolebinding N exists   holds iff the API has a ClusterRoleBinding named N.
//  sidecars in ns X at version V holds iff X has >= 1 pod that is not terminating, and every such
//                                pod has a container named istio-proxy whose image tag is V
//                                (terminating pods are on their way out and are not judged).
//  istio control plane at version V
//                                holds iff istio-system has >= 1 istiod pod (label app=istiod),
//                                none is terminating, every one has its Ready condition "True",
//                                and every container of every one has image tag V.
//  command [ARGV] succeeds       runs ARGV (no shell) with the query environment and timeout;
//                                holds iff it exits 0. A command that cannot start or times out
//                                is a query error.
//  A and B ...                   holds iff every operand holds. Does not hold (no error) when some
//                                operand does not hold without error; otherwise an operand's
//                                error makes the result an error.
//  A or B ...                    holds iff some operand holds; otherwise an error if any operand
//                                erred, else does not hold.
//  not A                         holds iff A does not hold; A's error is its error.
#pragma once

#include <string>
#include <vector>

#include "compiler/plan_model.h"
#include "runtime/command_runner.h"
#include "runtime/guard_evaluator.h"
#include "runtime/kube_objects.h"

namespace asmplan {

/// The namespace of the Istio control plane.
inline constexpr const char* kIstioNamespace = "istio-system";

GuardObservation CheckPodsAllShow(const std::string& ns, const std::vector<PodInfo>& pods,
                                  int ready, int total);
GuardObservation CheckPodsAllReady(const std::string& ns, const std::vector<PodInfo>& pods);
GuardObservation CheckNoPodsTerminating(const std::string& ns, const std::vector<PodInfo>& pods);
GuardObservation CheckSidecarsAtVersion(const std::string& ns, const std::vector<PodInfo>& pods,
                                        const std::string& version);
/// `pods` are the pods of istio-system.
GuardObservation CheckControlPlaneAtVersion(const std::vector<PodInfo>& pods,
                                            const std::string& version);
/// `deployments` are those of namespace `ns`.
GuardObservation CheckDeploymentRolledOut(const std::string& ns, const std::string& name,
                                          const std::vector<DeploymentInfo>& deployments);
GuardObservation CheckContextIs(const std::string& current, const std::string& wanted);
GuardObservation CheckClusterRoleBindingExists(const std::string& name, bool exists);
GuardObservation CheckCommandSucceeds(const std::vector<std::string>& argv,
                                      const CommandResult& result,
                                      const Secrets* secrets = nullptr);
/// Combines already evaluated operands of a kAnd, kOr or kNot guard.
GuardObservation CombineOperands(const Guard& guard, const std::vector<GuardObservation>& operands);
/// A query failure, as the observation of every guard that needed the query.
GuardObservation QueryFailed(const std::string& error);

/// Why a pod is not "N/M", e.g. "1/2 ready, istio-proxy not ready (CrashLoopBackOff, 7
/// restarts)"; used in details as "NS/NAME: " + this.
std::string DescribeReadiness(const PodInfo& pod);

}  // namespace asmplan
