#include "compiler/plan_json_value.h"

#include <string>

#include "compiler/quoted_string.h"

namespace asmplan {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes a JSON number's integer and fraction parts: -?(0|[1-9][0-9]*)(\.[0-9]+)?
bool ConsumeNumber(std::string_view text, size_t* pos) {
  size_t i = *pos;
  if (i < text.size() && text[i] == '-') ++i;
  if (i >= text.size() || !IsDigit(text[i])) return false;
  if (text[i] == '0') {
    ++i;
  } else {
    while (i < text.size() && IsDigit(text[i])) ++i;
  }
  if (i < text.size() && text[i] == '.') {
    const size_t start = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == start) return false;
  }
  *pos = i;
  return true;
}

bool ConsumeString(std::string_view text, size_t* pos) {
  const size_t start = *pos;
  std::string value;
  std::string err;
  if (!ParseQuoted(text, pos, &value, &err)) return false;
  // Only the one spelling AppendQuoted produces is safe YAML and round-trips byte for byte.
  return Quoted(value) == text.substr(start, *pos - start);
}

bool ConsumeScalar(std::string_view text, size_t* pos) {
  const std::string_view rest = text.substr(*pos);
  if (rest.substr(0, 4) == "true") {
    *pos += 4;
    return true;
  }
  if (rest.substr(0, 5) == "false") {
    *pos += 5;
    return true;
  }
  if (!rest.empty() && rest[0] == '"') return ConsumeString(text, pos);
  return ConsumeNumber(text, pos);
}

void SkipOneSpace(std::string_view text, size_t* pos) {
  if (*pos < text.size() && text[*pos] == ' ') ++*pos;
}

bool ConsumeArray(std::string_view text, size_t* pos) {
  ++*pos;  // '['
  SkipOneSpace(text, pos);
  if (*pos < text.size() && text[*pos] == ']') {
    ++*pos;
    return true;
  }
  while (true) {
    if (!ConsumeScalar(text, pos)) return false;
    SkipOneSpace(text, pos);
    if (*pos >= text.size()) return false;
    const char c = text[(*pos)++];
    if (c == ']') return true;
    if (c != ',') return false;
    SkipOneSpace(text, pos);
  }
}

}  // namespace

bool IsFlowJsonValue(std::string_view text) {
  size_t pos = 0;
  const bool ok =
      !text.empty() && text[0] == '[' ? ConsumeArray(text, &pos) : ConsumeScalar(text, &pos);
  return ok && pos == text.size();
}

}  // namespace asmplan
