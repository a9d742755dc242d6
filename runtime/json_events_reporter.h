// `--events FILE`: every event as one JSON object per line, flushed as it happens, e.g.
//   {"event":"step_failed","step":"b","time_ms":1800000000000,"elapsed_ms":1200,"attempt":1,
//    "exit_code":3,"message":"`do b` exited with 3","details":[],"log":"/state/logs/b.log"}
#pragma once

#include <memory>
#include <string>

#include "runtime/progress_reporter.h"

namespace asmplan {

/// The JSON line for `event`, without the newline.
std::string EventJson(const ExecEvent& event);

/// Appends to `path`. Returns nullptr with "cannot open events file PATH: REASON" in `err`.
std::unique_ptr<ProgressReporter> NewJsonEventsReporter(const std::string& path, std::string* err);

}  // namespace asmplan
