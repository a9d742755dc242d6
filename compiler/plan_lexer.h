// A hand-written lexer producing the tokens of grammar/AsmPlan.g4's lexer rules for the ANTLR
// parser. Part of the parse layer. ANTLR's generated lexer spends most of a large plan's parse
// time (DFA lookups under a lock per character) and keeps a UTF-32 copy of the input; this one
// scans the UTF-8 bytes once. tests/compiler/plan_lexer_test.cc checks it against the generated
// lexer, which stays the specification.
#pragma once

#include <antlr4-runtime.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace asmplan {

class PlanLexer : public antlr4::TokenSource {
 public:
  /// Called for a character no token can start with: 1-based line and column (code points).
  using ErrorSink = std::function<void(int line, int column, const std::string& character)>;

  /// `text` must be valid UTF-8 and outlive the lexer.
  PlanLexer(std::string_view text, ErrorSink on_error);

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() override { return column_; }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "plan"; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override;

 private:
  /// Moves past `bytes` bytes, keeping line, column and code-point index right.
  void Advance(size_t bytes);
  std::unique_ptr<antlr4::Token> Make(size_t type, size_t bytes);
  /// Length in bytes of the token starting here and its type; 0 when none can start here.
  size_t Scan(size_t* type) const;
  size_t ScanString(size_t* type) const;
  size_t ScanWord() const;

  std::string_view text_;
  ErrorSink on_error_;
  size_t pos_ = 0;    ///< byte offset
  size_t index_ = 0;  ///< code-point offset, what ANTLR calls a char index
  size_t line_ = 1;
  size_t column_ = 0;  ///< 0-based, in code points
};

}  // namespace asmplan
