#include "compiler/diagnostics.h"

#include <algorithm>
#include <climits>

#include "compiler/quoted_string.h"

namespace asmplan {
namespace {

// Long lines (a 10 MB one-liner) are shown as a window around the column.
constexpr int kMaxShownLine = 160;

// The `line`th line (1-based) of `text`, without its line break.
std::string_view LineOf(const std::string& text, int line) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) return {};
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string::npos) end = text.size();
  if (end > start && text[end - 1] == '\r') --end;
  return std::string_view(text).substr(start, end - start);
}

// Columns count characters (code points), so skip UTF-8 continuation bytes when measuring.
bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t ByteOffsetOfColumn(std::string_view line, int column) {
  size_t i = 0;
  for (int c = 1; c < column && i < line.size(); ++c) {
    ++i;
    while (i < line.size() && IsContinuation(line[i])) ++i;
  }
  return i;
}

std::string SourceSnippet(std::string_view line, int column, int length) {
  size_t at = ByteOffsetOfColumn(line, column);
  size_t from = 0;
  std::string prefix;
  if (at > kMaxShownLine / 2) {
    from = at - kMaxShownLine / 2;
    while (from < at && IsContinuation(line[from])) ++from;
    prefix = "...";
  }
  std::string_view shown = line.substr(from, kMaxShownLine);
  // Control and invisible characters are shown escaped, the caret still under its column.
  const size_t split = std::min(at - from, shown.size());
  std::string before = VisibleText(shown.substr(0, split));
  std::string out = "  " + prefix + before + VisibleText(shown.substr(split)) +
                    (from + shown.size() < line.size() ? "..." : "") + "\n  ";
  // The caret line copies tabs so it lines up under the source.
  std::string pad = prefix;
  for (char c : before) {
    if (IsContinuation(c)) continue;
    pad += c == '\t' ? '\t' : ' ';
  }
  out += pad + "^" + std::string(std::max(0, std::min(length, kMaxShownLine) - 1), '~') + "\n";
  return out;
}

}  // namespace

int Diagnostics::AddFile(std::string path, std::string text) {
  files_.push_back({std::move(path), std::move(text)});
  return static_cast<int>(files_.size()) - 1;
}

void Diagnostics::Error(const std::string& name, const ast::Loc& loc, std::string message,
                        std::vector<std::string> notes) {
  Add({Severity::kError, name, std::move(message), loc, "", std::move(notes)});
}

void Diagnostics::Warning(const std::string& name, const ast::Loc& loc, std::string message,
                          std::vector<std::string> notes) {
  Add({Severity::kWarning, name, std::move(message), loc, "", std::move(notes)});
}

void Diagnostics::ErrorAt(const std::string& origin, const std::string& name, std::string message) {
  Add({Severity::kError, name, std::move(message), ast::Loc{}, origin, {}});
}

void Diagnostics::Add(Diagnostic d) {
  auto key = std::make_tuple(d.name, d.loc.file, d.loc.line, d.loc.column, d.message);
  if (!seen_.insert(key).second) return;
  if (d.severity == Severity::kError) {
    ++error_count_;
    if (error_count_ > kMaxErrors) return;
  }
  diags_.push_back(std::move(d));
}

std::string Diagnostics::RenderOne(const Diagnostic& d) const {
  std::string out;
  bool in_file = d.loc.file >= 0 && d.loc.file < static_cast<int>(files_.size());
  if (in_file) {
    out = VisibleText(files_[d.loc.file].path) + ":" + std::to_string(d.loc.line) + ":" +
          std::to_string(d.loc.column) + ": ";
  } else if (!d.origin.empty()) {
    out = VisibleText(d.origin) + ": ";
  }
  out += d.severity == Severity::kError ? "error: " : "warning: ";
  out += VisibleText(d.message) + " [" + d.name + "]\n";
  if (in_file && d.loc.line > 0 && hidden_.count({d.loc.file, d.loc.line}) == 0) {
    out += SourceSnippet(LineOf(files_[d.loc.file].text, d.loc.line), d.loc.column, d.loc.length);
  }
  for (const std::string& note : d.notes) out += "note: " + VisibleText(note) + "\n";
  return out;
}

std::string Diagnostics::Render() const {
  // In source order (files in the order read), whatever phase found them; then the rest.
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : diags_) sorted.push_back(&d);
  auto key = [](const Diagnostic* d) {
    return std::make_tuple(d->loc.file < 0 ? INT_MAX : d->loc.file, d->loc.line, d->loc.column);
  };
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const Diagnostic* a, const Diagnostic* b) { return key(a) < key(b); });
  std::string out;
  for (const Diagnostic* d : sorted) out += RenderOne(*d);
  if (error_count_ > kMaxErrors) {
    out += "note: " + std::to_string(error_count_ - kMaxErrors) + " more errors not shown\n";
  }
  return out;
}

std::string Code(const std::string& text) {
  if (text.size() <= 60) return "`" + text + "`";
  size_t cut = 57;
  while (cut > 0 && IsContinuation(text[cut])) --cut;
  return "`" + text.substr(0, cut) + "...`";
}

}  // namespace asmplan
