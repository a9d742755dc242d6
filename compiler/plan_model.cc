#include "compiler/plan_model.h"

#include <nlohmann/json.hpp>

namespace asmplan {
namespace {

std::string Quote(const std::string& s) {
  // JSON escaping; invalid UTF-8 is replaced rather than thrown on.
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool IsJunction(const Guard& g) { return g.kind == GuardKind::kAnd || g.kind == GuardKind::kOr; }

std::string Operand(const Guard& g) {
  return IsJunction(g) ? "(" + CanonicalText(g) + ")" : CanonicalText(g);
}

}  // namespace

bool operator==(const Guard& a, const Guard& b) {
  return a.kind == b.kind && a.ns == b.ns && a.name == b.name && a.ready == b.ready &&
         a.total == b.total && a.argv == b.argv && a.operands == b.operands;
}

std::string CanonicalText(const Guard& g) {
  switch (g.kind) {
    case GuardKind::kPodsAllReady:
      return "pods in ns " + Quote(g.ns) + " all ready";
    case GuardKind::kPodsAllShow:
      return "pods in ns " + Quote(g.ns) + " all show " + std::to_string(g.ready) + "/" +
             std::to_string(g.total);
    case GuardKind::kNoPodsTerminating:
      return "no pods in ns " + Quote(g.ns) + " terminating";
    case GuardKind::kDeploymentRolledOut:
      return "deployment " + Quote(g.name) + " in ns " + Quote(g.ns) + " rolled out";
    case GuardKind::kContextIs:
      return "context is " + Quote(g.name);
    case GuardKind::kClusterRoleBindingExists:
      return "clusterrolebinding " + Quote(g.name) + " exists";
    case GuardKind::kSidecarsAtVersion:
      return "sidecars in ns " + Quote(g.ns) + " at version " + Quote(g.name);
    case GuardKind::kControlPlaneAtVersion:
      return "istio control plane at version " + Quote(g.name);
    case GuardKind::kCommandSucceeds: {
      std::string s = "command [";
      for (size_t i = 0; i < g.argv.size(); ++i) s += (i ? ", " : "") + Quote(g.argv[i]);
      return s + "] succeeds";
    }
    case GuardKind::kAnd:
    case GuardKind::kOr: {
      std::string s;
      const char* op = g.kind == GuardKind::kAnd ? " and " : " or ";
      for (size_t i = 0; i < g.operands.size(); ++i) s += (i ? op : "") + Operand(g.operands[i]);
      return s;
    }
    case GuardKind::kNot:
      return "not " + (g.operands.empty() ? std::string("()") : Operand(g.operands[0]));
  }
  return "";
}

}  // namespace asmplan
