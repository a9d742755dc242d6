#include "compiler/interpolator.h"

#include "compiler/did_you_mean.h"

namespace asmplan {

bool IsIdentifier(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

namespace {

ast::Loc RefLoc(const ast::Text& text, size_t at, size_t len) {
  ast::Loc loc = text.loc;
  // Columns inside a quoted string are shifted by the opening quote.
  loc.column += static_cast<int>(at) + (text.quoted ? 1 : 0);
  loc.length = static_cast<int>(len);
  return loc;
}

// One `${name}` reference resolved to its text, or false after a diagnostic.
bool Resolve(const ast::Text& text, size_t at, const std::string& name, const Scope& scope,
             TextUse use, bool alone, Diagnostics* diags, std::string* value, bool* splice) {
  ast::Loc loc = RefLoc(text, at, name.size() + 3);
  if (scope.var && name == *scope.var) {
    *value = *scope.var_value;
    return true;
  }
  ResolvedParam* p = scope.params->Find(name);
  if (!p) {
    if (!scope.params->FirstReportOfUnknown(name)) return false;  // reported at its first use
    std::vector<std::string> names = scope.params->Names();
    if (scope.var) names.push_back(*scope.var);
    diags->Error("unknown-param", loc, "unknown parameter " + Code(name), DidYouMean(name, names));
    return false;
  }
  p->used = true;
  if (p->broken) return false;  // its binding was reported; a reference adds nothing
  if (p->secret) {
    if (use == TextUse::kScalar) {
      diags->Error("secret-not-allowed", loc,
                   "secret " + Code(name) + " can only be used in commands and guards");
      return false;
    }
    *value = "${" + name + "}";  // filled by the executor from ASMPLAN_SECRET_<NAME>
    return true;
  }
  if (p->type != "list<string>") {
    *value = p->scalar;
    return true;
  }
  if (use == TextUse::kArgv && alone) {
    *splice = true;
    return true;
  }
  diags->Error(
      "type-mismatch", loc, "list parameter " + Code(name) + " used as a single value",
      {"a list splices into a command only as a whole argument, e.g. `run cmd ${" + name + "}`"});
  return false;
}

}  // namespace

std::string LoneReference(const ast::Text& text, bool bare_name) {
  const std::string& v = text.value;
  if (v.size() > 3 && v.compare(0, 2, "${") == 0 && v.back() == '}' &&
      v.find('}') == v.size() - 1) {
    return v.substr(2, v.size() - 3);
  }
  return bare_name && !text.quoted && IsIdentifier(v) ? v : "";
}

bool Interpolate(const ast::Text& text, const Scope& scope, TextUse use, Diagnostics* diags,
                 std::vector<std::string>* out) {
  const std::string& v = text.value;
  size_t at = v.find("${");
  if (at == std::string::npos) {  // the common case: nothing to substitute
    out->push_back(v);
    return true;
  }
  std::string result = v.substr(0, at);
  bool ok = true;
  while (at != std::string::npos) {
    size_t close = v.find('}', at);
    std::string name = close == std::string::npos ? "" : v.substr(at + 2, close - at - 2);
    if (!IsIdentifier(name)) {
      diags->Error("invalid-interpolation", RefLoc(text, at, 2),
                   "expected `${NAME}` with NAME a parameter name");
      return false;
    }
    std::string value;
    bool splice = false;
    bool alone = at == 0 && close == v.size() - 1;
    ok = Resolve(text, at, name, scope, use, alone, diags, &value, &splice) && ok;
    if (splice) {
      for (const std::string& item : scope.params->Find(name)->list) out->push_back(item);
      return true;
    }
    result += value;
    size_t next = v.find("${", close + 1);
    result.append(v, close + 1, next == std::string::npos ? std::string::npos : next - close - 1);
    at = next;
  }
  if (ok) out->push_back(std::move(result));
  return ok;
}

bool InterpolateOne(const ast::Text& text, const Scope& scope, TextUse use, Diagnostics* diags,
                    std::string* out) {
  if (text.value.find("${") == std::string::npos) {  // the common case, without a vector
    *out = text.value;
    return true;
  }
  std::vector<std::string> values;
  if (!Interpolate(text, scope, use, diags, &values)) return false;
  if (values.size() != 1) {
    diags->Error("type-mismatch", text.loc, "expected one value, got a list");
    return false;
  }
  *out = std::move(values[0]);
  return true;
}

std::vector<std::string> ValueOrigin(const ast::Text& text, const Scope& scope) {
  size_t at = text.value.find("${");
  size_t close = text.value.find('}', at);
  if (at == std::string::npos || close == std::string::npos) return {};
  std::string name = text.value.substr(at + 2, close - at - 2);
  if (scope.var && name == *scope.var) {
    return {Code(name) + " comes from " +
            (scope.var_origin ? *scope.var_origin : "the `for` list")};
  }
  ResolvedParam* p = scope.params->Find(name);
  if (!p || p->source.empty()) return {};
  return {Code(name) + (p->source == "default" ? " is its default" : " is set at " + p->source)};
}

}  // namespace asmplan
