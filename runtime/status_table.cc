#include "runtime/status_table.h"

#include <algorithm>
#include <vector>

#include "compiler/duration_text.h"
#include "runtime/line_reporter.h"

namespace asmplan {
namespace {

using Row = std::vector<std::string>;

std::string Header(const Plan& plan, const Checkpoint& cp, long lock_holder, bool leftovers) {
  const std::string unfinished =
      lock_holder > 0    ? "running (pid " + std::to_string(lock_holder) + " holds its lock)"
      : lock_holder == 0 ? std::string("killed (no process holds its lock; ") +
                               (leftovers ? "resume waits for its commands still running, below)"
                                          : "resume continues it)")
                         : "running or killed";
  std::string session = "none", outcome = unfinished;
  for (const JournalRecord& r : cp.history) {
    if (r.kind == JournalRecord::Kind::kSession) {
      session = r.text + " by pid " + std::to_string(r.number) + " on " + r.host;
      outcome = unfinished;
    }
    if (r.kind == JournalRecord::Kind::kFinish) outcome = r.text;
  }
  return "plan " + plan.name + " (sha256 " + cp.plan_sha256.substr(0, 12) +
         "), last session: " + session + ", " + outcome + "\n";
}

/// When sessions ended (their finish records), in order.
std::vector<Millis> SessionEnds(const Checkpoint& cp) {
  std::vector<Millis> ends;
  for (const JournalRecord& r : cp.history) {
    if (r.kind == JournalRecord::Kind::kFinish) ends.push_back(r.wall_ms);
  }
  return ends;
}

/// What resume does with `step`, stopped in its commands when its run ended (docs/executor.md):
/// settles it by its verify and waits, runs it again, or asks.
std::string SettleNote(const Step& step) {
  bool again = RunsAgainAfterAStop(step);
  if (step.verify.empty()) {
    return again ? "; resume runs it again" : "; resume asks for --rerun or --mark-done";
  }
  std::string by = step.wait_until.empty() ? "its verify" : "its verify and waits";
  return "; resume settles it by " + by +
         (again ? ", running it again if they do not hold"
                : ", asking for --rerun or --mark-done if they do not hold");
}

/// `killed`: no process holds the run's lock, so a step still `running` with no session end after
/// its start stopped when its run was killed, at a time no record tells.
Row RowOf(const Step& step, const StepRecord* rec, Millis now,
          const std::vector<Millis>& session_ends, bool killed) {
  const std::string& id = step.id;
  if (!rec) return {id, "pending", "0", "", ""};
  std::string duration;
  bool running = rec->state == StepState::kRunning;
  // A step still `running` when a session ended after it started (interrupted) stopped then.
  auto stopped = std::find_if(session_ends.begin(), session_ends.end(),
                              [&](Millis end) { return end >= rec->started_ms; });
  bool interrupted = running && rec->started_ms > 0 && stopped != session_ends.end();
  bool stopped_unrecorded = running && killed && !interrupted;
  bool ended = interrupted || stopped_unrecorded;
  if (rec->started_ms > 0 && !stopped_unrecorded) {
    Millis end = !running ? rec->ended_ms : interrupted ? *stopped : now;
    if (end >= rec->started_ms) duration = FormatDuration(end - rec->started_ms);
  }
  std::string note = Printable(rec->message.substr(0, rec->message.find('\n')));
  if (note.empty() && running && rec->exit_code == 0) {
    note = ended ? "stopped after its commands, while waiting" : "commands done; waiting";
  }
  if (note.empty() && ended) note = "stopped when its run ended" + SettleNote(step);
  if (note.empty() && rec->state == StepState::kFailed) note = "see " + rec->log_path;
  return {id, StepStateName(rec->state), std::to_string(rec->attempts), duration, note};
}

}  // namespace

std::string StatusTable(const Plan& plan, const Checkpoint& cp, Millis now, long lock_holder,
                        const std::vector<LeftoverCommand>& leftovers) {
  std::vector<Row> rows = {{"STEP", "STATE", "ATTEMPTS", "DURATION", "NOTE"}};
  std::vector<Millis> session_ends = SessionEnds(cp);
  for (const Step& s : plan.steps) {
    auto it = cp.steps.find(s.id);
    rows.push_back(RowOf(s, it == cp.steps.end() ? nullptr : &it->second, now, session_ends,
                         lock_holder == 0));
    if (it == cp.steps.end() || it->second.state != StepState::kRunning) continue;
    std::string pids;
    for (const LeftoverCommand& c : leftovers) {
      if (c.step == s.id) pids += (pids.empty() ? "" : ", ") + std::to_string(c.pid);
    }
    if (!pids.empty()) {
      std::string& note = rows.back()[4];
      note = "its command from the killed run is still running (pid " + pids +
             "); resume waits up to " + FormatDuration(kLeftoverGraceMs) +
             " for it to end, then refuses" + (note.empty() ? "" : "; " + note);
    }
  }
  std::vector<size_t> width(5, 0);
  for (const Row& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out = Header(plan, cp, lock_holder, !leftovers.empty());
  for (const Row& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace asmplan
