#include "compiler/parse_tree_builder.h"

#include "compiler/parser.h"

namespace asmplan {
namespace {

void AppendUtf8(unsigned int cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool Hex4(const std::string& s, size_t at, unsigned int* cp) {
  if (at + 4 > s.size()) return false;
  *cp = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) return false;
    *cp = *cp * 16 + v;
  }
  return true;
}

// JSON string escapes, so a guard's canonical text parses back to the same guard. Returns the
// offset (within `body`) of a bad escape, or npos.
size_t Unescape(const std::string& body, std::string* out) {
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      *out += body[i];
      continue;
    }
    char e = i + 1 < body.size() ? body[i + 1] : '\0';
    const char* simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
    const char* hit = nullptr;
    for (const char* p = simple; *p; p += 2) {
      if (*p == e) hit = p;
    }
    if (hit) {
      *out += hit[1];
      ++i;
      continue;
    }
    unsigned int cp = 0, lo = 0;
    if (e != 'u' || !Hex4(body, i + 2, &cp)) return i;
    i += 5;
    if (cp >= 0xD800 && cp < 0xDC00) {
      if (body.compare(i + 1, 2, "\\u") != 0 || !Hex4(body, i + 3, &lo) || lo < 0xDC00 ||
          lo > 0xDFFF) {
        return i - 5;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      i += 6;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return i - 5;
    }
    if (cp == 0) return i - 5;  // a NUL would cut a command's argument short
    AppendUtf8(cp, out);
  }
  return std::string::npos;
}

// """...""" holds text such as a PEM key: every line is trimmed, blank edges dropped.
std::string TripleQuoted(const std::string& raw) {
  std::string body = raw.substr(3, raw.size() - 6), out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t nl = body.find('\n', start);
    if (nl == std::string::npos) nl = body.size();
    std::string line = body.substr(start, nl - start);
    size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b != std::string::npos) out += line.substr(b, e - b + 1) + "\n";
    start = nl + 1;
  }
  return out;
}

}  // namespace

ast::Loc ParseTreeBuilder::LocOf(antlr4::Token* start, antlr4::Token* stop) const {
  ast::Loc loc{file_, static_cast<int>(start->getLine()),
               static_cast<int>(start->getCharPositionInLine()) + 1, 1};
  if (stop && stop->getLine() == start->getLine() && stop->getType() != antlr4::Token::EOF &&
      stop->getStopIndex() >= start->getStartIndex()) {
    loc.length = static_cast<int>(stop->getStopIndex() - start->getStartIndex() + 1);
  }
  return loc;
}

ast::Loc ParseTreeBuilder::LocOf(antlr4::ParserRuleContext* ctx) const {
  return LocOf(ctx->getStart(), ctx->getStop());
}

ast::Loc ParseTreeBuilder::LocOf(antlr4::tree::TerminalNode* node) const {
  return LocOf(node->getSymbol(), node->getSymbol());
}

ast::File ParseTreeBuilder::Build(P::FileContext* ctx) {
  ast::File file;
  file.id = file_;
  if (ctx->planDecl()) file.plan = Plan(ctx->planDecl());
  if (ctx->useDecl()) file.use = Use(ctx->useDecl());
  return file;
}

ast::PlanDecl ParseTreeBuilder::Plan(P::PlanDeclContext* ctx) {
  ast::PlanDecl plan;
  plan.name = Name(ctx->name());
  plan.loc = plan.name.loc;
  for (P::PlanItemContext* item : ctx->planBody()->planItem()) PlanItem(item, &plan);
  return plan;
}

void ParseTreeBuilder::PlanHead(P::PlanHeadContext* ctx, ast::PlanDecl* plan) {
  plan->name = Name(ctx->name());
  plan->loc = plan->name.loc;
}

void ParseTreeBuilder::PlanItem(P::PlanItemContext* ctx, ast::PlanDecl* plan) {
  if (ctx->titleDecl()) {
    SetOnce(&plan->title, Str(ctx->titleDecl()->str()), "title");
  } else if (ctx->paramDecl()) {
    plan->params.push_back(Param(ctx->paramDecl()));
  } else if (ctx->artifactDecl()) {
    plan->artifacts.push_back(Artifact(ctx->artifactDecl()));
  } else if (ctx->stepDecl()) {
    plan->items.push_back({false, plan->steps.size()});
    plan->steps.push_back(Step(ctx->stepDecl()));
  } else if (ctx->forDecl()) {
    plan->items.push_back({true, plan->fors.size()});
    plan->fors.push_back(For(ctx->forDecl()));
  }
}

ast::ParamDecl ParseTreeBuilder::Param(P::ParamDeclContext* ctx) {
  ast::ParamDecl param;
  param.name = Name(ctx->name());
  param.loc = param.name.loc;
  P::ParamTypeContext* type = ctx->paramType();
  param.type = type->LIST_T() ? "list<string>" : type->getText();
  if (ctx->value()) param.default_value = Value(ctx->value());
  param.secret = ctx->SECRET() != nullptr;
  return param;
}

ast::Use ParseTreeBuilder::Use(P::UseDeclContext* ctx) {
  ast::Use use;
  use.path = Str(ctx->str());
  use.loc = LocOf(ctx->USE());
  for (P::BindingContext* b : ctx->binding()) {
    use.bindings.push_back({Name(b->name()), Value(b->value())});
  }
  return use;
}

ast::Value ParseTreeBuilder::Value(P::ValueContext* ctx) {
  if (ctx->listValue()) return List(ctx->listValue());
  ast::Value value;
  value.scalar = ctx->str() ? Str(ctx->str()) : Word(ctx->word());
  value.loc = value.scalar.loc;
  return value;
}

ast::Value ParseTreeBuilder::List(P::ListValueContext* ctx) {
  ast::Value value;
  value.is_list = true;
  value.loc = LocOf(ctx->getStart(), ctx->getStart());
  for (P::ListItemContext* item : ctx->listItem()) {
    value.items.push_back(item->str() ? Str(item->str()) : Word(item->word()));
  }
  return value;
}

ast::ArtifactDecl ParseTreeBuilder::Artifact(P::ArtifactDeclContext* ctx) {
  ast::ArtifactDecl artifact;
  artifact.name = Name(ctx->name());
  artifact.loc = artifact.name.loc;
  for (P::ArtifactItemContext* item : ctx->artifactItem()) ArtifactItem(item, &artifact);
  return artifact;
}

void ParseTreeBuilder::ArtifactItem(P::ArtifactItemContext* ctx, ast::ArtifactDecl* a) {
  if (auto* c = dynamic_cast<P::ArtifactUrlContext*>(ctx)) {
    SetOnce(&a->url, Text(c->text()), "url");
  } else if (auto* c = dynamic_cast<P::ArtifactSignatureContext*>(ctx)) {
    SetOnce(&a->signature, Text(c->text()), "signature");
  } else if (auto* c = dynamic_cast<P::ArtifactKeyFileContext*>(ctx)) {
    SetOnce(a->key_inline ? &a->key_inline : &a->key_file, Text(c->text()), "public_key");
  } else if (auto* c = dynamic_cast<P::ArtifactKeyInlineContext*>(ctx)) {
    SetOnce(a->key_file ? &a->key_file : &a->key_inline, Text(c->text()), "public_key");
  } else if (auto* c = dynamic_cast<P::ArtifactSha256Context*>(ctx)) {
    SetOnce(&a->sha256, Text(c->text()), "sha256");
  } else if (auto* c = dynamic_cast<P::ArtifactExtractToContext*>(ctx)) {
    SetOnce(&a->extract_to, Text(c->text()), "extract_to");
  } else if (dynamic_cast<P::ArtifactVerifyNoneContext*>(ctx)) {
    a->verify_none = LocOf(ctx);
  }
}

ast::StepDecl ParseTreeBuilder::Step(P::StepDeclContext* ctx) {
  ast::StepDecl step;
  step.name = Name(ctx->stepId()->name());
  step.loc = LocOf(ctx->stepId());
  if (ctx->stepId()->word()) step.index = Word(ctx->stepId()->word());
  for (P::StepRefContext* ref : ctx->stepRef()) {
    ast::StepRef r{Name(ref->name()), std::nullopt};
    if (ref->word()) r.index = Word(ref->word());
    step.after.push_back(std::move(r));
  }
  for (P::StepItemContext* item : ctx->stepItem()) StepItem(item, &step);
  return step;
}

void ParseTreeBuilder::StepItem(P::StepItemContext* ctx, ast::StepDecl* s) {
  if (auto* c = dynamic_cast<P::RunStmtContext*>(ctx)) {
    std::vector<ast::Text> argv;
    for (P::TextContext* t : c->text()) argv.push_back(Text(t));
    s->run.push_back(std::move(argv));
  } else if (auto* c = dynamic_cast<P::FetchStmtContext*>(ctx)) {
    SetOnce(&s->fetch, Name(c->name()), "fetch");
  } else if (auto* c = dynamic_cast<P::RequireStmtContext*>(ctx)) {
    s->require.push_back(Guard(c->guard(), 0));
  } else if (auto* c = dynamic_cast<P::SkipStmtContext*>(ctx)) {
    s->skip_if.push_back(Guard(c->guard(), 0));
  } else if (auto* c = dynamic_cast<P::WaitStmtContext*>(ctx)) {
    WaitItem(c, s);
  } else if (auto* c = dynamic_cast<P::VerifyStmtContext*>(ctx)) {
    s->verify.push_back(Guard(c->guard(), 0));
  } else if (auto* c = dynamic_cast<P::TimeoutStmtContext*>(ctx)) {
    SetOnce(&s->timeout, Word(c->word()), "timeout");
  } else if (auto* c = dynamic_cast<P::RetryStmtContext*>(ctx)) {
    SetOnce(&s->retry, Word(c->word(0)), "retry");
    if (c->word().size() > 1) s->backoff = Word(c->word(1));
  } else if (dynamic_cast<P::IdempotentStmtContext*>(ctx)) {
    s->idempotent = true;
  } else if (auto* c = dynamic_cast<P::ConfirmStmtContext*>(ctx)) {
    SetOnce(&s->confirm, Text(c->text()), "confirm");
  }
}

void ParseTreeBuilder::WaitItem(P::WaitStmtContext* ctx, ast::StepDecl* step) {
  ast::WaitStmt wait;
  wait.loc = LocOf(ctx->WAIT()->getSymbol(), ctx->UNTIL()->getSymbol());
  wait.guard = Guard(ctx->guard(), 0);
  // `timeout D` and `every D` come in any order: pair each keyword with the word after it.
  const auto& children = ctx->children;
  for (size_t i = 0; i + 1 < children.size(); ++i) {
    auto* kw = dynamic_cast<antlr4::tree::TerminalNode*>(children[i]);
    auto* word = dynamic_cast<P::WordContext*>(children[i + 1]);
    if (!kw || !word) continue;
    size_t type = kw->getSymbol()->getType();
    if (type == P::TIMEOUT) SetOnce(&wait.timeout, Word(word), "timeout");
    if (type == P::EVERY) SetOnce(&wait.every, Word(word), "every");
  }
  step->waits.push_back(std::move(wait));
}

ast::ForDecl ParseTreeBuilder::For(P::ForDeclContext* ctx) {
  ast::ForDecl group;
  group.var = Name(ctx->name());
  group.loc = LocOf(ctx->FOR());
  P::ForListContext* list = ctx->forList();
  if (list->listValue()) {
    group.list = List(list->listValue());
  } else {
    group.list.scalar = Word(list->word());
    group.list.loc = group.list.scalar.loc;
  }
  if (ctx->word()) group.parallel = Word(ctx->word());
  for (P::StepDeclContext* step : ctx->stepDecl()) group.steps.push_back(Step(step));
  return group;
}

ast::GuardExpr ParseTreeBuilder::Guard(P::GuardContext* ctx, int depth) {
  std::vector<P::GuardAndContext*> terms = ctx->guardAnd();
  if (terms.size() == 1) return GuardAnd(terms[0], depth);
  ast::GuardExpr g;
  g.kind = GuardKind::kOr;
  g.loc = LocOf(ctx);
  for (P::GuardAndContext* t : terms) g.operands.push_back(GuardAnd(t, depth));
  return g;
}

ast::GuardExpr ParseTreeBuilder::GuardAnd(P::GuardAndContext* ctx, int depth) {
  std::vector<P::GuardNotContext*> terms = ctx->guardNot();
  if (terms.size() == 1) return GuardNot(terms[0], depth);
  ast::GuardExpr g;
  g.kind = GuardKind::kAnd;
  g.loc = LocOf(ctx);
  for (P::GuardNotContext* t : terms) g.operands.push_back(GuardNot(t, depth));
  return g;
}

ast::GuardExpr ParseTreeBuilder::GuardNot(P::GuardNotContext* ctx, int depth) {
  size_t nots = ctx->NOT().size();
  if (depth + static_cast<int>(nots) > kMaxGuardNesting) {
    if (!too_deep_reported_) {
      diags_->Error("nesting-too-deep", LocOf(ctx->NOT(0)),
                    "guard nested deeper than " + std::to_string(kMaxGuardNesting) + " levels");
    }
    too_deep_reported_ = true;
    return ast::GuardExpr{};
  }
  ast::GuardExpr g = GuardAtom(ctx->guardAtom(), depth + static_cast<int>(nots));
  // Built inside out: the innermost `not` wraps the atom.
  for (size_t i = nots; i-- > 0;) {
    ast::GuardExpr outer;
    outer.kind = GuardKind::kNot;
    outer.loc = LocOf(ctx->NOT(i)->getSymbol(), ctx->getStop());
    outer.operands.push_back(std::move(g));
    g = std::move(outer);
  }
  return g;
}

ast::GuardExpr ParseTreeBuilder::GuardAtom(P::GuardAtomContext* ctx, int depth) {
  if (auto* c = dynamic_cast<P::ParenGuardContext*>(ctx)) return Guard(c->guard(), depth + 1);
  ast::GuardExpr g;
  g.loc = LocOf(ctx);
  if (auto* c = dynamic_cast<P::PodsReadyGuardContext*>(ctx)) {
    g.kind = GuardKind::kPodsAllReady;
    g.ns = Text(c->text());
  } else if (auto* c = dynamic_cast<P::PodsShowGuardContext*>(ctx)) {
    g.kind = GuardKind::kPodsAllShow;
    g.ns = Text(c->text());
    g.show = Word(c->word());
  } else if (auto* c = dynamic_cast<P::NoTerminatingGuardContext*>(ctx)) {
    g.kind = GuardKind::kNoPodsTerminating;
    g.ns = Text(c->text());
  } else if (auto* c = dynamic_cast<P::RolledOutGuardContext*>(ctx)) {
    g.kind = GuardKind::kDeploymentRolledOut;
    g.name = Text(c->text(0));
    g.ns = Text(c->text(1));
  } else if (auto* c = dynamic_cast<P::ContextGuardContext*>(ctx)) {
    g.kind = GuardKind::kContextIs;
    g.name = Text(c->text());
  } else if (auto* c = dynamic_cast<P::BindingGuardContext*>(ctx)) {
    g.kind = GuardKind::kClusterRoleBindingExists;
    g.name = Text(c->text());
  } else if (auto* c = dynamic_cast<P::SidecarsGuardContext*>(ctx)) {
    g.kind = GuardKind::kSidecarsAtVersion;
    g.ns = Text(c->text(0));
    g.name = Text(c->text(1));
  } else if (auto* c = dynamic_cast<P::ControlPlaneGuardContext*>(ctx)) {
    g.kind = GuardKind::kControlPlaneAtVersion;
    g.name = Text(c->text());
  } else if (auto* c = dynamic_cast<P::CommandGuardContext*>(ctx)) {
    g.kind = GuardKind::kCommandSucceeds;
    for (P::TextContext* t : c->text()) g.argv.push_back(Text(t));
  }
  return g;
}

ast::Text ParseTreeBuilder::Text(P::TextContext* ctx) { return TokenText(ctx->getStart()); }

ast::Text ParseTreeBuilder::Str(P::StrContext* ctx) { return TokenText(ctx->getStart()); }

ast::Text ParseTreeBuilder::Word(P::WordContext* ctx) { return TokenText(ctx->getStart()); }

ast::Text ParseTreeBuilder::Name(P::NameContext* ctx) { return TokenText(ctx->getStart()); }

ast::Text ParseTreeBuilder::TokenText(antlr4::Token* token) {
  ast::Text text;
  text.loc = LocOf(token, token);
  size_t type = token->getType();
  if (type != P::STRING && type != P::TSTRING) {
    text.value = token->getText();
    return text;
  }
  text.quoted = true;
  std::string raw = token->getText();
  if (type == P::TSTRING) {
    text.value = TripleQuoted(raw);
    return text;
  }
  size_t bad = Unescape(raw.substr(1, raw.size() - 2), &text.value);
  if (bad != std::string::npos) {
    ast::Loc at = text.loc;
    at.column += static_cast<int>(bad) + 1;
    at.length = 2;
    if (raw.compare(bad + 1, 6, "\\u0000") == 0) {
      diags_->Error("invalid-escape", at, "a string cannot contain a NUL character (\\u0000)",
                    {"a command would receive its argument cut short at the NUL"});
    } else {
      diags_->Error("invalid-escape", at, "invalid escape sequence in string",
                    {"strings use JSON escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"});
    }
  }
  return text;
}

void ParseTreeBuilder::SetOnce(std::optional<ast::Text>* slot, ast::Text value, const char* what) {
  if (*slot) {
    diags_->Error("duplicate-statement", value.loc,
                  std::string("`") + what + "` given more than once",
                  {"the first one is at line " + std::to_string((*slot)->loc.line)});
    return;
  }
  *slot = std::move(value);
}

}  // namespace asmplan
