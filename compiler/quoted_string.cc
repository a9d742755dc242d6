#include "compiler/quoted_string.h"

#include <cstdint>

namespace asmplan {
namespace {

const char kHex[] = "0123456789abcdef";

}  // namespace

void AppendEscapedCodePoint(std::uint32_t cp, std::string* out) {
  if (cp > 0xffff) {
    cp -= 0x10000;
    AppendEscapedCodePoint(0xd800 + (cp >> 10), out);
    AppendEscapedCodePoint(0xdc00 + (cp & 0x3ff), out);
    return;
  }
  char buf[6] = {
      '\\',          'u', kHex[(cp >> 12) & 0xf], kHex[(cp >> 8) & 0xf], kHex[(cp >> 4) & 0xf],
      kHex[cp & 0xf]};
  out->append(buf, sizeof buf);
}

size_t DecodeUtf8(std::string_view s, size_t i, std::uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 0;
  if (len == 0 || b0 > 0xf4 || i + len > s.size()) return 0;
  std::uint32_t v = b0 & (0x7f >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    v = (v << 6) | (b & 0x3f);
  }
  static const std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return len;
}

namespace {

/// Not allowed raw in YAML, or invisible to a reader (see IsInvisibleCodePoint).
bool NeedsEscape(std::uint32_t cp) {
  return IsInvisibleCodePoint(cp) || cp == 0xfffe || cp == 0xffff;
}

void AppendAsciiEscape(char c, std::string* out) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default:
      AppendEscapedCodePoint(static_cast<unsigned char>(c), out);
  }
}

void AppendUtf8(std::uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xc0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xe0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    *out += static_cast<char>(0xf0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

bool ParseHex4(std::string_view text, size_t at, std::uint32_t* value) {
  if (at + 4 > text.size()) return false;
  std::uint32_t v = 0;
  for (size_t k = at; k < at + 4; ++k) {
    const char c = text[k];
    const int d = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
    if (d < 0) return false;
    v = (v << 4) | static_cast<std::uint32_t>(d);
  }
  *value = v;
  return true;
}

// Parses \uXXXX (and its low surrogate partner) with text[*pos] at the `u`.
bool ParseUnicodeEscape(std::string_view text, size_t* pos, std::string* out) {
  std::uint32_t cp = 0;
  if (!ParseHex4(text, *pos + 1, &cp)) return false;
  *pos += 5;
  if (cp >= 0xdc00 && cp <= 0xdfff) return false;
  if (cp >= 0xd800 && cp <= 0xdbff) {
    std::uint32_t low = 0;
    if (text.substr(*pos, 2) != "\\u" || !ParseHex4(text, *pos + 2, &low)) return false;
    if (low < 0xdc00 || low > 0xdfff) return false;
    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    *pos += 6;
  }
  AppendUtf8(cp, out);
  return true;
}

bool ParseEscape(std::string_view text, size_t* pos, std::string* out) {
  // text[*pos] is the character after the backslash.
  const char c = text[*pos];
  const char* simple = nullptr;
  switch (c) {
    case '"':
      simple = "\"";
      break;
    case '\\':
      simple = "\\";
      break;
    case '/':
      simple = "/";
      break;
    case 'b':
      simple = "\b";
      break;
    case 'f':
      simple = "\f";
      break;
    case 'n':
      simple = "\n";
      break;
    case 'r':
      simple = "\r";
      break;
    case 't':
      simple = "\t";
      break;
    case 'u':
      return ParseUnicodeEscape(text, pos, out);
    default:
      return false;
  }
  *out += *simple;
  ++*pos;
  return true;
}

}  // namespace

bool IsInvisibleCodePoint(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xa0) || cp == 0xad || cp == 0x34f || cp == 0x61c || cp == 0x115f ||
         cp == 0x1160 || cp == 0x1680 || cp == 0x180e || (cp >= 0x2000 && cp <= 0x200f) ||
         (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 ||
         cp == 0x3164 || cp == 0xfeff || cp == 0xffa0 || (cp >= 0xfff9 && cp <= 0xfffb) ||
         (cp >= 0xe0000 && cp <= 0xe007f);
}

bool IsBidiControl(std::uint32_t cp) {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

std::uint32_t FirstInvisible(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    std::uint32_t cp = 0;
    if (static_cast<unsigned char>(s[i]) >= 0x80 && DecodeUtf8(s, i, &cp) > 1 &&
        IsInvisibleCodePoint(cp))
      return cp;
  }
  return 0;
}

std::string VisibleText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b >= 0x20 && b < 0x7f) || b == '\n' || b == '\t') {
      out += s[i++];
      continue;
    }
    std::uint32_t cp = 0;
    const size_t len = b >= 0x80 ? DecodeUtf8(s, i, &cp) : 1;
    if (len == 0) {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
      i += 1;
    } else if (len == 1 || IsInvisibleCodePoint(cp)) {
      AppendEscapedCodePoint(len == 1 ? b : cp, &out);
      i += len;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

void AppendQuoted(std::string_view s, std::string* out) {
  out->reserve(out->size() + s.size() + 2);
  *out += '"';
  size_t run = 0;  // start of the pending run of bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const size_t len = b >= 0x80 ? DecodeUtf8(s, i, &cp) : 1;
    if (len > 1 && !NeedsEscape(cp)) {
      i += len;
      continue;
    }
    out->append(s.data() + run, i - run);
    if (len == 0) {
      AppendEscapedCodePoint(0xfffd, out);
      i += 1;
    } else if (len > 1) {
      AppendEscapedCodePoint(cp, out);
      i += len;
    } else {
      AppendAsciiEscape(s[i], out);
      i += 1;
    }
    run = i;
  }
  out->append(s.data() + run, s.size() - run);
  *out += '"';
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendQuoted(s, &out);
  return out;
}

bool ParseQuoted(std::string_view text, size_t* pos, std::string* out, std::string* err) {
  size_t i = *pos;
  if (i >= text.size() || text[i] != '"') {
    *err = "expected a double-quoted string";
    return false;
  }
  out->clear();
  ++i;
  size_t run = i;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') {
      out->append(text.data() + run, i - run);
      *pos = i + 1;
      return true;
    }
    if (c == '\\') {
      out->append(text.data() + run, i - run);
      ++i;
      if (i >= text.size() || !ParseEscape(text, &i, out)) {
        *pos = i - 1;
        *err = "invalid escape sequence in a quoted string";
        return false;
      }
      run = i;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      *pos = i;
      *err = "raw control character in a quoted string";
      return false;
    }
    ++i;
  }
  *pos = i;
  *err = "unterminated quoted string";
  return false;
}

}  // namespace asmplan
