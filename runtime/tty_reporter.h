// The live view on a terminal: finished steps scroll above (as the line reporter prints them),
// below them one line per running step, redrawn in place, with its elapsed time and what it
// is doing, e.g.
//   > restart_sidecars[payments]  2m10s  waiting: pods in ns "payments" all show 2/2: 3 of 5 ...
//       payments/api-7d9f: 1/2 ready, istio-proxy not ready
#pragma once

#include <cstdio>
#include <functional>
#include <memory>

#include "runtime/progress_reporter.h"

namespace asmplan {

/// Draws on `out` (a terminal, not owned) as many columns wide as `width` says at each draw (under
/// 20: 80); colors only when `color`.
std::unique_ptr<ProgressReporter> NewTtyReporter(std::FILE* out, std::function<int()> width,
                                                 bool color);

}  // namespace asmplan
