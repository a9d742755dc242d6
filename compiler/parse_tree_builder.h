// Turns the ANTLR parse tree into the typed AST. Part of the parse layer: only parser.cc
// includes this header, and nothing of ANTLR escapes through ast.h.
#pragma once

#include "AsmPlanParser.h"
#include "compiler/ast.h"
#include "compiler/diagnostics.h"

namespace asmplan {

/// Builds ast::File from a parse tree without syntax errors. Reports malformed literals
/// (string escapes, statements given twice, nesting past kMaxGuardNesting) to `diags`.
class ParseTreeBuilder {
 public:
  ParseTreeBuilder(int file, Diagnostics* diags) : file_(file), diags_(diags) {}

  /// A whole file (used for environment files, which are small).
  ast::File Build(asmplan_gen::AsmPlanParser::FileContext* ctx);
  /// A plan piece by piece: its head (the name), then each item in order.
  void PlanHead(asmplan_gen::AsmPlanParser::PlanHeadContext* ctx, ast::PlanDecl* plan);
  void PlanItem(asmplan_gen::AsmPlanParser::PlanItemContext* ctx, ast::PlanDecl* plan);

 private:
  using P = asmplan_gen::AsmPlanParser;

  ast::Loc LocOf(antlr4::Token* start, antlr4::Token* stop) const;
  ast::Loc LocOf(antlr4::ParserRuleContext* ctx) const;
  ast::Loc LocOf(antlr4::tree::TerminalNode* node) const;

  ast::PlanDecl Plan(P::PlanDeclContext* ctx);
  ast::ParamDecl Param(P::ParamDeclContext* ctx);
  ast::Use Use(P::UseDeclContext* ctx);
  ast::Value Value(P::ValueContext* ctx);
  ast::Value List(P::ListValueContext* ctx);
  ast::ArtifactDecl Artifact(P::ArtifactDeclContext* ctx);
  void ArtifactItem(P::ArtifactItemContext* ctx, ast::ArtifactDecl* artifact);
  ast::StepDecl Step(P::StepDeclContext* ctx);
  void StepItem(P::StepItemContext* ctx, ast::StepDecl* step);
  void WaitItem(P::WaitStmtContext* ctx, ast::StepDecl* step);
  ast::ForDecl For(P::ForDeclContext* ctx);
  ast::GuardExpr Guard(P::GuardContext* ctx, int depth);
  ast::GuardExpr GuardAnd(P::GuardAndContext* ctx, int depth);
  ast::GuardExpr GuardNot(P::GuardNotContext* ctx, int depth);
  ast::GuardExpr GuardAtom(P::GuardAtomContext* ctx, int depth);
  ast::Text Text(P::TextContext* ctx);
  ast::Text Str(P::StrContext* ctx);
  ast::Text Word(P::WordContext* ctx);
  ast::Text Name(P::NameContext* ctx);
  /// A word or string token as Text, strings unescaped.
  ast::Text TokenText(antlr4::Token* token);

  /// Sets `*slot` unless it was set before, which is a `duplicate-statement` error.
  void SetOnce(std::optional<ast::Text>* slot, ast::Text value, const char* what);

  int file_;
  Diagnostics* diags_;
  bool too_deep_reported_ = false;
};

}  // namespace asmplan
