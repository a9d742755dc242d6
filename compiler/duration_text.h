// Durations as people write them: "10s", "15m", "1h30m", "250ms".
#pragma once

#include <limits>
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

/// `a + b` for non-negative durations and times, at most the largest Millis: a deadline from a
/// duration as long as the language allows never wraps around into the past.
inline Millis AddDuration(Millis a, Millis b) {
  return b > std::numeric_limits<Millis>::max() - a ? std::numeric_limits<Millis>::max() : a + b;
}

}  // namespace asmplan
