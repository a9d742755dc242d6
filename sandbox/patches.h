// The three PATCH flavours kubectl sends: strategic merge, JSON merge (RFC 7386) and JSON patch
// (RFC 6902).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace asmplan::sandbox {

/// Applies a patch of the given Content-Type to `target`. False with a message when the
/// content type is unsupported or the patch does not apply.
bool ApplyPatch(const std::string& content_type, const std::string& body, nlohmann::json* target,
                std::string* err);

/// Strategic merge patch, for what kubectl sends: a deep merge where lists of objects merge by
/// their `name` (or `type`, `containerPort`, `mountPath`) and `$setElementOrder/...`,
/// `$retainKeys` directives are ignored; `null` deletes; `"$patch": "delete"` removes a list item.
void StrategicMerge(nlohmann::json* target, const nlohmann::json& patch);

}  // namespace asmplan::sandbox
