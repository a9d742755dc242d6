// Progress for pipes and logs: one line per event, e.g.
//   12:01:03 ok       use_context (1s200ms)
//   12:01:09 waiting  restart_sidecars[payments]: pods in ns "payments" all show 2/2: 3 of 5 ...
// A waiting line is printed only when what the step waits for changes, a fetch line only when
// the fetch enters a new stage.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "runtime/progress_reporter.h"

namespace asmplan {

/// Writes to `out` (not owned); colors only when `color` (a terminal without NO_COLOR).
std::unique_ptr<ProgressReporter> NewLineReporter(std::FILE* out, bool color);

/// `text` safe to print on a terminal: control bytes (a command's `\r` or color codes in a guard's
/// message) as `\xNN`, C1 controls (U+0080..U+009F) as `\u00NN`, tabs as spaces; newlines kept.
std::string Printable(const std::string& text);

/// "HH:MM:SS" of a wall time in local time.
std::string ClockText(Millis wall_ms);

/// The word for an event in the line and live views: "started", "ok", "FAILED", ...
const char* EventWord(ExecEvent::Type type);

}  // namespace asmplan
