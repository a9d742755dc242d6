#include "runtime/journal_record.h"

#include <charconv>
#include <vector>

namespace asmplan {
namespace {

using Kind = JournalRecord::Kind;
constexpr const char* kKindNames[] = {
    "step",           "session", "interrupt", "mark-done", "rerun",
    "accept-changes", "fetch",   "finish",    "durable",   "arm"};
constexpr int kKindCount = 10;

void AppendField(std::string* out, std::string_view field) {
  out->push_back('\t');
  for (char c : field) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

void AppendNumber(std::string* out, long long n) { AppendField(out, std::to_string(n)); }

std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char n = s[++i];
    out.push_back(n == 't' ? '\t' : n == 'n' ? '\n' : n);
  }
  return out;
}

// Splits on tabs; an escaped tab is written as "\t" text, so every raw tab is a separator.
std::vector<std::string_view> Split(std::string_view payload) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    size_t tab = payload.find('\t', start);
    fields.push_back(payload.substr(start, tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

template <typename T>
bool ToNumber(std::string_view s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Expected field counts, kind and wall time included.
int FieldCount(Kind kind) {
  switch (kind) {
    case Kind::kStep:
      return 10;
    case Kind::kSession:  // 6 with a boot ID (journal v3)
    case Kind::kMarkDone:
      return 5;
    case Kind::kFetch:
      return 4;
    default:
      return 3;
  }
}

bool DecodeStep(const std::vector<std::string_view>& f, JournalRecord* r) {
  StepRecord& s = r->record;
  r->step = Unescape(f[2]);
  s.log_path = Unescape(f[8]);
  s.message = Unescape(f[9]);
  return ParseStepState(f[3], &s.state) && ToNumber(f[4], &s.attempts) &&
         ToNumber(f[5], &s.started_ms) && ToNumber(f[6], &s.ended_ms) &&
         ToNumber(f[7], &s.exit_code);
}

}  // namespace

const char* RecordKindName(Kind kind) { return kKindNames[static_cast<int>(kind)]; }

std::string EncodeRecord(const JournalRecord& r) {
  std::string out = RecordKindName(r.kind);
  AppendNumber(&out, r.wall_ms);
  switch (r.kind) {
    case Kind::kStep:
      AppendField(&out, r.step);
      AppendField(&out, StepStateName(r.record.state));
      AppendNumber(&out, r.record.attempts);
      AppendNumber(&out, r.record.started_ms);
      AppendNumber(&out, r.record.ended_ms);
      AppendNumber(&out, r.record.exit_code);
      AppendField(&out, r.record.log_path);
      AppendField(&out, r.record.message);
      break;
    case Kind::kSession:
      AppendField(&out, r.text);
      AppendNumber(&out, r.number);
      AppendField(&out, r.host);
      // Only when known: a resumed v2 journal keeps records an older asmplan reads.
      if (!r.boot_id.empty()) AppendField(&out, r.boot_id);
      break;
    case Kind::kMarkDone:
      AppendField(&out, r.step);
      AppendNumber(&out, r.number);
      AppendField(&out, r.text);
      break;
    case Kind::kFetch:
      AppendField(&out, r.step);
      AppendField(&out, r.text);
      break;
    case Kind::kInterrupt:
    case Kind::kDurable:
      AppendNumber(&out, r.number);
      break;
    case Kind::kRerun:
    case Kind::kArm:
      AppendField(&out, r.step);
      break;
    case Kind::kAcceptChanges:
    case Kind::kFinish:
      AppendField(&out, r.text);
      break;
  }
  return out;
}

bool DecodeRecord(std::string_view payload, JournalRecord* r, std::string* err) {
  std::vector<std::string_view> f = Split(payload);
  int kind = 0;
  while (kind < kKindCount && f[0] != kKindNames[kind]) ++kind;
  if (kind == kKindCount) {
    *err = "unknown record kind `" + std::string(f[0].substr(0, 40)) + "`";
    return false;
  }
  *r = JournalRecord();
  r->kind = static_cast<Kind>(kind);
  const int fields = static_cast<int>(f.size());
  bool ok = (fields == FieldCount(r->kind) || (r->kind == Kind::kSession && fields == 6)) &&
            ToNumber(f[1], &r->wall_ms);
  if (ok) {
    switch (r->kind) {
      case Kind::kStep:
        ok = DecodeStep(f, r);
        break;
      case Kind::kSession:
        r->text = Unescape(f[2]);
        r->host = Unescape(f[4]);
        if (fields == 6) r->boot_id = Unescape(f[5]);
        ok = ToNumber(f[3], &r->number);
        break;
      case Kind::kMarkDone:
        r->step = Unescape(f[2]);
        r->text = Unescape(f[4]);
        ok = ToNumber(f[3], &r->number);
        break;
      case Kind::kFetch:
        r->step = Unescape(f[2]);
        r->text = Unescape(f[3]);
        break;
      case Kind::kInterrupt:
      case Kind::kDurable:
        ok = ToNumber(f[2], &r->number);
        break;
      case Kind::kRerun:
      case Kind::kArm:
        r->step = Unescape(f[2]);
        break;
      case Kind::kAcceptChanges:
      case Kind::kFinish:
        r->text = Unescape(f[2]);
        break;
    }
  }
  if (!ok) *err = std::string("malformed `") + kKindNames[kind] + "` record";
  return ok;
}

}  // namespace asmplan
