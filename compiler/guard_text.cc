#include "compiler/guard_text.h"

#include <climits>

#include "compiler/quoted_string.h"

namespace asmplan {
namespace {

bool IsJunction(const Guard& g) { return g.kind == GuardKind::kAnd || g.kind == GuardKind::kOr; }

void AppendOperand(const Guard& g, std::string* out) {
  if (!IsJunction(g)) return AppendCanonicalText(g, out);
  *out += '(';
  AppendCanonicalText(g, out);
  *out += ')';
}

// A string operand, written quoted.
struct Q {
  const std::string& value;
};
void Put(std::string* out, const char* text) { *out += text; }
void Put(std::string* out, const std::string& text) { *out += text; }
void Put(std::string* out, Q q) { AppendQuoted(q.value, out); }

// Appends each part in turn: literal text as it is, Q{...} quoted.
template <typename... Parts>
void Emit(std::string* out, const Parts&... parts) {
  (Put(out, parts), ...);
}

void AppendJunction(const Guard& g, std::string* out) {
  const char* op = g.kind == GuardKind::kAnd ? " and " : " or ";
  for (size_t i = 0; i < g.operands.size(); ++i) {
    if (i) *out += op;
    AppendOperand(g.operands[i], out);
  }
}

void AppendCommand(const Guard& g, std::string* out) {
  *out += "command [";
  for (size_t i = 0; i < g.argv.size(); ++i) {
    if (i) *out += ", ";
    AppendQuoted(g.argv[i], out);
  }
  *out += "] succeeds";
}

// A recursive-descent reader over canonical guard text; one instance per ParseGuardText call.
class GuardParser {
 public:
  explicit GuardParser(std::string_view text) : text_(text) {}

  bool Parse(Guard* guard, std::string* err) {
    bool ok = ParseJunction(guard, 0);
    SkipSpace();
    if (ok && pos_ != text_.size()) ok = Fail("unexpected text after the guard");
    if (!ok) *err = "column " + std::to_string(error_pos_ + 1) + ": " + error_;
    return ok;
  }

 private:
  bool Fail(const std::string& message) {
    if (error_.empty()) {
      error_ = message;
      error_pos_ = pos_;
    }
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  static bool IsWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  // Consumes `word` when it comes next as a whole word.
  bool Accept(std::string_view word) {
    SkipSpace();
    if (text_.substr(pos_, word.size()) != word) return false;
    const size_t end = pos_ + word.size();
    if (IsWordChar(word.back()) && end < text_.size() && IsWordChar(text_[end])) return false;
    pos_ = end;
    return true;
  }

  bool Expect(std::string_view words) {
    // `words` may hold several space-separated words; each may be preceded by spaces.
    while (!words.empty()) {
      const size_t space = words.find(' ');
      const std::string_view word = words.substr(0, space);
      if (!Accept(word)) return Fail("expected `" + std::string(word) + "`");
      words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
    }
    return true;
  }

  bool String(std::string* out) {
    SkipSpace();
    std::string err;
    if (ParseQuoted(text_, &pos_, out, &err)) return true;
    return Fail(err);
  }

  bool Int(int* out) {
    SkipSpace();
    const size_t start = pos_;
    const bool negative = pos_ < text_.size() && text_[pos_] == '-';
    if (negative) ++pos_;
    long long v = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9' && v <= INT_MAX) {
      v = v * 10 + (text_[pos_++] - '0');
    }
    if (pos_ == start + (negative ? 1 : 0) || v > INT_MAX) return Fail("expected a number");
    *out = static_cast<int>(negative ? -v : v);
    return true;
  }

  // junction := unary ( ("and" | "or") unary )*, one operator per level.
  bool ParseJunction(Guard* guard, int depth) {
    if (depth > kMaxGuardDepth) return Fail("guard nested too deeply");
    Guard first;
    if (!ParseUnary(&first, depth)) return false;
    GuardKind kind = GuardKind::kAnd;
    if (Accept("and")) {
      kind = GuardKind::kAnd;
    } else if (Accept("or")) {
      kind = GuardKind::kOr;
    } else {
      *guard = std::move(first);
      return true;
    }
    guard->kind = kind;
    guard->operands.push_back(std::move(first));
    const char* op = kind == GuardKind::kAnd ? "and" : "or";
    const char* other = kind == GuardKind::kAnd ? "or" : "and";
    do {
      guard->operands.emplace_back();
      if (!ParseUnary(&guard->operands.back(), depth)) return false;
      const size_t at = pos_;
      if (Accept(other)) {
        pos_ = at;
        SkipSpace();
        return Fail("mixed `and` and `or` need parentheses");
      }
    } while (Accept(op));
    return true;
  }

  bool ParseUnary(Guard* guard, int depth) {
    if (depth > kMaxGuardDepth) return Fail("guard nested too deeply");
    if (Accept("not")) {
      guard->kind = GuardKind::kNot;
      guard->operands.emplace_back();
      return ParseUnary(&guard->operands.back(), depth + 1);
    }
    if (Accept("(")) {
      if (!ParseJunction(guard, depth + 1)) return false;
      return Expect(")");
    }
    return ParseAtom(guard);
  }

  bool ParseAtom(Guard* g) {
    if (Accept("pods")) return ParsePods(g);
    if (Accept("no")) {
      g->kind = GuardKind::kNoPodsTerminating;
      return Expect("pods in ns") && String(&g->ns) && Expect("terminating");
    }
    if (Accept("deployment")) {
      g->kind = GuardKind::kDeploymentRolledOut;
      return String(&g->name) && Expect("in ns") && String(&g->ns) && Expect("rolled out");
    }
    if (Accept("context")) {
      g->kind = GuardKind::kContextIs;
      return Expect("is") && String(&g->name);
    }
    if (Accept("clusterrolebinding")) {
      g->kind = GuardKind::kClusterRoleBindingExists;
      return String(&g->name) && Expect("exists");
    }
    if (Accept("sidecars")) {
      g->kind = GuardKind::kSidecarsAtVersion;
      return Expect("in ns") && String(&g->ns) && Expect("at version") && String(&g->name);
    }
    if (Accept("istio")) {
      g->kind = GuardKind::kControlPlaneAtVersion;
      return Expect("control plane at version") && String(&g->name);
    }
    if (Accept("command")) return ParseCommand(g);
    return Fail("expected a guard");
  }

  bool ParsePods(Guard* g) {
    if (!Expect("in ns") || !String(&g->ns) || !Expect("all")) return false;
    if (Accept("ready")) {
      g->kind = GuardKind::kPodsAllReady;
      return true;
    }
    g->kind = GuardKind::kPodsAllShow;
    return Expect("show") && Int(&g->ready) && Expect("/") && Int(&g->total);
  }

  bool ParseCommand(Guard* g) {
    g->kind = GuardKind::kCommandSucceeds;
    if (!Expect("[")) return false;
    if (!Accept("]")) {
      do {
        g->argv.emplace_back();
        if (!String(&g->argv.back())) return false;
      } while (Accept(","));
      if (!Expect("]")) return false;
    }
    return Expect("succeeds");
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

}  // namespace

void AppendCanonicalText(const Guard& g, std::string* out) {
  using K = GuardKind;
  switch (g.kind) {
    case K::kPodsAllReady:
      return Emit(out, "pods in ns ", Q{g.ns}, " all ready");
    case K::kPodsAllShow:
      return Emit(out, "pods in ns ", Q{g.ns}, " all show ", std::to_string(g.ready), "/",
                  std::to_string(g.total));
    case K::kNoPodsTerminating:
      return Emit(out, "no pods in ns ", Q{g.ns}, " terminating");
    case K::kDeploymentRolledOut:
      return Emit(out, "deployment ", Q{g.name}, " in ns ", Q{g.ns}, " rolled out");
    case K::kContextIs:
      return Emit(out, "context is ", Q{g.name});
    case K::kClusterRoleBindingExists:
      return Emit(out, "clusterrolebinding ", Q{g.name}, " exists");
    case K::kSidecarsAtVersion:
      return Emit(out, "sidecars in ns ", Q{g.ns}, " at version ", Q{g.name});
    case K::kControlPlaneAtVersion:
      return Emit(out, "istio control plane at version ", Q{g.name});
    case K::kCommandSucceeds:
      return AppendCommand(g, out);
    case K::kAnd:
    case K::kOr:
      return AppendJunction(g, out);
    case K::kNot:
      *out += "not ";
      // A well-formed not has one operand; "()" keeps a malformed one visible, not crashing.
      return g.operands.empty() ? Emit(out, "()") : AppendOperand(g.operands[0], out);
  }
}

bool ParseGuardText(std::string_view text, Guard* guard, std::string* err) {
  *guard = Guard();
  return GuardParser(text).Parse(guard, err);
}

}  // namespace asmplan
