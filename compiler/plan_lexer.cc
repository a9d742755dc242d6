#include "compiler/plan_lexer.h"

#include <unordered_map>

#include "AsmPlanLexer.h"

namespace asmplan {
namespace {

using L = asmplan_gen::AsmPlanLexer;

// Keyword and punctuation token types, read from the generated vocabulary so they cannot drift.
const std::unordered_map<std::string, size_t>& LiteralTypes() {
  static const auto* types = [] {
    auto* map = new std::unordered_map<std::string, size_t>;
    antlr4::ANTLRInputStream empty("");
    L generated(&empty);
    const antlr4::dfa::Vocabulary& vocab = generated.getVocabulary();
    for (size_t t = 1; t <= vocab.getMaxTokenType(); ++t) {
      std::string literal = vocab.getLiteralName(t);  // 'plan', '{', ...
      if (literal.size() >= 2) (*map)[literal.substr(1, literal.size() - 2)] = t;
    }
    return map;
  }();
  return *types;
}

// WORD_CHAR of the grammar: anything but blanks, quotes and the punctuation below.
bool IsWordChar(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '"':
    case '\'':
    case '{':
    case '}':
    case '[':
    case ']':
    case '(':
    case ')':
    case ',':
    case ';':
    case '#':
    case '=':
    case ':':
    case '<':
    case '>':
      return false;
    default:
      return true;
  }
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

PlanLexer::PlanLexer(std::string_view text, ErrorSink on_error)
    : text_(text), on_error_(std::move(on_error)) {
  // A byte order mark, as some editors save UTF-8, is not part of the plan (it still counts as
  // line 1's first column, as the source snippets of diagnostics show it).
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") Advance(3);
}

antlr4::TokenFactory<antlr4::CommonToken>* PlanLexer::getTokenFactory() {
  return antlr4::CommonTokenFactory::DEFAULT.get();
}

void PlanLexer::Advance(size_t bytes) {
  for (size_t end = pos_ + bytes; pos_ < end; ++pos_) {
    char c = text_[pos_];
    if (IsContinuation(c)) continue;
    ++index_;
    if (c == '\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
  }
}

std::unique_ptr<antlr4::Token> PlanLexer::Make(size_t type, size_t bytes) {
  auto token = std::make_unique<antlr4::CommonToken>(std::make_pair(this, nullptr), type,
                                                     antlr4::Token::DEFAULT_CHANNEL, 0, 0);
  token->setLine(line_);
  token->setCharPositionInLine(column_);
  token->setText(std::string(text_.substr(pos_, bytes)));
  size_t start = index_;
  Advance(bytes);
  token->setStartIndex(start);
  token->setStopIndex(index_ - 1);
  return token;
}

size_t PlanLexer::ScanString(size_t* type) const {
  if (text_.compare(pos_, 3, "\"\"\"") == 0) {
    size_t close = text_.find("\"\"\"", pos_ + 3);
    if (close != std::string_view::npos) {
      *type = L::TSTRING;
      return close + 3 - pos_;
    }
  }
  *type = L::STRING;
  for (size_t i = pos_ + 1; i < text_.size(); ++i) {
    char c = text_[i];
    if (c == '\r' || c == '\n') return 0;
    if (c == '"') return i + 1 - pos_;
    if (c == '\\') {
      if (i + 1 >= text_.size() || text_[i + 1] == '\r' || text_[i + 1] == '\n') return 0;
      ++i;
    }
  }
  return 0;
}

size_t PlanLexer::ScanWord() const {
  // Longest run of word characters, `${...}` and inner `=`/`:`; it may not end in `=` or `:`.
  size_t i = pos_, good = pos_;
  while (i < text_.size()) {
    char c = text_[i];
    if (c == '$' && i + 1 < text_.size() && text_[i + 1] == '{') {
      size_t close = text_.find_first_of("}\r\n", i + 2);
      if (close != std::string_view::npos && text_[close] == '}') {
        good = i = close + 1;
        continue;
      }
    }
    if (IsWordChar(c)) {
      good = ++i;
    } else if ((c == '=' || c == ':') && i > pos_) {
      ++i;
    } else {
      break;
    }
  }
  return good - pos_;
}

size_t PlanLexer::Scan(size_t* type) const {
  char c = text_[pos_];
  if (c == '"') return ScanString(type);
  if (c == '\n' || (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
    *type = L::NEWLINE;
    return c == '\n' ? 1 : 2;
  }
  size_t word = ScanWord();
  if (word > 0) {
    auto it = LiteralTypes().find(std::string(text_.substr(pos_, word)));
    *type = it == LiteralTypes().end() ? static_cast<size_t>(L::WORD) : it->second;
    return word;
  }
  auto it = LiteralTypes().find(std::string(1, c));
  if (it == LiteralTypes().end()) return 0;
  *type = it->second;
  return 1;
}

std::unique_ptr<antlr4::Token> PlanLexer::nextToken() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\t') {
      Advance(1);
      continue;
    }
    if (c == '#') {
      size_t end = text_.find_first_of("\r\n", pos_);
      Advance((end == std::string_view::npos ? text_.size() : end) - pos_);
      continue;
    }
    size_t type = 0;
    size_t length = Scan(&type);
    if (length > 0) return Make(type, length);
    // An unclosed `"""` lexes as `""` and then this `"` (as the grammar's lexer does it); it
    // would take the rest of the file: one error at the `"""`, and nothing after it.
    if (text_[pos_] == '"' && pos_ >= 2 && text_.compare(pos_ - 2, 2, "\"\"") == 0 &&
        text_.find("\"\"\"", pos_ + 1) == std::string_view::npos && column_ >= 2) {
      on_error_(static_cast<int>(line_), static_cast<int>(column_) - 1, "\"\"\"");
      Advance(text_.size() - pos_);
      continue;
    }
    // No token starts here: report the character and go on after it, as ANTLR's lexer does.
    size_t bytes = 1;
    while (pos_ + bytes < text_.size() && IsContinuation(text_[pos_ + bytes])) ++bytes;
    on_error_(static_cast<int>(line_), static_cast<int>(column_) + 1,
              std::string(text_.substr(pos_, bytes)));
    Advance(bytes);
  }
  auto eof =
      std::make_unique<antlr4::CommonToken>(std::make_pair(this, nullptr), antlr4::Token::EOF,
                                            antlr4::Token::DEFAULT_CHANNEL, index_, index_ - 1);
  eof->setLine(line_);
  eof->setCharPositionInLine(column_);
  eof->setText("<EOF>");
  return eof;
}

}  // namespace asmplan
