#include "compiler/source_scan.h"

namespace asmplan {
namespace {

// Tracks 1-based line and column (in code points) while scanning bytes.
struct Cursor {
  int line = 1;
  int column = 1;
  void Advance(unsigned char c) {
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  ast::Loc Here() const { return ast::Loc{-1, line, column, 1}; }
};

// Length of the UTF-8 sequence starting at text[i], or 0 if it is malformed.
size_t SequenceLength(std::string_view text, size_t i) {
  unsigned char c = text[i];
  size_t n;
  unsigned int min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  unsigned int cp = c & (0x3F >> (n - 1));
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = text[i + k];
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::vector<ast::Loc> BidiControls(std::string_view text) {
  std::vector<ast::Loc> found;
  Cursor cur;
  for (size_t i = 0; i < text.size(); ++i) {
    // U+202A..U+202E are E2 80 AA..AE; U+2066..U+2069 are E2 81 A6..A9.
    if (text[i] == '\xE2' && i + 2 < text.size()) {
      auto b1 = static_cast<unsigned char>(text[i + 1]),
           b2 = static_cast<unsigned char>(text[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9))
        found.push_back(cur.Here());
    }
    cur.Advance(text[i]);
  }
  return found;
}

bool IsValidUtf8(std::string_view text, ast::Loc* where) {
  Cursor cur;
  for (size_t i = 0; i < text.size();) {
    size_t n = SequenceLength(text, i);
    if (n == 0) {
      *where = cur.Here();
      return false;
    }
    for (size_t k = 0; k < n; ++k) cur.Advance(text[i + k]);
    i += n;
  }
  return true;
}

bool ParenNestingWithin(std::string_view text, int limit, ast::Loc* where) {
  // Mirrors the lexer: `#` comments to end of line, "..." strings (with \ escapes) ending at a
  // quote or line end, """...""" strings. Everything else counts.
  enum { kCode, kComment, kString, kTriple } state = kCode;
  int depth = 0;
  Cursor cur;
  for (size_t i = 0; i < text.size(); cur.Advance(text[i]), ++i) {
    char c = text[i];
    switch (state) {
      case kCode:
        if (c == '#') state = kComment;
        if (c == '"')
          state = text.compare(i, 3, "\"\"\"") == 0 &&
                          text.find("\"\"\"", i + 3) != std::string_view::npos
                      ? kTriple
                      : kString;
        if (state == kTriple) cur.Advance(text[i]), cur.Advance(text[i + 1]), i += 2;
        if (c == '(' && ++depth > limit) {
          *where = cur.Here();
          return false;
        }
        if (c == ')' && depth > 0) --depth;
        break;
      case kComment:
        if (c == '\n') state = kCode;
        break;
      case kString:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          cur.Advance(text[i]);
          ++i;
        } else if (c == '"' || c == '\n') {
          state = kCode;
        }
        break;
      case kTriple:
        if (text.compare(i, 3, "\"\"\"") == 0) {
          cur.Advance(text[i]), cur.Advance(text[i + 1]), i += 2;
          state = kCode;
        }
        break;
    }
  }
  return true;
}

}  // namespace asmplan
