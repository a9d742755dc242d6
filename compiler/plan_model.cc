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

}  // namespace asmplan
