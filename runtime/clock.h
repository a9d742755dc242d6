// Time, behind an interface so timeouts, polling and retries test instantly with a fake.
#pragma once

#include "compiler/plan_model.h"

namespace asmplan {

/// Monotonic time for deadlines and sleeps, wall time for records. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Milliseconds on a monotonic clock; only differences mean anything.
  virtual Millis NowMs() = 0;
  /// Milliseconds since the Unix epoch, for journals and events.
  virtual Millis WallMs() = 0;
  /// Blocks for `ms` (a fake advances its time instead).
  virtual void SleepMs(Millis ms) = 0;
};

/// The real clock: steady_clock, system_clock, this_thread::sleep_for.
Clock& SystemClock();

}  // namespace asmplan
