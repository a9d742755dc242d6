// The compiled plan on disk: canonical YAML, byte-identical for the same Plan, hashed.
//
// Layout (a strict subset of YAML that any YAML tool reads, and compiled_plan_parser.cc reads
// line by line, fast):
//   # compiled by asmplan VERSION from "ENTRY SOURCE"; do not edit: an edited plan is refused
//   # sha256 below is the SHA-256 of every byte of this file except the sha256 line itself
//   sha256: "<64 hex digits>"
//   format_version: 1
//   plan, title, then the sections sources, params, artifacts, groups, steps (steps in execution
//   order), each a block sequence of mappings with keys in a fixed order, two-space indentation.
// Scalars: strings double-quoted with JSON escapes (AppendQuoted), numbers, `true`; a param's
// value is its canonical JSON text as it is (a YAML flow value) or, when it is not a flat JSON
// value, a quoted `value_text`; each argv is one flow sequence of quoted strings on one line;
// guards are their canonical text (CanonicalText) in single quotes; durations are quoted "1h30m";
// a PEM public key is a literal block. Optional fields are left out when empty, zero or false.
// Secret params carry `secret: true` and no value.
//
// The hash: SHA-256 over the file's bytes with the sha256 line (from `sha256:` through its
// newline) removed, i.e. the header comments and everything after the sha256 line. Changing any
// other byte, comments included, makes the plan refused.
#pragma once

#include <string>
#include <string_view>

#include "compiler/plan_model.h"

namespace asmplan {

/// Renders `plan` as canonical YAML. Computes the SHA-256 over the canonical content, stores it in
/// plan->sha256 and writes it into the text as well. The first of plan->sources is named in the
/// header comment as the file compiled.
std::string WriteCompiledPlan(Plan* plan);

/// How ReadCompiledPlan()'s message for an edited plan ends: the advice for a plan someone
/// compiled.
inline constexpr char kCompileAgain[] = "; compile it again";

/// Parses a compiled plan and verifies its hash. Returns false with a message in `err` (naming
/// the line for malformed input, "compiled plan line N: ..."; "compiled plan content does not
/// match its sha256 ..." for an edited plan). Never throws or crashes on any input.
bool ReadCompiledPlan(std::string_view text, Plan* plan, std::string* err);

}  // namespace asmplan
