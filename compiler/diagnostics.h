// Diagnostics: collected (never thrown), each with a stable name, rendered LLVM-style:
//   plans/x.asmplan:3:7: error: unknown step `instal` [unknown-step]
//     step a after instal {
//                  ^~~~~~
//   note: did you mean `install`?
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "compiler/ast.h"

namespace asmplan {

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string name;     ///< stable, e.g. "unknown-step"
  std::string message;  ///< lower-case start, no final period, code in backticks
  ast::Loc loc;         ///< loc.file < 0: not in a source file, see `origin`
  std::string origin;   ///< shown instead of file:line:col when loc.file < 0, e.g. "--set"
  std::vector<std::string> notes;
};

/// A source file as read, kept so diagnostics can show its lines.
struct SourceFile {
  std::string path;
  std::string text;
};

/// Collects diagnostics and the sources they point into. Identical diagnostics (same name,
/// place and message, e.g. from every expansion of a `for` body) are kept once; after
/// kMaxErrors errors further ones are counted but not kept.
class Diagnostics {
 public:
  static constexpr size_t kMaxErrors = 50;

  /// Registers a source file; returns its id for ast::Loc::file.
  int AddFile(std::string path, std::string text);
  const std::vector<SourceFile>& files() const { return files_; }

  void Error(const std::string& name, const ast::Loc& loc, std::string message,
             std::vector<std::string> notes = {});
  void Warning(const std::string& name, const ast::Loc& loc, std::string message,
               std::vector<std::string> notes = {});
  /// An error about something outside the sources (a command-line flag, a values file).
  void ErrorAt(const std::string& origin, const std::string& name, std::string message);
  void Add(Diagnostic d);
  /// No diagnostic quotes the line of `loc`: it holds a secret's value.
  void HideLine(const ast::Loc& loc) { hidden_.insert({loc.file, loc.line}); }

  bool HasErrors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  /// False once kMaxErrors errors were reported: callers may stop early.
  bool WantsMore() const { return error_count_ < kMaxErrors; }
  const std::vector<Diagnostic>& all() const { return diags_; }

  /// All diagnostics rendered in source order (by file as read, line, column; those outside
  /// the sources last), each ending in a newline.
  std::string Render() const;

 private:
  std::string RenderOne(const Diagnostic& d) const;

  std::vector<SourceFile> files_;
  std::vector<Diagnostic> diags_;
  std::set<std::tuple<std::string, int, int, int, std::string>> seen_;
  std::set<std::pair<int, int>> hidden_;  ///< (file, line)
  size_t error_count_ = 0;
};

/// `text` in backticks, shortened to 60 characters, for messages.
std::string Code(const std::string& text);

}  // namespace asmplan
