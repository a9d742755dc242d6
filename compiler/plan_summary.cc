#include "compiler/plan_summary.h"

#include <algorithm>

#include "compiler/duration_text.h"
#include "compiler/guard_text.h"
#include "compiler/plan_json_value.h"
#include "compiler/quoted_string.h"

namespace asmplan {
namespace {

bool IsSafeShellChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_@%+=:,./-${}[]").find(c) != std::string_view::npos;
}

std::string Command(const std::vector<std::string>& argv) {
  std::string out;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i) out += ' ';
    out += DisplayWord(argv[i]);
  }
  return argv.empty() ? "(empty command)" : out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

std::string Padded(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

// `  label   text` lines of a step, the label in a column of its own.
void Line(std::string* out, const char* label, const std::string& text) {
  *out += "       ";
  *out += Padded(label, 11);
  *out += text;
  *out += '\n';
}

void Header(const Plan& plan, std::string* out) {
  *out += "plan " + plan.name + (plan.title.empty() ? "" : ": " + plan.title) + "\n";
  *out += "sha256 " + plan.sha256 + " (verified)\n";
  *out += "format_version " + std::to_string(plan.format_version) + "\n";
  *out += "\nsources:\n";
  for (const SourceDigest& s : plan.sources) {
    *out += "  " + Padded(DisplayWord(s.path), 31) + " sha256 " + s.sha256 + "\n";
  }
}

void Params(const Plan& plan, std::string* out) {
  *out += "\nparameters:\n";
  if (plan.params.empty()) *out += "  (none)\n";
  size_t width = 0;
  for (const ParamValue& p : plan.params) width = std::max(width, p.name.size());
  for (const ParamValue& p : plan.params) {
    const std::string value =
        p.secret ? "<secret: $" + SecretEnvironmentVariable(p.name) + " at run time>"
        : IsFlowJsonValue(p.value) ? p.value
                                   : Quoted(p.value);
    *out += "  " + Padded(p.name, width) + " : " + p.type + " = " + value + "  (from " + p.source +
            ")\n";
  }
}

void Artifacts(const Plan& plan, std::string* out) {
  *out += "\nartifacts:\n";
  if (plan.artifacts.empty()) *out += "  (none)\n";
  for (const Artifact& a : plan.artifacts) {
    *out += "  " + a.name + "  " + a.url + "\n";
    if (!a.signature_url.empty()) *out += "    signature   " + a.signature_url + "\n";
    if (!a.key_fingerprint.empty()) *out += "    key         sha256:" + a.key_fingerprint + "\n";
    if (!a.sha256.empty()) *out += "    pinned      sha256:" + a.sha256 + "\n";
    if (a.verify_none) *out += "    verify      none (the plan says so explicitly)\n";
    if (!a.extract_to.empty()) *out += "    extract to  " + DisplayWord(a.extract_to) + "\n";
  }
}

void Groups(const Plan& plan, std::string* out) {
  *out += "\ngroups:\n";
  if (plan.groups.empty()) *out += "  (none)\n";
  for (const Group& g : plan.groups) {
    const std::string limit =
        g.parallel > 0 ? "parallel " + std::to_string(g.parallel) : "no own parallel limit";
    *out += "  " + g.name + "  " + limit + ", " + std::to_string(g.steps.size()) +
            (g.steps.size() == 1 ? " step\n" : " steps\n");
  }
}

void StepLines(const Step& s, std::string* out) {
  if (!s.after.empty()) Line(out, "after", Join(s.after));
  for (const Guard& g : s.require) Line(out, "require", CanonicalText(g));
  for (const Guard& g : s.skip_if) Line(out, "skip if", CanonicalText(g));
  if (!s.fetch.empty()) Line(out, "fetch", s.fetch);
  for (const auto& argv : s.run) Line(out, "run", Command(argv));
  if (s.timeout_ms != 0) Line(out, "timeout", FormatDuration(s.timeout_ms) + " per attempt");
  if (s.retries != 0 || s.backoff_ms != 0) {
    Line(out, "retry",
         std::to_string(s.retries) + " more times, backoff " + FormatDuration(s.backoff_ms) +
             " doubling");
  }
  for (const WaitUntil& w : s.wait_until) {
    Line(out, "wait",
         "until " + CanonicalText(w.guard) + " (timeout " + FormatDuration(w.timeout_ms) +
             ", every " + FormatDuration(w.every_ms) + ")");
  }
  for (const Guard& g : s.verify) Line(out, "verify", CanonicalText(g));
  if (s.idempotent) Line(out, "idempotent", "(safe to run again after an interruption)");
  if (!s.confirm.empty()) Line(out, "confirm", Quoted(s.confirm));
}

void Steps(const Plan& plan, std::string* out) {
  *out += "\nsteps (" + std::to_string(plan.steps.size()) + ", in execution order):\n";
  const size_t width = std::to_string(plan.steps.size()).size();
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    const std::string number = std::to_string(i + 1);
    *out += "  " + std::string(width - number.size(), ' ') + number + ". " + s.id;
    if (!s.group.empty()) *out += "  [group " + s.group + "]";
    *out += "  (" + s.source + ")\n";
    StepLines(s, out);
  }
}

}  // namespace

std::string DisplayWord(std::string_view arg) {
  if (!arg.empty() && std::all_of(arg.begin(), arg.end(), IsSafeShellChar)) {
    return std::string(arg);
  }
  const std::string json = Quoted(arg);
  // Single quotes are exact when nothing needed escaping and there is no apostrophe.
  if (json.size() == arg.size() + 2 && arg.find_first_of("'\"\\") == std::string_view::npos) {
    return "'" + std::string(arg) + "'";
  }
  return json;
}

std::string RenderPlanSummary(const Plan& plan) {
  std::string out;
  out.reserve(1024 + plan.steps.size() * 200);
  Header(plan, &out);
  Params(plan, &out);
  Artifacts(plan, &out);
  Groups(plan, &out);
  Steps(plan, &out);
  // Strings are quoted with their invisible characters escaped; this covers the rest (a title,
  // a URL, a step id from a `for` list), so a reviewer's terminal shows what is there.
  return VisibleText(out);
}

}  // namespace asmplan
