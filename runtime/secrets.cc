#include "runtime/secrets.h"

#include <algorithm>

#include "compiler/quoted_string.h"
#include "runtime/argv_text.h"
#include "runtime/line_reporter.h"

namespace asmplan {
namespace {

// Linear in the text: copied piece by piece, never shifted in place (a command's megabytes of
// output full of a secret took minutes that way).
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  size_t pos = from.empty() ? std::string::npos : text.find(from);
  if (pos == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  size_t done = 0;
  for (; pos != std::string::npos; pos = text.find(from, done)) {
    out.append(text, done, pos - done);
    out += to;
    done = pos + from.size();
  }
  out.append(text, done, std::string::npos);
  return out;
}

}  // namespace

bool Secrets::Load(const Plan& plan, const std::function<const char*(const char*)>& getenv,
                   std::string* err) {
  for (const ParamValue& p : plan.params) {
    if (!p.secret) continue;
    std::string env = SecretEnvironmentVariable(p.name);
    const char* value = getenv(env.c_str());
    if (!value || !*value) {
      *err = "secret parameter `" + p.name + "` has no value: set " + env;
      return false;
    }
    Add(p.name, value);
  }
  return true;
}

void Secrets::Add(const std::string& name, const std::string& value) {
  values_.emplace_back("${" + name + "}", value);
  // The value as asmplan may show it, each redacted: an argv shell-quoted (a `'` becomes '\''), a
  // guard's string JSON-quoted, text with its control characters escaped for a terminal.
  std::string quoted = Quoted(value);
  std::string shell = ArgvText({value});
  if (shell.size() >= 2 && shell.front() == '\'' && shell.back() == '\'')
    shell = shell.substr(1, shell.size() - 2);
  // Inside an argument with a control character anywhere, as bash's $'...' shows it.
  std::string ansi = AnsiCQuoted(value);
  ansi = ansi.substr(2, ansi.size() - 3);
  if (shell.rfind("$'", 0) == 0) shell = ansi;
  for (std::string form : {value, shell, ansi, quoted.substr(1, quoted.size() - 2),
                           VisibleText(value), Printable(value)}) {
    if (!form.empty() && std::find(forms_.begin(), forms_.end(), form) == forms_.end())
      forms_.push_back(std::move(form));
  }
  // Longest first, so a secret that contains another is redacted whole.
  std::stable_sort(forms_.begin(), forms_.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::vector<std::string> Secrets::ShorterThan(size_t chars) const {
  std::vector<std::string> names;
  for (const auto& [ref, value] : values_) {
    if (value.size() < chars) names.push_back(ref.substr(2, ref.size() - 3));
  }
  return names;
}

std::string Secrets::Substitute(const std::string& text) const {
  if (values_.empty() || text.find("${") == std::string::npos) return text;
  std::string out = text;
  for (const auto& [ref, value] : values_) out = ReplaceAll(std::move(out), ref, value);
  return out;
}

std::string Secrets::Redact(const std::string& text) const {
  std::string out = text;
  for (const std::string& form : forms_) out = ReplaceAll(std::move(out), form, "***");
  return out;
}

Guard Secrets::Substitute(const Guard& guard) const {
  Guard g = guard;
  g.ns = Substitute(g.ns);
  g.name = Substitute(g.name);
  for (std::string& a : g.argv) a = Substitute(a);
  for (Guard& op : g.operands) op = Substitute(op);
  return g;
}

}  // namespace asmplan
