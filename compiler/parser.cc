#include "compiler/parser.h"

#include <antlr4-runtime.h>

#include "AsmPlanParser.h"
#include "compiler/parse_tree_builder.h"
#include "compiler/plan_lexer.h"
#include "compiler/source_scan.h"

namespace asmplan {
namespace {

using asmplan_gen::AsmPlanParser;

// Thrown by the listener to stop a lexer or parser drowning in garbage; caught in this file.
struct TooManySyntaxErrors {};
constexpr int kMaxSyntaxErrors = 20;

// How a token is named in "unexpected X, expected Y" messages.
std::string DescribeToken(size_t type, const antlr4::dfa::Vocabulary& vocab) {
  if (type == antlr4::Token::EOF) return "end of file";
  if (type == AsmPlanParser::NEWLINE) return "end of line";
  if (type == AsmPlanParser::WORD) return "a word";
  if (type == AsmPlanParser::STRING || type == AsmPlanParser::TSTRING) return "a string";
  std::string literal = vocab.getLiteralName(type);  // 'plan', '{', ...
  if (literal.size() >= 2) return "`" + literal.substr(1, literal.size() - 2) + "`";
  return vocab.getSymbolicName(type);
}

bool IsKeyword(size_t type) { return type >= AsmPlanParser::PLAN && type <= AsmPlanParser::LIST_T; }

// "`{`, a word or a string"; empty when the set is too large to help.
std::string DescribeExpected(const antlr4::misc::IntervalSet& set,
                             const antlr4::dfa::Vocabulary& vocab) {
  std::vector<std::string> names;
  bool word = set.contains(static_cast<size_t>(AsmPlanParser::WORD));
  for (size_t type : set.toList()) {
    if (type == AsmPlanParser::TSTRING || (word && IsKeyword(type))) continue;
    names.push_back(DescribeToken(type, vocab));
  }
  if (names.empty() || names.size() > 6) return "";
  std::string out = names[0];
  for (size_t i = 1; i < names.size(); ++i)
    out += (i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

class ErrorCollector : public antlr4::BaseErrorListener {
 public:
  ErrorCollector(int file, Diagnostics* diags) : file_(file), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t column, const std::string&, std::exception_ptr e) override {
    ast::Loc loc{file_, static_cast<int>(line), static_cast<int>(column) + 1, 1};
    ParserError(static_cast<antlr4::Parser*>(recognizer), offending, loc, e);
    Count();
  }

  /// A character no token starts with, from PlanLexer.
  void BadCharacter(int line, int column, const std::string& ch) {
    std::vector<std::string> notes;
    if (ch == "'") notes.push_back("quote arguments with double quotes");
    if (ch == "\"") notes.push_back("a string must end on the line it starts");
    if (ch == "\"\"\"") notes.push_back("this `\"\"\"` string is never closed");
    diags_->Error("syntax-error", ast::Loc{file_, line, column, 1},
                  "unexpected character " + Code(ch), std::move(notes));
    Count();
  }

  int count() const { return count_; }

  /// Reports that `want` was expected at `token`, for checks the driver makes itself.
  void Expected(antlr4::Token* token, const std::string& want) {
    ast::Loc loc{file_, static_cast<int>(token->getLine()),
                 static_cast<int>(token->getCharPositionInLine()) + 1, 1};
    std::string what =
        token->getType() == antlr4::Token::EOF ? "end of file" : Code(token->getText());
    diags_->Error("syntax-error", loc, "unexpected " + what + ", expected " + want);
    ++count_;
  }

 private:
  void Count() {
    if (++count_ >= kMaxSyntaxErrors) throw TooManySyntaxErrors{};
  }

  void ParserError(antlr4::Parser* parser, antlr4::Token* offending, ast::Loc loc,
                   std::exception_ptr e) {
    const antlr4::dfa::Vocabulary& vocab = parser->getVocabulary();
    size_t type = offending->getType();
    std::string what = type == antlr4::Token::EOF || type == AsmPlanParser::NEWLINE
                           ? DescribeToken(type, vocab)
                           : Code(offending->getText());
    if (type != antlr4::Token::EOF && offending->getStopIndex() >= offending->getStartIndex()) {
      loc.length = static_cast<int>(offending->getStopIndex() - offending->getStartIndex() + 1);
    }
    antlr4::misc::IntervalSet expected;
    try {
      if (e) std::rethrow_exception(e);
      expected = parser->getExpectedTokens();
    } catch (const antlr4::RecognitionException& re) {
      expected = re.getExpectedTokens();
    } catch (...) {
    }
    std::string want = DescribeExpected(expected, vocab);
    diags_->Error("syntax-error", loc,
                  "unexpected " + what + (want.empty() ? "" : ", expected " + want));
  }

  int file_;
  Diagnostics* diags_;
  int count_ = 0;
};

bool PreScan(int file, const std::string& text, Diagnostics* diags) {
  ast::Loc where;
  if (text.rfind("# compiled by asmplan", 0) == 0) {
    diags->Error(
        "syntax-error", ast::Loc{file, 1, 1, 1}, "this is a compiled plan, not a plan source",
        {"`use`, `check` and `compile` take .asmplan sources, `show` a compiled plan, `run` "
         "either"});
    return false;
  }
  if (!IsValidUtf8(text, &where)) {
    where.file = file;
    diags->Error("invalid-utf8", where, "source file is not valid UTF-8");
    return false;
  }
  for (ast::Loc at : BidiControls(text)) {
    at.file = file;
    diags->Error(
        "bidi-control", at,
        "bidirectional control character: the text around it reads differently from "
        "what it is",
        {"remove it; where it is really meant, write it as an escape (\\u202e) in a string"});
  }
  if (!ParenNestingWithin(text, kMaxGuardNesting, &where)) {
    where.file = file;
    diags->Error("nesting-too-deep", where,
                 "parentheses nested deeper than " + std::to_string(kMaxGuardNesting) + " levels");
    return false;
  }
  return true;
}

bool OnlyNewlines(antlr4::CommonTokenStream* tokens) {
  for (antlr4::Token* t : tokens->getTokens()) {
    if (t->getType() != AsmPlanParser::NEWLINE && t->getType() != antlr4::Token::EOF) return false;
  }
  return true;
}

// Runs one grammar rule from the current token. SLL prediction is much faster and almost always
// enough; only a failure pays for full LL, which is also the pass that reports errors (with
// recovery). Returns nullptr when the rule had syntax errors.
template <typename Context>
Context* TwoStage(AsmPlanParser* parser, antlr4::CommonTokenStream* tokens, ErrorCollector* errors,
                  Context* (AsmPlanParser::*rule)()) {
  size_t start = tokens->index();
  parser->removeErrorListeners();
  parser->setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  auto* atn = parser->getInterpreter<antlr4::atn::ParserATNSimulator>();
  atn->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  try {
    return (parser->*rule)();
  } catch (const antlr4::ParseCancellationException&) {
  }
  tokens->seek(start);
  parser->getTreeTracker().reset();
  parser->addErrorListener(errors);
  parser->setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  atn->setPredictionMode(antlr4::atn::PredictionMode::LL);
  int before = errors->count();
  Context* ctx = (parser->*rule)();
  if (tokens->index() == start) tokens->consume();  // always make progress
  return errors->count() == before ? ctx : nullptr;
}

bool IsSeparator(size_t type) {
  return type == AsmPlanParser::NEWLINE || type == AsmPlanParser::SEMI;
}

// A plan is parsed item by item and each item's parse tree freed once it is in the AST: ANTLR
// keeps every node until told otherwise, several hundred bytes per token.
bool StartsPlanItem(size_t type) {
  return type == AsmPlanParser::TITLE || type == AsmPlanParser::PARAM ||
         type == AsmPlanParser::ARTIFACT || type == AsmPlanParser::STEP ||
         type == AsmPlanParser::FOR;
}

// The `}` at the current token is the plan's: nothing but separators follows it.
bool ClosesThePlan(antlr4::CommonTokenStream* tokens, size_t plan_column) {
  size_t after = tokens->index() + 1;
  while (after < tokens->size() && IsSeparator(tokens->get(after)->getType())) ++after;
  if (after >= tokens->size() || tokens->get(after)->getType() == antlr4::Token::EOF) return true;
  // More follows. In a plan whose items are indented, a `}` in the `plan` keyword's column is where
  // the plan's own `}` goes: what follows it is outside the plan (`plan_column` is npos when the
  // items are not indented). So is what follows a `}` after which no `}` is left unmatched.
  if (tokens->LT(1)->getCharPositionInLine() == plan_column) return true;
  int depth = 0;
  for (size_t i = after; i < tokens->size(); ++i) {
    size_t type = tokens->get(i)->getType();
    depth += type == AsmPlanParser::LBRACE ? 1 : type == AsmPlanParser::RBRACE ? -1 : 0;
    if (depth < 0) return false;  // a later `}` closes the plan: this one closes nothing
  }
  return true;
}

// Consumes tokens to the end of the current line, over any braces opened on the way.
void SkipLine(antlr4::CommonTokenStream* tokens) {
  int depth = 0;
  for (size_t type = tokens->LA(1); type != antlr4::Token::EOF; type = tokens->LA(1)) {
    if (depth <= 0 && IsSeparator(type)) return;
    depth += type == AsmPlanParser::LBRACE ? 1 : type == AsmPlanParser::RBRACE ? -1 : 0;
    tokens->consume();
    if (depth == 0 && type == AsmPlanParser::RBRACE) return;
  }
}

// After a plan item with a syntax error (however far ANTLR's recovery went), moves to where the
// next item starts, so that every item's errors are reported at once without a cascade: past the
// failed item (from its start, over its braces), then past lines that start no item (the body of
// a step whose `{` was missing) and a stray `}` that does not close the plan.
void SkipToNextItem(antlr4::CommonTokenStream* tokens, size_t item_start, size_t plan_column) {
  tokens->seek(item_start);
  SkipLine(tokens);
  for (;;) {
    while (IsSeparator(tokens->LA(1))) tokens->consume();
    size_t type = tokens->LA(1);
    if (type == antlr4::Token::EOF || StartsPlanItem(type)) return;
    if (type == AsmPlanParser::RBRACE) {
      if (ClosesThePlan(tokens, plan_column)) return;
      tokens->consume();  // a stray `}`: more follows it, so it did not close the plan
      continue;
    }
    SkipLine(tokens);
  }
}

void ParsePlan(AsmPlanParser* parser, antlr4::CommonTokenStream* tokens, ErrorCollector* errors,
               ParseTreeBuilder* builder, ast::PlanDecl* plan) {
  while (IsSeparator(tokens->LA(1))) tokens->consume();  // comments and blank lines before it
  size_t plan_column = tokens->LT(1)->getCharPositionInLine();
  auto* head = TwoStage(parser, tokens, errors, &AsmPlanParser::planHead);
  if (head) builder->PlanHead(head, plan);
  parser->getTreeTracker().reset();
  while (IsSeparator(tokens->LA(1))) tokens->consume();
  if (tokens->LT(1)->getCharPositionInLine() <= plan_column) plan_column = std::string::npos;
  while (true) {
    while (IsSeparator(tokens->LA(1))) tokens->consume();
    size_t next = tokens->LA(1);
    if (next == antlr4::Token::EOF) break;
    if (next == AsmPlanParser::RBRACE) {
      // One with more after it closes nothing: report it alone, and go on with the items after it.
      if (ClosesThePlan(tokens, plan_column)) break;
      errors->Expected(tokens->LT(1), "a plan item (this `}` closes nothing: the plan goes on)");
      tokens->consume();
      continue;
    }
    const size_t item_start = tokens->index();
    auto* item = TwoStage(parser, tokens, errors, &AsmPlanParser::planItem);
    if (item && errors->count() == 0) builder->PlanItem(item, plan);
    parser->getTreeTracker().reset();
    next = tokens->LA(1);
    const bool trailing =
        item && !IsSeparator(next) && next != AsmPlanParser::RBRACE && next != antlr4::Token::EOF;
    if (trailing) errors->Expected(tokens->LT(1), "a new line before it");
    // After an error, go on with the next item, so every item's errors are reported at once.
    if (!item || trailing) SkipToNextItem(tokens, item_start, plan_column);
  }
  if (tokens->LA(1) != AsmPlanParser::RBRACE) {
    if (errors->count() == 0) errors->Expected(tokens->LT(1), "`}` to close the plan");
    return;
  }
  const size_t close_line = tokens->LT(1)->getLine();
  tokens->consume();
  while (IsSeparator(tokens->LA(1))) tokens->consume();
  if (tokens->LA(1) != antlr4::Token::EOF) {
    errors->Expected(tokens->LT(1), "the end of the file: the `}` at line " +
                                        std::to_string(close_line) +
                                        " closed the plan (everything goes inside its braces)");
    return;
  }
  TwoStage(parser, tokens, errors, &AsmPlanParser::planEnd);
  parser->getTreeTracker().reset();
}

// The file's first token that is not a separator (EOF at worst).
antlr4::Token* FirstToken(antlr4::CommonTokenStream* tokens) {
  for (antlr4::Token* t : tokens->getTokens()) {
    if (!IsSeparator(t->getType())) return t;
  }
  return tokens->getTokens().back();
}

}  // namespace

bool ParseSourceFile(int file, Diagnostics* diags, ast::File* out) {
  const std::string& text = diags->files()[file].text;
  if (!PreScan(file, text, diags)) return false;
  const size_t reported_before = diags->all().size();
  ErrorCollector errors(file, diags);
  try {
    PlanLexer lexer(text, [&errors](int line, int column, const std::string& ch) {
      errors.BadCharacter(line, column, ch);
    });
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    if (errors.count() == 0 && OnlyNewlines(&tokens)) {
      diags->Error("empty-file", ast::Loc{file, 1, 1, 1},
                   "file holds no plan: expected `plan NAME { ... }` or `use \"PATH\" { ... }`");
      return false;
    }
    AsmPlanParser parser(&tokens);
    ParseTreeBuilder builder(file, diags);
    antlr4::Token* first = FirstToken(&tokens);
    if (first->getType() == AsmPlanParser::PLAN) {
      out->id = file;
      out->plan.emplace();
      ParsePlan(&parser, &tokens, &errors, &builder, &*out->plan);
    } else if (first->getType() != AsmPlanParser::USE) {
      // `pln x {`: one error, not one per line of what follows.
      errors.Expected(first, "`plan NAME {` or `use \"PATH\" {` to start the file");
      return false;
    } else {
      AsmPlanParser::FileContext* tree = TwoStage(&parser, &tokens, &errors, &AsmPlanParser::file);
      if (tree) *out = builder.Build(tree);
    }
    if (errors.count() > 0) return false;
  } catch (const TooManySyntaxErrors&) {
    diags->ErrorAt(diags->files()[file].path, "syntax-error",
                   "stopped after " + std::to_string(kMaxSyntaxErrors) +
                       " syntax errors in this file; fix these and check again");
    return false;
  } catch (const std::exception& e) {
    diags->Error("syntax-error", ast::Loc{file, 1, 1, 1},
                 std::string("the parser gave up: ") + e.what());
    return false;
  }
  // A duplicated statement is reported and the AST keeps the first: the later phases still
  // serve, and report their own errors in the same pass. Anything else left the AST incomplete.
  for (size_t i = reported_before; i < diags->all().size(); ++i) {
    const Diagnostic& d = diags->all()[i];
    if (d.severity == Severity::kError && d.name != "duplicate-statement") return false;
  }
  return true;
}

}  // namespace asmplan
