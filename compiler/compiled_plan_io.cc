// The compiled plan writer and the hash framing shared by writer and reader. The layout is a
// strict subset of YAML (see compiled_plan_io.h): fixed key order, two-space indentation, every
// string double-quoted with JSON escapes, guards single-quoted canonical text, each argv one flow
// sequence on one line. That keeps it valid YAML for any tool and lets compiled_plan_parser.cc
// read it line by line, an order of magnitude faster than a general YAML loader.
#include "compiler/compiled_plan_io.h"

#include "compiler/compiled_plan_parser.h"
#include "compiler/duration_text.h"
#include "compiler/guard_text.h"
#include "compiler/plan_consistency.h"
#include "compiler/plan_json_value.h"
#include "compiler/quoted_string.h"
#include "compiler/sha256.h"

namespace asmplan {
namespace {

// Appends the plan's lines without the sha256 line; the caller inserts that one after the header.
class PlanWriter {
 public:
  explicit PlanWriter(std::string* out) : out_(*out) {}

  void Header(const Plan& plan);
  void Body(const Plan& plan);

 private:
  // Starts `key: ` at `indent`; `item` starts a sequence item ("- ") two columns to the left.
  void Key(int indent, const char* key, bool item = false) {
    if (item) {
      out_.append(indent - 2, ' ');
      out_ += "- ";
    } else {
      out_.append(indent, ' ');
    }
    out_ += key;
    out_ += ':';
  }
  void String(int indent, const char* key, const std::string& value, bool item = false) {
    Key(indent, key, item);
    out_ += ' ';
    AppendQuoted(value, &out_);
    out_ += '\n';
  }
  void OptString(int indent, const char* key, const std::string& value) {
    if (!value.empty()) String(indent, key, value);
  }
  void Int(int indent, const char* key, long long value) {
    Key(indent, key);
    out_ += ' ';
    out_ += std::to_string(value);
    out_ += '\n';
  }
  void True(int indent, const char* key) {
    Key(indent, key);
    out_ += " true\n";
  }
  void Duration(int indent, const char* key, Millis ms) {
    Key(indent, key);
    out_ += " \"";
    out_ += FormatDuration(ms);
    out_ += "\"\n";
  }
  void FlowList(const std::vector<std::string>& items) {
    out_ += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out_ += ", ";
      AppendQuoted(items[i], &out_);
    }
    out_ += ']';
  }
  void GuardText(const Guard& guard) {
    // Canonical guard text is one line of printable characters: single-quoting it only has to
    // double the apostrophes, and spares the reader a wall of \" escapes.
    std::string text;
    AppendCanonicalText(guard, &text);
    out_ += '\'';
    for (char c : text) {
      if (c == '\'') out_ += '\'';
      out_ += c;
    }
    out_ += '\'';
  }
  void Guards(int indent, const char* key, const std::vector<Guard>& guards) {
    if (guards.empty()) return;
    Key(indent, key);
    out_ += '\n';
    for (const Guard& g : guards) {
      out_.append(indent + 2, ' ');
      out_ += "- ";
      GuardText(g);
      out_ += '\n';
    }
  }
  void Text(int indent, const char* key, const std::string& value);

  void Source(const SourceDigest& source);
  void Param(const ParamValue& param);
  void ArtifactEntry(const Artifact& artifact);
  void GroupEntry(const Group& group);
  void StepEntry(const Step& step);
  void StepCommands(const Step& step);
  void StepWaits(const Step& step);
  template <typename T, typename F>
  void Section(const char* key, const std::vector<T>& items, F write_one) {
    out_ += '\n';
    out_ += key;
    out_ += items.empty() ? ": []\n" : ":\n";
    for (const T& item : items) (this->*write_one)(item);
  }

  std::string& out_;
};

// A PEM key reads best as a literal block; anything a literal block cannot carry exactly (no
// final newline, blank first line, control or non-ASCII characters) stays a quoted string.
bool FitsLiteralBlock(const std::string& text) {
  if (text.empty() || text[0] == '\n' || text[0] == ' ' || text.back() != '\n') return false;
  if (text.size() >= 2 && text[text.size() - 2] == '\n') return false;
  for (char c : text) {
    if (c != '\n' && (c < 0x20 || c > 0x7e)) return false;
  }
  return true;
}

void PlanWriter::Text(int indent, const char* key, const std::string& value) {
  if (!FitsLiteralBlock(value)) return String(indent, key, value);
  Key(indent, key);
  out_ += " |\n";
  size_t start = 0;
  while (start < value.size()) {
    const size_t end = value.find('\n', start);
    if (end > start) out_.append(indent + 2, ' ');
    out_.append(value, start, end + 1 - start);
    start = end + 1;
  }
}

void PlanWriter::Header(const Plan& plan) {
  out_ += "# compiled by asmplan " ASMPLAN_VERSION " from ";
  out_ += plan.sources.empty() ? std::string("(no source)") : Quoted(plan.sources[0].path);
  out_ += "; do not edit: an edited plan is refused\n";
  out_ +=
      "# sha256 below is the SHA-256 of every byte of this file except the sha256 line itself\n";
}

void PlanWriter::Body(const Plan& plan) {
  Int(0, "format_version", plan.format_version);
  String(0, "plan", plan.name);
  String(0, "title", plan.title);
  Section("sources", plan.sources, &PlanWriter::Source);
  Section("params", plan.params, &PlanWriter::Param);
  Section("artifacts", plan.artifacts, &PlanWriter::ArtifactEntry);
  Section("groups", plan.groups, &PlanWriter::GroupEntry);
  Section("steps", plan.steps, &PlanWriter::StepEntry);
}

void PlanWriter::Source(const SourceDigest& source) {
  String(4, "path", source.path, true);
  String(4, "sha256", source.sha256);
}

void PlanWriter::Param(const ParamValue& param) {
  String(4, "name", param.name, true);
  String(4, "type", param.type);
  if (param.secret) {
    // A secret's value never reaches the file, even if the model carries one by mistake.
    True(4, "secret");
  } else if (IsFlowJsonValue(param.value)) {
    // Written as it is: a JSON scalar or array is also a YAML flow value.
    Key(4, "value");
    out_ += ' ';
    out_ += param.value;
    out_ += '\n';
  } else if (!param.value.empty()) {
    String(4, "value_text", param.value);
  }
  String(4, "source", param.source);
}

void PlanWriter::ArtifactEntry(const Artifact& a) {
  String(4, "name", a.name, true);
  String(4, "url", a.url);
  OptString(4, "signature_url", a.signature_url);
  OptString(4, "key_fingerprint", a.key_fingerprint);
  OptString(4, "sha256", a.sha256);
  OptString(4, "extract_to", a.extract_to);
  if (a.verify_none) True(4, "verify_none");
  if (!a.public_key_pem.empty()) Text(4, "public_key", a.public_key_pem);
}

void PlanWriter::GroupEntry(const Group& group) {
  String(4, "name", group.name, true);
  if (group.parallel != 0) Int(4, "parallel", group.parallel);
  Key(4, "steps");
  out_ += group.steps.empty() ? " []\n" : "\n";
  for (const std::string& id : group.steps) {
    out_ += "      - ";
    AppendQuoted(id, &out_);
    out_ += '\n';
  }
}

void PlanWriter::StepEntry(const Step& s) {
  String(4, "id", s.id, true);
  OptString(4, "group", s.group);
  String(4, "source", s.source);
  if (!s.after.empty()) {
    Key(4, "after");
    out_ += ' ';
    FlowList(s.after);
    out_ += '\n';
  }
  Guards(4, "require", s.require);
  Guards(4, "skip_if", s.skip_if);
  OptString(4, "fetch", s.fetch);
  StepCommands(s);
  StepWaits(s);
  Guards(4, "verify", s.verify);
  if (s.idempotent) True(4, "idempotent");
  OptString(4, "confirm", s.confirm);
}

void PlanWriter::StepCommands(const Step& s) {
  if (!s.run.empty()) {
    Key(4, "run");
    out_ += '\n';
    for (const std::vector<std::string>& argv : s.run) {
      out_ += "      - ";
      FlowList(argv);
      out_ += '\n';
    }
  }
  if (s.timeout_ms != 0) Duration(4, "timeout", s.timeout_ms);
  if (s.retries != 0 || s.backoff_ms != 0) {
    Int(4, "retry", s.retries);
    Duration(4, "backoff", s.backoff_ms);
  }
}

void PlanWriter::StepWaits(const Step& s) {
  if (s.wait_until.empty()) return;
  Key(4, "wait_until");
  out_ += '\n';
  for (const WaitUntil& w : s.wait_until) {
    Key(8, "guard", true);
    out_ += ' ';
    GuardText(w.guard);
    out_ += '\n';
    Duration(8, "timeout", w.timeout_ms);
    Duration(8, "every", w.every_ms);
  }
}

// The line `sha256: "<hex>"` for `hex`, newline included.
std::string HashLineFor(const std::string& hex) { return "sha256: \"" + hex + "\"\n"; }

// Where the sha256 line is: [start, end) with its newline, its 1-based number, the hex digits.
struct HashLine {
  size_t start = 0;
  size_t end = 0;
  int number = 1;
  std::string_view hex;
};

// The sha256 line is the first line that is not a header comment. False when it is malformed.
bool FindHashLine(std::string_view text, HashLine* line) {
  while (line->start < text.size() && text[line->start] == '#') {
    const size_t newline = text.find('\n', line->start);
    if (newline == std::string_view::npos) return false;
    line->start = newline + 1;
    ++line->number;
  }
  const size_t newline = text.find('\n', line->start);
  if (newline == std::string_view::npos) return false;
  const std::string_view content = text.substr(line->start, newline - line->start);
  const std::string_view prefix = "sha256: \"";
  if (content.size() != prefix.size() + 65 || content.substr(0, prefix.size()) != prefix ||
      content.back() != '"') {
    return false;
  }
  line->hex = content.substr(prefix.size(), 64);
  line->end = newline + 1;
  return IsSha256Hex(line->hex);
}

}  // namespace

std::string WriteCompiledPlan(Plan* plan) {
  // One buffer: header, a placeholder hash line, body; the hash is patched in at the end, so a
  // 30 MB plan is never copied.
  std::string text;
  // Roughly what a typical step takes, so a big plan is written without regrowing.
  text.reserve(4096 + plan->steps.size() * 350);
  PlanWriter(&text).Header(*plan);
  const size_t header_end = text.size();
  text += HashLineFor(std::string(64, '0'));
  const size_t body_start = text.size();
  PlanWriter(&text).Body(*plan);

  Sha256 sha;
  sha.Update(std::string_view(text).substr(0, header_end));
  sha.Update(std::string_view(text).substr(body_start));
  plan->sha256 = sha.HexDigest();
  text.replace(header_end, body_start - header_end, HashLineFor(plan->sha256));
  return text;
}

bool ReadCompiledPlan(std::string_view text, Plan* plan, std::string* err) {
  HashLine line;
  if (!FindHashLine(text, &line)) {
    *err = "compiled plan line " + std::to_string(line.number) +
           ": expected `sha256: \"<64 hex digits>\"` after the header comments";
    // Say what the file is instead, when that is clear.
    if (text.find("\r\n") != std::string_view::npos) {
      *err +=
          " (the file has Windows line ends, CRLF, as git's autocrlf writes them: a compiled "
          "plan is byte for byte what the compiler wrote; check it out with LF)";
    } else if (text.find("# compiled by asmplan") == std::string_view::npos &&
               (text.find("plan ") != std::string_view::npos ||
                text.find("use \"") != std::string_view::npos)) {
      *err +=
          " (this looks like a plan source: compile it with `asmplan compile FILE -o "
          "PLAN.yaml`, or give it to `asmplan run` as it is, named *.asmplan)";
    }
    return false;
  }
  Sha256 sha;
  sha.Update(text.substr(0, line.start));
  sha.Update(text.substr(line.end));
  const std::string computed = sha.HexDigest();
  if (computed != line.hex) {
    *err = "compiled plan content does not match its sha256 (recorded " + std::string(line.hex) +
           ", content hashes to " + computed + "): it was changed after compiling" + kCompileAgain;
    return false;
  }
  *plan = Plan();
  plan->sha256 = std::string(line.hex);
  if (!ParseCompiledPlanBody(text.substr(line.end), line.number + 1, plan, err)) return false;
  if (!CheckPlanConsistency(*plan, err)) {
    *err = "compiled plan is inconsistent: " + *err;
    return false;
  }
  return true;
}

}  // namespace asmplan
