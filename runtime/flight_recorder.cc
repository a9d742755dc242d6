#include "runtime/flight_recorder.h"

#include <algorithm>

namespace asmplan {
namespace {

bool SameObservation(const FlightRecorder::Entry& a, const FlightRecorder::Entry& b) {
  const GuardObservation& x = a.observation;
  const GuardObservation& y = b.observation;
  return x.holds == y.holds && x.summary == y.summary && x.details == y.details &&
         a.details_dropped == b.details_dropped;
}

bool SameState(const GuardObservation& x, const GuardObservation& y) {
  return x.holds == y.holds && x.summary == y.summary;
}

/// An observation's summary (failed queries are kept apart).
std::string SummaryText(const GuardObservation& o) {
  return o.summary.empty() ? (o.holds ? "holds" : "does not hold") : o.summary;
}

/// "  label (time): summary" and, when asked, the entry's details one level deeper.
void AppendEntry(const std::string& label, const FlightRecorder::Entry& e, bool with_details,
                 std::string* out) {
  const GuardObservation& o = e.observation;
  *out += "\n  " + label + " (" + HumanDuration(e.at_ms) + "): ";
  *out += SummaryText(o);
  if (!with_details) return;
  for (const auto& d : DetailsBeyondSummary(o)) *out += "\n    " + d;
  if (e.details_dropped > 0) *out += "\n    ... and " + std::to_string(e.details_dropped) + " more";
}

/// "  changed [N times ](time[ to time]): summary", then the detail lines that went and came.
void AppendChange(const FlightRecorder::Entry& e, std::string* out) {
  const GuardObservation& o = e.observation;
  *out += "\n  changed ";
  if (e.times > 1) *out += std::to_string(e.times) + " times ";
  *out += "(" + HumanDuration(e.at_ms);
  if (e.times > 1) *out += " to " + HumanDuration(e.until_ms);
  *out += "): ";
  *out += SummaryText(o);
  auto absent = [](const std::vector<std::string>& in, const std::string& line) {
    return std::find(in.begin(), in.end(), line) == in.end();
  };
  std::vector<std::string> now = DetailsBeyondSummary(o);
  for (const auto& d : e.before) {
    if (absent(now, d)) *out += "\n    - " + d;
  }
  for (const auto& d : now) {
    if (absent(e.before, d)) *out += "\n    + " + d;
  }
}

}  // namespace

FlightRecorder::FlightRecorder(const Guard& guard, Millis start_ms, size_t max_changes,
                               size_t max_details)
    : guard_text_(CanonicalText(guard)),
      start_ms_(start_ms),
      max_changes_(max_changes),
      max_details_(max_details) {}

FlightRecorder::Entry FlightRecorder::Trimmed(Millis now_ms,
                                              const GuardObservation& observation) const {
  Entry e;
  e.at_ms = std::max<Millis>(0, now_ms - start_ms_);
  e.observation.holds = observation.holds;
  e.observation.error = observation.error;
  e.observation.summary = observation.summary;
  size_t keep = std::min(max_details_, observation.details.size());
  e.observation.details.assign(observation.details.begin(), observation.details.begin() + keep);
  e.details_dropped = observation.details.size() - keep;
  return e;
}

void FlightRecorder::Record(Millis now_ms, const GuardObservation& observation) {
  Entry e = Trimmed(now_ms, observation);
  if (observation.error) {
    if (failed_++ == 0) first_failed_ms_ = e.at_ms;
    last_failed_ = std::move(e);
    return;
  }
  if (count_ == 0) first_ = e;
  if (count_ > 0 && !SameObservation(e, last_)) {
    // While the summary stays, changes of details only (a restart count) join the last entry.
    if (!changes_.empty() && SameState(changes_.back().observation, e.observation) &&
        SameState(last_.observation, e.observation)) {
      Entry& run = changes_.back();
      run.observation = e.observation;
      run.details_dropped = e.details_dropped;
      run.until_ms = e.at_ms;
      ++run.times;
    } else {
      e.before = DetailsBeyondSummary(last_.observation);
      e.until_ms = e.at_ms;
      changes_.push_back(e);
      if (changes_.size() > max_changes_) {
        changes_.erase(changes_.begin());
        ++changes_dropped_;
      }
    }
  }
  last_ = std::move(e);
  ++count_;
}

std::string FlightRecorder::TimeoutMessage(Millis waited_ms) const {
  std::string out = "timed out after " + HumanDuration(waited_ms) + " waiting until " + guard_text_;
  std::string failures;
  if (failed_ > 0) {
    failures = "\n  " + (failed_ == 1 ? "1 query" : std::to_string(failed_) + " queries") +
               " failed (" + HumanDuration(first_failed_ms_);
    if (failed_ > 1) failures += " to " + HumanDuration(last_failed_.at_ms);
    failures += "), the last: " + last_failed_.observation.summary;
  }
  if (count_ == 0) {
    return out +
           "\n  never observed: " + (failed_ == 0 ? "no poll completed" : "every query failed") +
           failures;
  }
  AppendEntry("first", first_, true, &out);
  if (changes_dropped_ > 0)
    out += "\n  (" + std::to_string(changes_dropped_) + " earlier changes not kept)";
  for (const Entry& c : changes_) {
    // A change into the last observation is that observation, shown in full below.
    if (count_ > 1 && c.times == 1 && c.at_ms == last_.at_ms) continue;
    AppendChange(c, &out);
  }
  if (count_ > 1) AppendEntry("last", last_, true, &out);
  if (count_ > 1 && changes_.empty() && changes_dropped_ == 0)
    out += "\n  (no change in " + std::to_string(count_) + " observations)";
  return out + failures;
}

std::string HumanDuration(Millis ms) {
  if (ms <= 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  Millis s = ms / 1000;
  Millis h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
  std::string out;
  if (h > 0) out += std::to_string(h) + "h";
  if (m > 0) out += std::to_string(m) + "m";
  if (sec > 0 && h == 0) out += std::to_string(sec) + "s";
  return out.empty() ? "0s" : out;
}

}  // namespace asmplan
