// The parse layer's entry point: source text -> ast::File. The only place (with
// parse_tree_builder.cc) where ANTLR types exist; its exceptions stop here.
#pragma once

#include "compiler/ast.h"
#include "compiler/diagnostics.h"

namespace asmplan {

/// Deepest nesting of parenthesized and negated guards the parser accepts.
constexpr int kMaxGuardNesting = 100;

/// Parses source file `file` (registered with diags->AddFile) into `out`. Reports invalid UTF-8,
/// too deep nesting (checked before the parser runs, so no input can exhaust the stack), syntax
/// errors and malformed literals to `diags`. Returns false when anything but a duplicated
/// statement was reported: that one leaves the AST whole (with the first of the duplicates), so
/// the later phases go on and report their own errors too.
bool ParseSourceFile(int file, Diagnostics* diags, ast::File* out);

}  // namespace asmplan
