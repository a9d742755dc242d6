// Line-by-line access to a compiled plan's text for compiled_plan_parser.cc.
#pragma once

#include <string>
#include <string_view>

namespace asmplan {

/// Walks the non-empty lines of a text, exposing each line's indentation, content and 1-based
/// line number. Cheap: views into the text, nothing copied.
class PlanLineCursor {
 public:
  /// `text` starts at line `first_line`.
  PlanLineCursor(std::string_view text, int first_line) : text_(text), next_line_(first_line) {
    Advance();
  }

  bool AtEnd() const { return at_end_; }
  /// Columns of leading spaces of the current line (after EnterItem: including the "- ").
  int indent() const { return indent_; }
  /// The current line after its indentation.
  std::string_view content() const { return content_; }
  /// 1-based number of the current line (of the last line when AtEnd).
  int number() const { return number_; }

  /// Moves to the next non-empty line.
  void Advance() {
    while (pos_ < text_.size()) {
      size_t end = text_.find('\n', pos_);
      if (end == std::string_view::npos) end = text_.size();
      const std::string_view line = text_.substr(pos_, end - pos_);
      pos_ = end + 1;
      number_ = next_line_++;
      if (line.empty()) continue;
      const size_t spaces = line.find_first_not_of(' ');
      indent_ = spaces == std::string_view::npos ? static_cast<int>(line.size())
                                                 : static_cast<int>(spaces);
      content_ = line.substr(indent_);
      return;
    }
    at_end_ = true;
    content_ = {};
    indent_ = -1;
  }

  /// True when the current line is a sequence item `- ...` at `indent`.
  bool AtItem(int indent) const {
    return !at_end_ && indent_ == indent && content_.size() >= 2 && content_[0] == '-' &&
           content_[1] == ' ';
  }

  /// Treats the current item's "- " as indentation, so the item's first key reads like the rest.
  void EnterItem() {
    indent_ += 2;
    content_.remove_prefix(2);
  }

  /// Consumes the lines of a literal block scalar indented by at least `indent` (empty lines
  /// included) that follow the current line, appending their content with newlines to `out`,
  /// then moves to the first line after the block. Trailing empty lines are dropped (clip
  /// chomping), leaving exactly one final newline.
  void TakeLiteralBlock(int indent, std::string* out) {
    size_t empty_run = 0;
    while (pos_ < text_.size()) {
      size_t end = text_.find('\n', pos_);
      if (end == std::string_view::npos) end = text_.size();
      const std::string_view line = text_.substr(pos_, end - pos_);
      const size_t spaces = line.find_first_not_of(' ');
      if (spaces != std::string_view::npos && spaces < static_cast<size_t>(indent)) break;
      pos_ = end + 1;
      ++next_line_;
      if (spaces == std::string_view::npos) {
        ++empty_run;
        continue;
      }
      out->append(empty_run, '\n');
      empty_run = 0;
      out->append(line.substr(indent));
      *out += '\n';
    }
    Advance();
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int next_line_;
  int number_ = 0;
  int indent_ = -1;
  std::string_view content_;
  bool at_end_ = false;
};

}  // namespace asmplan
