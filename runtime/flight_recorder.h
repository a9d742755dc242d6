// The flight recorder of one `wait until`: what the guard looked like at the start, at the end and
// whenever it changed in between, so a timeout can say more than "timed out".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "compiler/plan_model.h"
#include "runtime/guard_evaluator.h"

namespace asmplan {

/// Records the observations of one wait, in bounded memory: the first, the last, and up to
/// `max_changes` observations that differ from the one before them (the most recent ones; older
/// changes are only counted). Each kept observation keeps at most `max_details` detail lines.
/// Not thread-safe: one wait, one owner.
class FlightRecorder {
 public:
  struct Entry {
    Millis at_ms = 0;  ///< since the wait started
    GuardObservation observation;
    size_t details_dropped = 0;  ///< detail lines beyond max_details, not kept
    /// A change: the detail lines of the observation before it, to show what changed. Changes
    /// while the summary stays (a restart count climbing) are one entry: `times` of them, the
    /// last at `until_ms`, `observation` the latest.
    std::vector<std::string> before;
    size_t times = 1;
    Millis until_ms = 0;
  };

  /// `guard` is what is waited for; `start_ms` is the Clock::NowMs() when the wait started.
  FlightRecorder(const Guard& guard, Millis start_ms, size_t max_changes = 20,
                 size_t max_details = 10);

  /// Records one poll tick's observation made at `now_ms` (Clock::NowMs()). One whose query
  /// failed says nothing about the guard: it is counted apart, and is no change of state.
  void Record(Millis now_ms, const GuardObservation& observation);

  /// The message for a wait that gave up after `waited_ms`, e.g.
  ///   timed out after 20m waiting until pods in ns "payments" all show 2/2
  ///     first (0s): 3 of 5 pods in payments show 2/2
  ///       payments/api-7d9f: 1/2 ready, istio-proxy not ready (CrashLoopBackOff)
  ///     changed (2m15s): 4 of 5 pods in payments show 2/2
  ///       - payments/old-5c: terminating (grace period until 2026-11-27T07:20:00Z)
  ///     last (20m): 4 of 5 pods in payments show 2/2
  ///       payments/api-7d9f: 1/2 ready, istio-proxy not ready (CrashLoopBackOff)
  ///     3 queries failed (5m to 7m), the last: kubectl get pods failed: ... (500)
  /// The first line stands alone for one-line uses; the rest is indented by two spaces per level.
  /// First and last show their details; a change shows its summary and the detail lines that went
  /// ("- ") and came ("+ "). Changes while the summary stays the same are one entry, "changed 18
  /// times (16s to 1m13s)", from the state before the first to the latest.
  std::string TimeoutMessage(Millis waited_ms) const;

  /// The most recent observation whose query worked, or nullptr before one.
  const Entry* last() const { return count_ == 0 ? nullptr : &last_; }
  const Entry* first() const { return count_ == 0 ? nullptr : &first_; }
  /// Kept change points, oldest first (the first observation is not one).
  const std::vector<Entry>& changes() const { return changes_; }
  /// Changes that happened but were not kept, because max_changes were exceeded.
  size_t changes_dropped() const { return changes_dropped_; }
  /// Observations whose query worked, recorded in total.
  size_t count() const { return count_; }
  /// Observations whose query failed.
  size_t failed() const { return failed_; }

 private:
  Entry Trimmed(Millis now_ms, const GuardObservation& observation) const;

  std::string guard_text_;
  Millis start_ms_;
  size_t max_changes_;
  size_t max_details_;
  size_t count_ = 0;
  Entry first_;
  Entry last_;
  std::vector<Entry> changes_;
  size_t changes_dropped_ = 0;
  size_t failed_ = 0;
  Millis first_failed_ms_ = 0;  ///< since the wait started
  Entry last_failed_;
};

/// A duration the way people read it: "0s", "850ms", "45s", "2m15s", "20m", "1h5m".
std::string HumanDuration(Millis ms);

}  // namespace asmplan
