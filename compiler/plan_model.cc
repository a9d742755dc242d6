#include "compiler/plan_model.h"

#include "compiler/guard_text.h"

namespace asmplan {

bool operator==(const Guard& a, const Guard& b) {
  return a.kind == b.kind && a.ns == b.ns && a.name == b.name && a.ready == b.ready &&
         a.total == b.total && a.argv == b.argv && a.operands == b.operands;
}

std::string CanonicalText(const Guard& guard) {
  std::string text;
  AppendCanonicalText(guard, &text);
  return text;
}

std::string SecretEnvironmentVariable(std::string_view name) {
  std::string var = kSecretVariablePrefix;
  for (char c : name) var += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return var;
}

}  // namespace asmplan
