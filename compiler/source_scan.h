// Cheap checks over raw source bytes that must happen before the ANTLR lexer and parser see them.
#pragma once

#include <string_view>
#include <vector>

#include "compiler/ast.h"

namespace asmplan {

/// True if `text` is valid UTF-8. Otherwise sets `*where` to the first bad byte's position.
bool IsValidUtf8(std::string_view text, ast::Loc* where);

/// Where `text` (valid UTF-8) holds a bidirectional control character (U+202A..U+202E,
/// U+2066..U+2069): text around one reads differently from what it is (Trojan Source).
std::vector<ast::Loc> BidiControls(std::string_view text);

/// Finds the first `(` outside strings and comments that opens nesting level `limit + 1`.
/// Returns false and sets `*where` there; true when nesting stays within `limit`.
bool ParenNestingWithin(std::string_view text, int limit, ast::Loc* where);

}  // namespace asmplan
