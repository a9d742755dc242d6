#include "runtime/status_table.h"

#include <algorithm>
#include <vector>

#include "compiler/duration_text.h"

namespace asmplan {
namespace {

using Row = std::vector<std::string>;

std::string Header(const Plan& plan, const Checkpoint& cp) {
  std::string session = "none", outcome = "running or killed";
  for (const JournalRecord& r : cp.history) {
    if (r.kind == JournalRecord::Kind::kSession) {
      session = r.text + " by pid " + std::to_string(r.number) + " on " + r.host;
      outcome = "running or killed";
    }
    if (r.kind == JournalRecord::Kind::kFinish) outcome = r.text;
  }
  return "plan " + plan.name + " (sha256 " + cp.plan_sha256.substr(0, 12) +
         "), last session: " + session + ", " + outcome + "\n";
}

/// When the last session ended (its finish record), or -1 while it runs or after it was killed.
Millis SessionEnd(const Checkpoint& cp) {
  Millis end = -1;
  for (const JournalRecord& r : cp.history) {
    if (r.kind == JournalRecord::Kind::kSession) end = -1;
    if (r.kind == JournalRecord::Kind::kFinish) end = r.wall_ms;
  }
  return end;
}

Row RowOf(const std::string& id, const StepRecord* rec, Millis now, Millis session_end) {
  if (!rec) return {id, "pending", "0", "", ""};
  std::string duration;
  bool running = rec->state == StepState::kRunning;
  if (rec->started_ms > 0) {
    // A step still `running` after its session ended (interrupted) stopped with it.
    Millis end = !running ? rec->ended_ms : session_end >= 0 ? session_end : now;
    if (end >= rec->started_ms) duration = FormatDuration(end - rec->started_ms);
  }
  std::string note = rec->message.substr(0, rec->message.find('\n'));
  if (note.empty() && running && session_end >= 0) note = "stopped when its run ended";
  if (note.empty() && rec->state == StepState::kFailed) note = "see " + rec->log_path;
  return {id, StepStateName(rec->state), std::to_string(rec->attempts), duration, note};
}

}  // namespace

std::string StatusTable(const Plan& plan, const Checkpoint& cp, Millis now) {
  std::vector<Row> rows = {{"STEP", "STATE", "ATTEMPTS", "DURATION", "NOTE"}};
  Millis session_end = SessionEnd(cp);
  for (const Step& s : plan.steps) {
    auto it = cp.steps.find(s.id);
    rows.push_back(RowOf(s.id, it == cp.steps.end() ? nullptr : &it->second, now, session_end));
  }
  std::vector<size_t> width(5, 0);
  for (const Row& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out = Header(plan, cp);
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
