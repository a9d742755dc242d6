// A few lines about a running sandbox's cluster, for `asmplan sandbox status`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace asmplan::sandbox {

/// Summarizes a GET /sandbox/state reply: the mesh version and profile, then namespaces and
/// pods (ready, terminating). Tolerates missing fields; throws
/// nlohmann::json::exception on fields of the wrong type.
std::string SummarizeSandboxState(const nlohmann::json& state);

}  // namespace asmplan::sandbox
