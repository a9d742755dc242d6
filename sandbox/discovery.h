// What kubectl asks before anything else: /version and legacy discovery documents.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace asmplan::sandbox {

/// The /version document: v1.32.x, so the dispatcher runs the 1.32 kubectl.
nlohmann::json VersionInfo();
/// /api: `APIVersions` with v1.
nlohmann::json CoreApiVersions();
/// /apis: `APIGroupList` with every served group.
nlohmann::json ApiGroupList();
/// /api/v1 or /apis/<group>/<version>: `APIResourceList`; null when the group-version is unknown.
nlohmann::json ResourceList(const std::string& group, const std::string& version);

}  // namespace asmplan::sandbox
