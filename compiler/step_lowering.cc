// PlanBuilder, part 2: one step declaration (in one `for` expansion) -> one Step.
#include <algorithm>

#include "compiler/did_you_mean.h"
#include "compiler/duration_text.h"
#include "compiler/kube_names.h"
#include "compiler/plan_builder.h"

namespace asmplan {
namespace {

constexpr Millis kDefaultPollInterval = 10000;

bool HasSecret(const std::string& value) { return value.find("${") != std::string::npos; }

std::string FileLine(const Diagnostics& diags, const ast::Loc& loc) {
  return diags.files()[loc.file].path + ":" + std::to_string(loc.line);
}

}  // namespace

void PlanBuilder::LowerStep(const ast::StepDecl& decl, const Scope& scope,
                            const std::string& group) {
  Step step;
  step.group = group;
  step.id = decl.name.value;
  std::string index;
  if (decl.index) {
    if (!InterpolateOne(*decl.index, scope, TextUse::kScalar, diags_, &index)) return;
    step.id += "[" + index + "]";
  }
  // Every expansion of a `for` body shares its declaration's "file:line".
  std::string& source = source_of_[&decl];
  if (source.empty()) source = FileLine(*diags_, decl.loc);
  step.source = source;
  std::vector<PendingRef> refs;
  refs.reserve(decl.after.size());
  for (const ast::StepRef& ref : decl.after) {
    PendingRef p{ref.name.value, ref.name.value, ref.name.loc};
    if (ref.index) {
      std::string i;
      if (!InterpolateOne(*ref.index, scope, TextUse::kScalar, diags_, &i)) continue;
      p.id += "[" + i + "]";
    }
    refs.push_back(std::move(p));
  }
  for (const auto& argv : decl.run) LowerRun(argv, scope, &step);
  if (decl.fetch) {
    if (artifacts_.count(decl.fetch->value)) {
      step.fetch = decl.fetch->value;
    } else {
      std::vector<std::string> names;
      for (const auto& kv : artifacts_) names.push_back(kv.first);
      std::sort(names.begin(), names.end());
      diags_->Error("unknown-artifact", decl.fetch->loc,
                    "unknown artifact " + Code(decl.fetch->value),
                    DidYouMean(decl.fetch->value, names));
    }
  }
  auto guards = [&](const std::vector<ast::GuardExpr>& in, std::vector<Guard>* out) {
    for (const ast::GuardExpr& e : in) {
      Guard g;
      if (LowerGuard(e, scope, &g)) out->push_back(std::move(g));
    }
  };
  guards(decl.require, &step.require);
  guards(decl.skip_if, &step.skip_if);
  guards(decl.verify, &step.verify);
  for (const ast::WaitStmt& w : decl.waits) {
    WaitUntil wait;
    if (LowerWait(w, scope, &wait)) step.wait_until.push_back(std::move(wait));
  }
  LowerTiming(decl, scope, &step);
  step.idempotent = decl.idempotent;
  if (decl.confirm) InterpolateOne(*decl.confirm, scope, TextUse::kScalar, diags_, &step.confirm);
  if (AddStep(std::move(step), decl.loc)) refs_.push_back(std::move(refs));
}

void PlanBuilder::LowerRun(const std::vector<ast::Text>& argv, const Scope& scope, Step* step) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  bool ok = true;
  for (const ast::Text& text : argv) {
    size_t before = out.size();
    if (!Interpolate(text, scope, TextUse::kArgv, diags_, &out)) {
      ok = false;
      continue;
    }
    for (size_t i = before; i < out.size(); ++i) {
      CheckArgvNames(i > 0 ? out[i - 1] : "", out[i], text, scope);
    }
  }
  if (!ok) return;
  if (out.empty()) {
    diags_->Error("empty-command", argv.front().loc, "command has no arguments",
                  {"a lone list parameter spliced in nothing"});
    return;
  }
  if (out.front().empty()) {
    // exec would fail at run time, and a compiled plan with it is refused when read.
    diags_->Error("empty-command", argv.front().loc, "the command's program name is empty");
    return;
  }
  step->run.push_back(std::move(out));
}

void PlanBuilder::CheckArgvNames(const std::string& prev, const std::string& arg,
                                 const ast::Text& text, const Scope& scope) {
  // The namespace and context a kubectl command targets, checked like guard operands.
  std::string why, what, value = arg;
  if (prev == "-n" || prev == "--namespace") {
    what = "namespace";
  } else if (arg.rfind("--namespace=", 0) == 0) {
    what = "namespace";
    value = arg.substr(12);
  } else if (prev == "--context" || prev == "use-context") {
    what = "context";
  } else if (arg.rfind("--context=", 0) == 0) {
    what = "context";
    value = arg.substr(10);
  } else {
    return;
  }
  if (HasSecret(value)) return;
  why = what == "namespace" ? CheckNamespaceName(value) : CheckContextName(value);
  if (!why.empty()) {
    diags_->Error("invalid-k8s-name", text.loc,
                  "invalid " + what + " name " + Code(value) + ": " + why,
                  ValueOrigin(text, scope));
  }
}

void PlanBuilder::LowerTiming(const ast::StepDecl& decl, const Scope& scope, Step* step) {
  if (decl.timeout) Duration(*decl.timeout, scope, &step->timeout_ms);
  if (decl.retry) Count(*decl.retry, scope, 0, &step->retries);
  if (decl.backoff) Duration(*decl.backoff, scope, &step->backoff_ms);
}

bool PlanBuilder::LowerWait(const ast::WaitStmt& wait, const Scope& scope, WaitUntil* out) {
  bool ok = LowerGuard(wait.guard, scope, &out->guard);
  if (!wait.timeout) {
    diags_->Error(
        "wait-without-timeout", wait.loc, "`wait until` without a timeout",
        {"add `timeout D`, e.g. `timeout 10m`, so a stuck wait fails instead of hanging"});
    ok = false;
  } else {
    ok = Duration(*wait.timeout, scope, &out->timeout_ms) && ok;
  }
  out->every_ms = kDefaultPollInterval;
  if (wait.every) ok = Duration(*wait.every, scope, &out->every_ms) && ok;
  if (ok && wait.every && out->every_ms >= out->timeout_ms) {
    Millis tenth = std::max<Millis>(out->timeout_ms / 10, 1);
    if (tenth >= 1000) tenth -= tenth % 1000;
    std::vector<std::string> notes = ValueOrigin(*wait.every, scope);
    for (std::string& note : ValueOrigin(*wait.timeout, scope)) notes.push_back(std::move(note));
    notes.push_back("poll a few times within the timeout, e.g. `every " + FormatDuration(tenth) +
                    "`");
    diags_->Warning("every-exceeds-timeout", wait.every->loc,
                    "polled every " + Code(FormatDuration(out->every_ms)) + " but given up after " +
                        Code(FormatDuration(out->timeout_ms)) +
                        ": the guard is looked at once or twice, the last time at its deadline",
                    std::move(notes));
  }
  return ok;
}

bool PlanBuilder::Duration(const ast::Text& text, const Scope& scope, Millis* out) {
  std::string value;
  if (!InterpolateOne(text, scope, TextUse::kScalar, diags_, &value)) return false;
  Millis ms = 0;
  if (!ParseDuration(value, &ms)) {
    diags_->Error("invalid-duration", text.loc, "invalid duration " + Code(value),
                  {"write a number with units, largest first: `10s`, `5m`, `1h30m`, `500ms`"});
    return false;
  }
  if (ms <= 0) {
    diags_->Error("invalid-duration", text.loc,
                  "duration must be greater than zero, got " + Code(value));
    return false;
  }
  *out = ms;
  return true;
}

bool PlanBuilder::Count(const ast::Text& text, const Scope& scope, int min, int* out) {
  std::string value;
  if (!InterpolateOne(text, scope, TextUse::kScalar, diags_, &value)) return false;
  bool digits = !value.empty() && value.size() <= 6 &&
                value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(value) < min) {
    diags_->Error(
        "invalid-number", text.loc,
        "expected a whole number from " + std::to_string(min) + " to 999999, got " + Code(value));
    return false;
  }
  *out = std::stoi(value);
  return true;
}

}  // namespace asmplan
