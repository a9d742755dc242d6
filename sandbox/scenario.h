// Scenario files (sandbox/scenarios/*.yaml): what the simulated clusters start with, how fast
// they move, and which faults are on.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sandbox/cluster_config.h"

namespace asmplan::sandbox {

struct Scenario {
  uint32_t seed = 1;
  Timings timings;
  MeshState mesh;
  FaultState faults;
  /// (plural resource, object) to create, in order: namespaces first.
  std::vector<std::pair<std::string, nlohmann::json>> user_objects;
  std::vector<std::pair<std::string, nlohmann::json>> admin_objects;
};

/// Loads a scenario. On a bad file: false, and `err` is `FILE:LINE:COL: message`.
bool LoadScenario(const std::string& path, Scenario* out, std::string* err);
/// Same, from text; `name` stands in for the file in messages.
bool ParseScenario(const std::string& text, const std::string& name, Scenario* out,
                   std::string* err);

}  // namespace asmplan::sandbox
