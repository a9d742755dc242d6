// Canonical guard text: written by AppendCanonicalText (CanonicalText in plan_model.h), read back
// by ParseGuardText. Used by compiled plans and by anything that shows a guard to a person.
#pragma once

#include <string>
#include <string_view>

#include "compiler/plan_model.h"

namespace asmplan {

/// Deepest nesting of `not` and parentheses ParseGuardText accepts; deeper text is refused rather
/// than risking the stack. The compiler accepts 100 levels in a source (kMaxGuardNesting), and
/// canonical text can need one more parenthesis per level where the source relied on `and`
/// binding tighter than `or` (`a or b and (...)` -> `a or (b and (...))`), so this is more than
/// twice that: every guard the compiler accepts can be read back.
constexpr int kMaxGuardDepth = 256;

/// Appends the canonical text of `guard` to `out` (see CanonicalText in plan_model.h). Strings
/// are quoted by AppendQuoted, so the text is one line of printable characters.
void AppendCanonicalText(const Guard& guard, std::string* out);

/// Parses canonical guard text, e.g. `(context is "a" or not pods in ns "b" all ready) and
/// command ["true"] succeeds`. Mixing `and` and `or` without parentheses is refused, as is
/// nesting deeper than kMaxGuardDepth. Returns false with a message naming the 1-based column in
/// `err` on malformed text.
bool ParseGuardText(std::string_view text, Guard* guard, std::string* err);

}  // namespace asmplan
