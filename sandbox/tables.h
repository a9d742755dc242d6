// Server-side Table output (meta.k8s.io/v1 Table), the form `kubectl get` prints from.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sandbox/resources.h"

namespace asmplan::sandbox {

/// A Table of the objects with the resource's columns, as of `now` (epoch seconds).
nlohmann::json BuildTable(const ResourceInfo& resource,
                          const std::vector<const nlohmann::json*>& objects,
                          const std::string& resource_version, double now);

/// `spec.selector.matchLabels` as `k=v,k2=v2`.
std::string MatchLabelsText(const nlohmann::json& object);
/// The STATUS column of a pod: Terminating, ContainerCreating, CrashLoopBackOff, Running, ...
std::string PodStatusReason(const nlohmann::json& pod);
/// The READY column of a pod: "<ready containers>/<containers>".
std::string PodReadyCell(const nlohmann::json& pod);

}  // namespace asmplan::sandbox
