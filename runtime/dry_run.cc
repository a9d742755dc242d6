#include "runtime/dry_run.h"

#include "compiler/duration_text.h"
#include "compiler/quoted_string.h"
#include "runtime/argv_text.h"

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

}  // namespace

std::string DryRunText(const Plan& plan, const std::string& workspace) {
  std::string out = "# plan " + plan.name + " (sha256 " + plan.sha256 + ")\n";
  out += "# commands run in " + ArgvText({workspace}) + "\n";
  for (const Step& s : plan.steps) {
    out += Heading(s);
    Guards(&out, "require", s.require);
    Guards(&out, "skip if", s.skip_if);
    if (!s.confirm.empty()) out += "#   confirm \"" + s.confirm + "\"\n";
    if (!s.fetch.empty()) {
      std::string url;
      for (const Artifact& a : plan.artifacts) {
        if (a.name == s.fetch) url = a.url;
      }
      out += "#   fetch " + s.fetch + " " + url + "\n";
    }
    if (s.timeout_ms > 0 || s.retries > 0) {
      out += "#  ";
      if (s.timeout_ms > 0) out += " timeout " + FormatDuration(s.timeout_ms);
      if (s.retries > 0) {
        out += " retry " + std::to_string(s.retries) + " backoff " + FormatDuration(s.backoff_ms);
      }
      out += "\n";
    }
    for (const auto& argv : s.run) out += ArgvText(argv) + "\n";
    for (const WaitUntil& w : s.wait_until) {
      out += "#   wait until " + CanonicalText(w.guard) + " timeout " +
             FormatDuration(w.timeout_ms) + " every " + FormatDuration(w.every_ms) + "\n";
    }
    Guards(&out, "verify", s.verify);
  }
  return VisibleText(out);
}

}  // namespace asmplan
