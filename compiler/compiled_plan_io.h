// The compiled plan on disk: canonical YAML, byte-identical for the same Plan, hashed.
#pragma once

#include <string>
#include <string_view>

#include "compiler/plan_model.h"

namespace asmplan {

/// Renders `plan` as canonical YAML. Computes the SHA-256 over the canonical content, stores it in
/// plan->sha256 and writes it into the text as well.
std::string WriteCompiledPlan(Plan* plan);

/// Parses a compiled plan and verifies its hash. Returns false with a message in `err` (naming
/// the line for malformed input; "content does not match its sha256" for an edited plan).
bool ReadCompiledPlan(std::string_view text, Plan* plan, std::string* err);

}  // namespace asmplan
