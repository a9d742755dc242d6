// Time as the sandbox shows it: wall-clock seconds, RFC 3339 stamps and kubectl's HumanDuration.
#pragma once

#include <string>

namespace asmplan::sandbox {

/// Wall-clock time in seconds since the epoch, with sub-second precision.
double NowSeconds();
/// `2026-11-27T07:16:02Z` for the given epoch seconds (truncated to whole seconds).
std::string FormatRfc3339(double epoch_seconds);
/// Parses `YYYY-MM-DDTHH:MM:SSZ` (fractions ignored). Returns -1 when malformed.
double ParseRfc3339(const std::string& text);
/// kubectl's duration.HumanDuration: `5s`, `5m44s`, `25m`, `3h10m`, `2d5h`, ...
std::string HumanDuration(double seconds);

}  // namespace asmplan::sandbox
