// A reader for exactly the YAML subset WriteCompiledPlan writes: known keys in a fixed order,
// fixed indentation, one value per line. It refuses anything else with the line number, and
// reads a 100k-step plan in a fraction of the time a general YAML loader takes.
#include "compiler/compiled_plan_parser.h"

#include <algorithm>
#include <climits>

#include "compiler/duration_text.h"
#include "compiler/guard_text.h"
#include "compiler/plan_json_value.h"
#include "compiler/plan_line_cursor.h"
#include "compiler/quoted_string.h"

namespace asmplan {
namespace {

class PlanParser {
 public:
  PlanParser(std::string_view body, int first_line) : cur_(body, first_line) {}

  bool Parse(Plan* plan, std::string* err) {
    const bool ok = ParsePlan(plan);
    if (!ok) *err = "compiled plan line " + std::to_string(error_line_) + ": " + error_;
    return ok;
  }

 private:
  bool Fail(std::string message) {
    error_ = std::move(message);
    error_line_ = cur_.number();
    return false;
  }

  // --- one line, `key: value` ------------------------------------------------------------------

  bool IsKey(int indent, std::string_view key) const {
    const std::string_view c = cur_.content();
    return !cur_.AtEnd() && cur_.indent() == indent && c.size() > key.size() &&
           c.compare(0, key.size(), key) == 0 && c[key.size()] == ':';
  }

  // Checks that the current line is `key:` at `indent`; `value` gets what follows ": ".
  bool Key(int indent, std::string_view key, std::string_view* value) {
    if (!IsKey(indent, key)) {
      return Fail("expected `" + std::string(key) + ":` at column " + std::to_string(indent + 1));
    }
    std::string_view rest = cur_.content().substr(key.size() + 1);
    if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    *value = rest;
    return true;
  }

  bool QuotedValue(std::string_view value, std::string* out) {
    size_t pos = 0;
    std::string err;
    if (!ParseQuoted(value, &pos, out, &err)) return Fail(err);
    if (pos != value.size()) return Fail("unexpected text after a quoted string");
    return true;
  }

  bool String(int indent, std::string_view key, std::string* out) {
    std::string_view value;
    if (!Key(indent, key, &value) || !QuotedValue(value, out)) return false;
    cur_.Advance();
    return true;
  }

  bool OptString(int indent, std::string_view key, std::string* out) {
    return !IsKey(indent, key) || String(indent, key, out);
  }

  bool Int(int indent, std::string_view key, long long min, long long max, long long* out) {
    std::string_view value;
    if (!Key(indent, key, &value)) return false;
    const bool negative = !value.empty() && value[0] == '-';
    size_t i = negative ? 1 : 0;
    long long v = 0;
    for (; i < value.size() && value[i] >= '0' && value[i] <= '9' && v <= max; ++i) {
      v = v * 10 + (value[i] - '0');
    }
    if (negative) v = -v;
    if (i == (negative ? 1u : 0u) || i != value.size() || v < min || v > max) {
      return Fail("`" + std::string(key) + "` must be a whole number in [" + std::to_string(min) +
                  ", " + std::to_string(max) + "]");
    }
    *out = v;
    cur_.Advance();
    return true;
  }

  bool IntField(int indent, std::string_view key, int* out) {
    long long v = 0;
    if (!Int(indent, key, INT_MIN, INT_MAX, &v)) return false;
    *out = static_cast<int>(v);
    return true;
  }

  // A flag is written only when set, as `key: true`.
  bool OptTrue(int indent, std::string_view key, bool* out) {
    if (!IsKey(indent, key)) return true;
    std::string_view value;
    Key(indent, key, &value);
    if (value != "true") return Fail("`" + std::string(key) + "` is written only as `true`");
    *out = true;
    cur_.Advance();
    return true;
  }

  bool Duration(int indent, std::string_view key, Millis* out) {
    std::string_view value;
    std::string text;
    if (!Key(indent, key, &value) || !QuotedValue(value, &text)) return false;
    if (!ParseDuration(text, out)) {
      return Fail("`" + std::string(key) + "` is not a duration like \"10s\", \"15m\", \"1h30m\"");
    }
    cur_.Advance();
    return true;
  }

  // `["a", "b"]`: a flow sequence of quoted strings on one line.
  bool FlowList(std::string_view value, std::vector<std::string>* out) {
    if (value.size() < 2 || value.front() != '[' || value.back() != ']') {
      return Fail("expected a list of quoted strings in [ ]");
    }
    size_t pos = 1;
    if (value == "[]") return true;
    // Two quotes per item (more if some contain \"): one allocation for the whole argv.
    out->reserve(out->size() + std::count(value.begin(), value.end(), '"') / 2);
    std::string err;
    while (true) {
      out->emplace_back();
      if (!ParseQuoted(value, &pos, &out->back(), &err)) return Fail(err);
      if (value.compare(pos, 2, ", ") == 0) {
        pos += 2;
        continue;
      }
      if (pos + 1 == value.size()) return true;
      return Fail("expected `, ` or `]` in a list");
    }
  }

  // `'canonical guard text'` with '' standing for one apostrophe.
  bool GuardValue(std::string_view value, Guard* guard) {
    if (value.size() < 2 || value.front() != '\'' || value.back() != '\'') {
      return Fail("expected a guard in single quotes");
    }
    std::string_view inner = value.substr(1, value.size() - 2);
    std::string err;
    if (inner.find('\'') == std::string_view::npos) {
      // The common case: no apostrophe to undouble, so parse the text in place.
      if (!ParseGuardText(inner, guard, &err)) return Fail("invalid guard: " + err);
      return true;
    }
    std::string text;
    text.reserve(value.size());
    for (size_t i = 1; i + 1 < value.size(); ++i) {
      if (value[i] == '\'') {
        if (value[i + 1] != '\'' || i + 2 == value.size()) return Fail("unpaired `'` in a guard");
        ++i;
      }
      text += value[i];
    }
    if (!ParseGuardText(text, guard, &err)) return Fail("invalid guard: " + err);
    return true;
  }

  // --- lists -----------------------------------------------------------------------------------

  // `key: []`, or `key:` followed by items `- ...` at indent + 2 (or at `item_indent`), each
  // read by `item`, which starts on the item's line and must advance past it.
  template <typename F>
  bool List(int indent, std::string_view key, int item_indent, F item) {
    std::string_view value;
    if (!Key(indent, key, &value)) return false;
    if (value == "[]") {
      cur_.Advance();
      return true;
    }
    if (!value.empty()) return Fail("expected `" + std::string(key) + ":` alone or with `[]`");
    cur_.Advance();
    if (!cur_.AtItem(item_indent))
      return Fail("expected a `- ` item of `" + std::string(key) + "`");
    while (cur_.AtItem(item_indent)) {
      if (!item()) return false;
    }
    return true;
  }

  template <typename F>
  bool OptList(int indent, std::string_view key, F item) {
    return !IsKey(indent, key) || List(indent, key, indent + 2, item);
  }

  bool GuardList(int indent, std::string_view key, std::vector<Guard>* out) {
    return OptList(indent, key, [&] {
      out->emplace_back();
      if (!GuardValue(cur_.content().substr(2), &out->back())) return false;
      cur_.Advance();
      return true;
    });
  }

  bool StringItem(std::vector<std::string>* out) {
    out->emplace_back();
    if (!QuotedValue(cur_.content().substr(2), &out->back())) return false;
    cur_.Advance();
    return true;
  }

  // --- sections --------------------------------------------------------------------------------

  bool ParsePlan(Plan* plan);
  bool ParseSource(Plan* plan);
  bool ParseParam(Plan* plan);
  bool ParseArtifact(Plan* plan);
  bool ParseGroup(Plan* plan);
  bool ParseStep(Step* step);
  bool ParseStepCommands(Step* step);
  bool ParseWait(Step* step);

  PlanLineCursor cur_;
  std::string error_;
  int error_line_ = 0;
};

bool PlanParser::ParsePlan(Plan* plan) {
  std::string_view version;
  if (!Key(0, "format_version", &version)) return false;
  if (version != "1") {
    return Fail("unsupported format_version `" + std::string(version) + "` (this asmplan reads 1)");
  }
  plan->format_version = 1;
  cur_.Advance();
  if (!String(0, "plan", &plan->name) || !String(0, "title", &plan->title)) return false;
  if (!List(0, "sources", 2, [&] { return ParseSource(plan); })) return false;
  if (!List(0, "params", 2, [&] { return ParseParam(plan); })) return false;
  if (!List(0, "artifacts", 2, [&] { return ParseArtifact(plan); })) return false;
  if (!List(0, "groups", 2, [&] { return ParseGroup(plan); })) return false;
  if (!List(0, "steps", 2, [&] {
        plan->steps.emplace_back();
        return ParseStep(&plan->steps.back());
      })) {
    return false;
  }
  if (!cur_.AtEnd()) return Fail("unexpected line after the steps");
  return true;
}

bool PlanParser::ParseSource(Plan* plan) {
  cur_.EnterItem();
  SourceDigest& s = plan->sources.emplace_back();
  return String(4, "path", &s.path) && String(4, "sha256", &s.sha256);
}

bool PlanParser::ParseParam(Plan* plan) {
  cur_.EnterItem();
  ParamValue& p = plan->params.emplace_back();
  if (!String(4, "name", &p.name) || !String(4, "type", &p.type)) return false;
  if (!OptTrue(4, "secret", &p.secret)) return false;
  std::string_view value;
  if (IsKey(4, "value")) {
    Key(4, "value", &value);
    if (!IsFlowJsonValue(value)) return Fail("`value` is not a canonical JSON value");
    p.value = std::string(value);
    cur_.Advance();
  } else if (!OptString(4, "value_text", &p.value)) {
    return false;
  }
  return String(4, "source", &p.source);
}

bool PlanParser::ParseArtifact(Plan* plan) {
  cur_.EnterItem();
  Artifact& a = plan->artifacts.emplace_back();
  if (!String(4, "name", &a.name) || !String(4, "url", &a.url) ||
      !OptString(4, "signature_url", &a.signature_url) ||
      !OptString(4, "key_fingerprint", &a.key_fingerprint) || !OptString(4, "sha256", &a.sha256) ||
      !OptString(4, "extract_to", &a.extract_to) || !OptTrue(4, "verify_none", &a.verify_none)) {
    return false;
  }
  if (!IsKey(4, "public_key")) return true;
  std::string_view value;
  Key(4, "public_key", &value);
  if (value != "|") {
    if (!QuotedValue(value, &a.public_key_pem)) return false;
    cur_.Advance();
    return true;
  }
  cur_.TakeLiteralBlock(6, &a.public_key_pem);
  if (a.public_key_pem.empty()) return Fail("empty `public_key` block");
  return true;
}

bool PlanParser::ParseGroup(Plan* plan) {
  cur_.EnterItem();
  Group& g = plan->groups.emplace_back();
  if (!String(4, "name", &g.name)) return false;
  if (IsKey(4, "parallel") && !IntField(4, "parallel", &g.parallel)) return false;
  return List(4, "steps", 6, [&] { return StringItem(&g.steps); });
}

bool PlanParser::ParseStep(Step* s) {
  cur_.EnterItem();
  if (!String(4, "id", &s->id) || !OptString(4, "group", &s->group) ||
      !String(4, "source", &s->source)) {
    return false;
  }
  if (IsKey(4, "after")) {
    std::string_view value;
    Key(4, "after", &value);
    if (!FlowList(value, &s->after)) return false;
    cur_.Advance();
  }
  if (!GuardList(4, "require", &s->require) || !GuardList(4, "skip_if", &s->skip_if) ||
      !OptString(4, "fetch", &s->fetch) || !ParseStepCommands(s)) {
    return false;
  }
  if (!OptList(4, "wait_until", [&] { return ParseWait(s); })) return false;
  return GuardList(4, "verify", &s->verify) && OptTrue(4, "idempotent", &s->idempotent) &&
         OptString(4, "confirm", &s->confirm);
}

bool PlanParser::ParseStepCommands(Step* s) {
  const bool ok = OptList(4, "run", [&] {
    if (!FlowList(cur_.content().substr(2), &s->run.emplace_back())) return false;
    cur_.Advance();
    return true;
  });
  if (!ok) return false;
  if (IsKey(4, "timeout") && !Duration(4, "timeout", &s->timeout_ms)) return false;
  if (!IsKey(4, "retry")) return true;
  return IntField(4, "retry", &s->retries) && Duration(4, "backoff", &s->backoff_ms);
}

bool PlanParser::ParseWait(Step* s) {
  cur_.EnterItem();
  WaitUntil& w = s->wait_until.emplace_back();
  std::string_view value;
  if (!Key(8, "guard", &value) || !GuardValue(value, &w.guard)) return false;
  cur_.Advance();
  return Duration(8, "timeout", &w.timeout_ms) && Duration(8, "every", &w.every_ms);
}

}  // namespace

bool ParseCompiledPlanBody(std::string_view body, int first_line, Plan* plan, std::string* err) {
  // A step takes at least ~250 bytes of text, so this rarely regrows; untouched reserved memory
  // costs address space, not resident memory.
  plan->steps.reserve(body.size() / 250);
  return PlanParser(body, first_line).Parse(plan, err);
}

}  // namespace asmplan
