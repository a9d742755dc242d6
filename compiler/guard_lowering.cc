// PlanBuilder, part 3: guard expressions -> Guards, operands interpolated and checked against
// the names a cluster would accept.
#include "compiler/kube_names.h"
#include "compiler/plan_builder.h"

namespace asmplan {
namespace {

// `N/M` with 0 <= N <= M, 1 <= M <= 99.
bool ParseReadyTotal(const std::string& s, int* ready, int* total) {
  size_t slash = s.find('/');
  auto number = [](const std::string& t, int* out) {
    if (t.empty() || t.size() > 2 || t.find_first_not_of("0123456789") != std::string::npos)
      return false;
    *out = std::stoi(t);
    return true;
  };
  return slash != std::string::npos && number(s.substr(0, slash), ready) &&
         number(s.substr(slash + 1), total) && *total >= 1 && *ready <= *total;
}

bool HasSecret(const std::string& value) { return value.find("${") != std::string::npos; }

}  // namespace

bool PlanBuilder::LowerGuard(const ast::GuardExpr& expr, const Scope& scope, Guard* out) {
  out->kind = expr.kind;
  if (expr.kind == GuardKind::kAnd || expr.kind == GuardKind::kOr || expr.kind == GuardKind::kNot) {
    bool ok = true;
    for (const ast::GuardExpr& operand : expr.operands) {
      Guard g;
      ok = LowerGuard(operand, scope, &g) && ok;
      out->operands.push_back(std::move(g));
    }
    return ok;
  }
  return LowerGuardOperands(expr, scope, out);
}

bool PlanBuilder::LowerGuardOperands(const ast::GuardExpr& expr, const Scope& scope, Guard* out) {
  bool ok = true;
  // Each operand: interpolate, then check it the way the cluster would.
  auto operand = [&](const ast::Text& text, std::string* value,
                     std::string (*check)(const std::string&), const char* what) {
    if (!InterpolateOne(text, scope, TextUse::kGuard, diags_, value)) {
      ok = false;
      return;
    }
    std::string why = HasSecret(*value) ? "" : check(*value);
    if (!why.empty()) {
      diags_->Error("invalid-k8s-name", text.loc,
                    std::string("invalid ") + what + " name " + Code(*value) + ": " + why,
                    ValueOrigin(text, scope));
      ok = false;
    }
  };
  auto any = [](const std::string& v) { return std::string(v.empty() ? "it is empty" : ""); };
  switch (expr.kind) {
    case GuardKind::kPodsAllShow: {
      std::string show;
      if (InterpolateOne(expr.show, scope, TextUse::kScalar, diags_, &show) &&
          !ParseReadyTotal(show, &out->ready, &out->total)) {
        diags_->Error("invalid-guard", expr.show.loc,
                      "expected `READY/TOTAL` containers such as `2/2`, got " + Code(show));
        ok = false;
      }
      operand(expr.ns, &out->ns, CheckNamespaceName, "namespace");
      break;
    }
    case GuardKind::kPodsAllReady:
    case GuardKind::kNoPodsTerminating:
      operand(expr.ns, &out->ns, CheckNamespaceName, "namespace");
      break;
    case GuardKind::kDeploymentRolledOut:
      operand(expr.name, &out->name, CheckDeploymentName, "deployment");
      operand(expr.ns, &out->ns, CheckNamespaceName, "namespace");
      break;
    case GuardKind::kContextIs:
      operand(expr.name, &out->name, CheckContextName, "context");
      break;
    case GuardKind::kClusterRoleBindingExists:
      operand(expr.name, &out->name, CheckRbacName, "clusterrolebinding");
      break;
    case GuardKind::kSidecarsAtVersion:
      operand(expr.ns, &out->ns, CheckNamespaceName, "namespace");
      operand(expr.name, &out->name, any, "version");
      break;
    case GuardKind::kControlPlaneAtVersion:
      operand(expr.name, &out->name, any, "version");
      break;
    case GuardKind::kCommandSucceeds:
      for (const ast::Text& t : expr.argv)
        ok = Interpolate(t, scope, TextUse::kArgv, diags_, &out->argv) && ok;
      if (ok && out->argv.empty()) {
        diags_->Error("empty-command", expr.loc, "`command [...]` has no arguments");
        ok = false;
      }
      if (ok && !out->argv.empty() && out->argv.front().empty()) {
        diags_->Error("empty-command", expr.loc, "`command [...]`'s program name is empty");
        ok = false;
      }
      break;
    default:
      break;
  }
  return ok;
}

}  // namespace asmplan
