#include "runtime/dry_run.h"

#include "compiler/duration_text.h"
#include "compiler/quoted_string.h"
#include "runtime/argv_text.h"
#include "runtime/step_state.h"

namespace asmplan {
namespace {

void Guards(std::string* out, const char* role, const std::vector<Guard>& guards) {
  for (const Guard& g : guards) *out += std::string("#   ") + role + " " + CanonicalText(g) + "\n";
}

std::string Heading(const Step& s) {
  std::string h = "# step " + s.id;
  if (!s.after.empty()) {
    h += " (after";
    for (size_t i = 0; i < s.after.size(); ++i) h += (i ? ", " : " ") + s.after[i];
    h += ")";
  }
  return h + "\n";
}

/// A step's guards, gates and commands, as DryRunText shows them under its heading; commands that
/// will not run (`commands_done`: they completed before a resume) as comments.
void StepBody(std::string* out, const Plan& plan, const Step& s, bool commands_done = false) {
  Guards(out, "require", s.require);
  Guards(out, "skip if", s.skip_if);
  if (!s.confirm.empty()) *out += "#   confirm \"" + s.confirm + "\"\n";
  if (!s.fetch.empty()) {
    std::string url;
    for (const Artifact& a : plan.artifacts) {
      if (a.name == s.fetch) url = a.url;
    }
    *out += "#   fetch " + s.fetch + " " + url + "\n";
  }
  if (s.timeout_ms > 0 || s.retries > 0) {
    *out += "#  ";
    if (s.timeout_ms > 0) *out += " timeout " + FormatDuration(s.timeout_ms);
    if (s.retries > 0) {
      *out += " retry " + std::to_string(s.retries) + " backoff " + FormatDuration(s.backoff_ms);
    }
    *out += "\n";
  }
  for (const auto& argv : s.run)
    *out += (commands_done ? "#   done: " : "") + ArgvText(argv) + "\n";
  for (const WaitUntil& w : s.wait_until) {
    *out += "#   wait until " + CanonicalText(w.guard) + " timeout " +
            FormatDuration(w.timeout_ms) + " every " + FormatDuration(w.every_ms) + "\n";
  }
  Guards(out, "verify", s.verify);
}

/// What resume does with step `s` given its record, after its heading's " ".
std::string ResumeAction(const Step& s, const StepRecord* rec, bool rerun, const char* approval) {
  if (rec == nullptr || rec->state == StepState::kPending) return "runs";
  if (rerun) return "runs again (--rerun)";
  switch (rec->state) {
    case StepState::kSucceeded:
    case StepState::kSkipped:
      return std::string("done (") + StepStateName(rec->state) + "); not run again";
    case StepState::kFailed:
      return "failed; runs again (attempt " + std::to_string(rec->attempts + 1) + ")";
    case StepState::kAwaitingConfirmation:
      return approval ? std::string("stopped at its confirm gate; proceeds (") + approval + ")"
                      : "stopped at its confirm gate; asks again";
    case StepState::kRunning:
      break;
    case StepState::kPending:
      return "runs";
  }
  if (rec->exit_code == 0 && !s.run.empty()) {
    return std::string("was waiting when the run stopped: ") +
           (s.require.empty() ? ""
                              : "its require is checked again (if it does not hold, the run stops, "
                                "exit 3), then ") +
           "its waits (full timeouts) and verify; its commands do not run again";
  }
  std::string what = s.wait_until.empty() ? "its verify holds" : "its verify and waits hold";
  std::string otherwise = s.idempotent    ? "it runs again (idempotent)"
                          : s.retries > 0 ? "it runs again (has retry)"
                          : s.run.empty() ? "it fetches again (a fetch is safe to repeat)"
                                          : "the run stops and asks for --rerun or --mark-done";
  if (s.verify.empty())
    return "was running when the run stopped and has no verify guard: " + otherwise;
  return "was running when the run stopped: succeeded if " + what + " now; otherwise " + otherwise;
}

}  // namespace

std::string DryRunText(const Plan& plan, const std::string& workspace,
                       const std::string& missing_secret) {
  std::string out = "# plan " + plan.name + " (sha256 " + plan.sha256 + ")\n";
  out += "# commands run in " + ArgvText({workspace}) + "\n";
  if (!missing_secret.empty()) {
    out += "# " + missing_secret + ": the run is refused (exit 2) until it is set\n";
  }
  for (const Step& s : plan.steps) {
    out += Heading(s);
    StepBody(&out, plan, s);
  }
  return VisibleText(out);
}

std::string ResumeDryRunText(const Plan& plan, const std::string& workspace,
                             const ResumePreview& preview) {
  const Checkpoint& cp = *preview.checkpoint;
  std::string out = "# resume of plan " + plan.name + " (sha256 " + plan.sha256 + ") in " +
                    ArgvText({preview.state_dir}) + ": what `asmplan resume` would do\n";
  out += "# commands run in " + ArgvText({workspace}) + "\n";
  if (!preview.missing_secret.empty()) {
    out += "# " + preview.missing_secret + ": resume is refused (exit 2) until it is set\n";
  }
  if (preview.lock_holder > 0) {
    out += "# pid " + std::to_string(preview.lock_holder) +
           " runs it now (it holds the lock): resume is refused (exit 4) until it ends\n";
  }
  for (const LeftoverCommand& c : preview.leftovers) {
    out += "# pid " + std::to_string(c.pid) + " (" + c.program + ", step " + c.step +
           ") is a command the killed run left running: resume waits up to " +
           FormatDuration(kLeftoverGraceMs) + " for it to end, and refuses if it has not\n";
  }
  for (const Step& s : plan.steps) {
    auto it = cp.steps.find(s.id);
    const StepRecord* rec = it == cp.steps.end() ? nullptr : &it->second;
    bool rerun = preview.rerun.count(s.id) > 0;
    std::string heading = Heading(s);
    heading.pop_back();
    const char* approval = preview.assume_yes             ? "--yes"
                           : preview.approved.count(s.id) ? "--approve"
                                                          : nullptr;
    out += heading + ": " + ResumeAction(s, rec, rerun, approval) + "\n";
    if (!rerun && rec && IsDone(rec->state)) continue;
    bool commands_done =
        !rerun && rec && rec->state == StepState::kRunning && rec->exit_code == 0 && !s.run.empty();
    StepBody(&out, plan, s, commands_done);
  }
  return VisibleText(out);
}

}  // namespace asmplan
