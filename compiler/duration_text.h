// Durations as people write them: "10s", "15m", "1h30m", "250ms".
#pragma once

#include <string>
#include <string_view>

#include "compiler/plan_model.h"

namespace asmplan {

/// Canonical text of `ms`: units h, m, s, ms in that order, each at most once, zero parts left
/// out ("1h30m", "1m0s" never appears, "1m500ms"); 0 is "0s"; a negative duration gets a "-".
std::string FormatDuration(Millis ms);

/// Parses a sequence of NUMBER UNIT parts with units among d, h, m, s, ms, each at most once and
/// in decreasing order ("1h30m", "90s", "2d", "0s"). Returns false for anything else, including
/// an empty text and values that would overflow. Accepts everything FormatDuration writes.
bool ParseDuration(std::string_view text, Millis* ms);

}  // namespace asmplan
