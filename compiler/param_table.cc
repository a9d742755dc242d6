#include "compiler/param_table.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>

#include "compiler/did_you_mean.h"
#include "compiler/duration_text.h"
#include "compiler/interpolator.h"

namespace asmplan {
namespace {

RawValue FromAst(const ast::Value& v) {
  RawValue raw;
  raw.is_list = v.is_list;
  raw.quoted = v.scalar.quoted;
  raw.scalar = v.scalar.value;
  for (const ast::Text& t : v.items) raw.items.push_back(t.value);
  return raw;
}

bool HasInterpolation(const RawValue& raw) {
  if (raw.scalar.find("${") != std::string::npos) return true;
  for (const std::string& item : raw.items) {
    if (item.find("${") != std::string::npos) return true;
  }
  return false;
}

bool ParseInt(const std::string& s, std::string* canonical) {
  size_t i = s.size() > 1 && s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.size() - i > 15) return false;
  for (size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  *canonical = std::to_string(std::stoll(s));
  return true;
}

std::string Describe(const RawValue& raw) {
  return raw.is_list ? "a list" : raw.quoted ? "the string " + Code(raw.scalar) : Code(raw.scalar);
}

// Reads a YAML scalar or sequence of scalars; false for maps, nulls, nested sequences.
bool FromYaml(const YAML::Node& node, RawValue* raw) {
  if (node.IsScalar()) {
    raw->scalar = node.Scalar();
    return true;
  }
  if (!node.IsSequence()) return false;
  raw->is_list = true;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return false;
    raw->items.push_back(item.Scalar());
  }
  return true;
}

// A --set value: lists are `a,b,c` or a YAML flow sequence `[a, b]`.
bool FromSetValue(const std::string& type, const std::string& text, RawValue* raw) {
  if (type != "list<string>") {
    raw->scalar = text;
    return true;
  }
  raw->is_list = true;
  if (!text.empty() && text[0] == '[') {
    try {
      return FromYaml(YAML::Load(text), raw) && raw->is_list;
    } catch (const std::exception&) {
      return false;
    }
  }
  size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    raw->items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return true;
}

}  // namespace

bool ConvertValue(const std::string& type, const RawValue& raw, std::string* scalar,
                  std::vector<std::string>* list, std::string* diag_name, std::string* message) {
  // A NUL would cut a command's argument short: the reviewed command would not be the one run.
  bool nul = raw.scalar.find('\0') != std::string::npos;
  for (const std::string& item : raw.items) nul = nul || item.find('\0') != std::string::npos;
  if (nul) {
    *diag_name = "invalid-value";
    *message = "a value cannot contain a NUL character (\\u0000)";
    return false;
  }
  *diag_name = "type-mismatch";
  if (type == "list<string>") {
    if (!raw.is_list) *message = "expected a list like `[\"a\", \"b\"]`, got " + Describe(raw);
    *list = raw.items;
    return raw.is_list;
  }
  if (raw.is_list) {
    *message = "expected " + std::string(type == "int" ? "an " : "a ") + type + ", got a list";
    return false;
  }
  if (type == "string") {
    *scalar = raw.scalar;
    return true;
  }
  if (type == "int" && (raw.quoted || !ParseInt(raw.scalar, scalar))) {
    *message = "expected an integer, got " + Describe(raw);
    return false;
  }
  if (type == "bool") {
    *scalar = raw.scalar;
    if (!raw.quoted && (raw.scalar == "true" || raw.scalar == "false")) return true;
    *message = "expected `true` or `false`, got " + Describe(raw);
    return false;
  }
  if (type == "duration") {
    Millis ms = 0;
    bool parsed = ParseDuration(raw.scalar, &ms);
    if (!parsed || ms <= 0) {
      *diag_name = "invalid-duration";
      *message = std::string(!parsed   ? "invalid"
                             : ms == 0 ? "zero"
                                       : "negative") +
                 " duration " + Code(raw.scalar);
      return false;
    }
    *scalar = FormatDuration(ms);
  }
  return true;
}

void ParamTable::Declare(const ast::PlanDecl& plan, const std::string& plan_path,
                         Diagnostics* diags) {
  for (const ast::ParamDecl& decl : plan.params) {
    if (index_.count(decl.name.value)) {
      const ResolvedParam& first = params_[index_[decl.name.value]];
      diags->Error("duplicate-param", decl.loc,
                   "parameter " + Code(decl.name.value) + " declared twice",
                   {"first declared at line " + std::to_string(first.decl->loc.line)});
      continue;
    }
    if (!IsIdentifier(decl.name.value)) {
      diags->Error("invalid-param-name", decl.name.loc,
                   "parameter name " + Code(decl.name.value) + " cannot be used as `${" +
                       decl.name.value +
                       "}`: use letters, digits and `_`, not starting with a "
                       "digit");
    }
    ResolvedParam p;
    p.decl = &decl;
    p.name = decl.name.value;
    p.type = decl.type;
    p.secret = decl.secret;
    if (decl.secret) {
      // Two secrets whose names differ only in case would read one environment variable.
      for (const ResolvedParam& other : params_) {
        if (!other.secret ||
            SecretEnvironmentVariable(other.name) != SecretEnvironmentVariable(p.name))
          continue;
        diags->Error("secret-variable-clash", decl.loc,
                     "secret parameters " + Code(other.name) + " and " + Code(p.name) +
                         " would both read " + Code(SecretEnvironmentVariable(p.name)),
                     {"rename one of them"});
      }
    }
    if (decl.secret && decl.type != "string") {
      diags->Error("type-mismatch", decl.loc,
                   "secret parameter " + Code(p.name) + " must be a string");
    }
    index_[p.name] = params_.size();
    params_.push_back(p);
    if (!decl.default_value) continue;
    if (decl.secret) {
      // The line holds the value this error keeps out of the plan: no diagnostic quotes it.
      diags->HideLine(decl.default_value->loc);
      diags->Error(
          "secret-in-source", decl.default_value->loc,
          "secret parameter " + Code(p.name) + " cannot have a default",
          {"its value comes at run time from `" + SecretEnvironmentVariable(p.name) + "`"});
      continue;
    }
    Assign(&params_.back(), FromAst(*decl.default_value), "default", plan_path,
           decl.default_value->loc, "", diags);
  }
}

ResolvedParam* ParamTable::FindForBinding(const std::string& name, const ast::Loc& loc,
                                          const std::string& origin, Diagnostics* diags) {
  ResolvedParam* p = Find(name);
  Diagnostic d{Severity::kError, "", "", loc, origin, {}};
  if (!p) {
    d.name = "unknown-param";
    d.message = "unknown parameter " + Code(name);
    d.notes = DidYouMean(name, Names());
  } else if (p->secret) {
    d.name = "secret-in-source";
    d.message = "secret parameter " + Code(name) + " cannot be bound here";
    d.notes = {"its value comes at run time from `" + SecretEnvironmentVariable(name) + "`"};
    diags->HideLine(loc);  // the line holds the value: no diagnostic quotes it
  } else {
    return p;
  }
  diags->Add(std::move(d));
  return nullptr;
}

bool ParamTable::Assign(ResolvedParam* p, const RawValue& raw, const std::string& source,
                        const std::string& origin_file, const ast::Loc& loc,
                        const std::string& origin, Diagnostics* diags) {
  std::string name, message;
  if (HasInterpolation(raw)) {
    diags->Add({Severity::kError,
                "invalid-interpolation",
                "a parameter value cannot refer to parameters",
                loc,
                origin,
                {}});
    p->bound = true;
    p->broken = true;
    return false;
  }
  if (!ConvertValue(p->type, raw, &p->scalar, &p->list, &name, &message)) {
    diags->Add({Severity::kError,
                name,
                Code(p->name) + ": " + message,
                loc,
                origin,
                {"`" + p->name + "` is declared as `" + p->type + "`"}});
    p->bound = true;  // reported once: not `missing-param` as well
    p->broken = true;
    return false;
  }
  p->bound = true;
  p->broken = false;
  p->source = source;
  p->origin_file = origin_file;
  return true;
}

void ParamTable::Bind(const ast::Use& use, const std::string& env_path, Diagnostics* diags) {
  std::unordered_map<std::string, int> seen;
  for (const ast::Binding& b : use.bindings) {
    if (!seen.emplace(b.name.value, b.name.loc.line).second) {
      const ResolvedParam* bound = Find(b.name.value);
      if (bound && bound->secret) diags->HideLine(b.name.loc);  // it holds a secret's value
      diags->Error("duplicate-binding", b.name.loc, Code(b.name.value) + " bound twice",
                   {"first bound at line " + std::to_string(seen[b.name.value])});
      continue;
    }
    ResolvedParam* p = FindForBinding(b.name.value, b.name.loc, "", diags);
    if (p) {
      Assign(p, FromAst(b.value), env_path + ":" + std::to_string(b.name.loc.line), env_path,
             b.value.loc, "", diags);
    }
  }
}

void ParamTable::BindValuesFile(int file, Diagnostics* diags) {
  const SourceFile& src = diags->files()[file];
  YAML::Node root;
  try {
    root = YAML::Load(src.text);
  } catch (const YAML::Exception& e) {
    diags->Error("invalid-values", {file, e.mark.line + 1, e.mark.column + 1, 1},
                 "values file is not valid YAML: " + e.msg);
    return;
  }
  if (!root.IsMap()) {
    if (!root.IsNull())
      diags->Error("invalid-values", {file, 1, 1, 1},
                   "values file must be a YAML mapping of parameter names to values");
    return;
  }
  std::map<std::string, int> seen;  // name -> line: YAML would let the last one win silently
  for (const auto& kv : root) {
    YAML::Mark mark = kv.first.Mark();
    ast::Loc loc{file, mark.line + 1, mark.column + 1, static_cast<int>(kv.first.Scalar().size())};
    auto [first, fresh] = seen.emplace(kv.first.Scalar(), loc.line);
    if (!fresh) {
      const ResolvedParam* bound = Find(kv.first.Scalar());
      if (bound && bound->secret) diags->HideLine(loc);  // it holds a secret's value
      diags->Error("duplicate-binding", loc, Code(kv.first.Scalar()) + " bound twice",
                   {"first bound at line " + std::to_string(first->second)});
      continue;
    }
    ResolvedParam* p = FindForBinding(kv.first.Scalar(), loc, "", diags);
    if (!p) continue;
    RawValue raw;
    if (!FromYaml(kv.second, &raw)) {
      diags->Error("type-mismatch", loc,
                   Code(p->name) + ": expected a scalar or a list of scalars");
      continue;
    }
    Assign(p, raw, src.path + ":" + std::to_string(loc.line), src.path, loc, "", diags);
  }
}

void ParamTable::BindSet(const std::string& assignment, Diagnostics* diags) {
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    diags->ErrorAt("--set", "invalid-set", "expected `NAME=VALUE`, got " + Code(assignment));
    return;
  }
  std::string name = assignment.substr(0, eq);
  // As in an environment or values file, one binding each: a later one silently winning would
  // hide a mistake in a script that builds the command line.
  if (!set_names_.insert(name).second) {
    diags->ErrorAt("--set " + name, "duplicate-binding", Code(name) + " bound twice by --set");
    return;
  }
  ResolvedParam* p = FindForBinding(name, ast::Loc{}, "--set " + name, diags);
  if (!p) return;
  RawValue raw;
  if (!FromSetValue(p->type, assignment.substr(eq + 1), &raw)) {
    diags->ErrorAt("--set " + name, "type-mismatch", "expected a list like `a,b` or `[a, b]`");
    return;
  }
  // Paths given on the command line are relative to the working directory.
  Assign(p, raw, "--set", "--set", ast::Loc{}, "--set " + name, diags);
}

void ParamTable::CheckMissing(const ast::Loc& where, Diagnostics* diags) {
  for (ResolvedParam& p : params_) {
    if (p.bound || p.secret) continue;
    p.broken = true;
    ast::Loc at = where.file >= 0 ? where : p.decl->loc;
    diags->Error("missing-param", at, "parameter " + Code(p.name) + " has no value",
                 {"declared at " + diags->files()[p.decl->loc.file].path + ":" +
                  std::to_string(p.decl->loc.line) +
                  "; bind it in a `use` block, "
                  "with `--values FILE` or with `--set " +
                  p.name + "=VALUE`"});
  }
}

void ParamTable::WarnUnused(Diagnostics* diags) const {
  for (const ResolvedParam& p : params_) {
    if (!p.used)
      diags->Warning("unused-param", p.decl->loc, "parameter " + Code(p.name) + " is never used");
  }
}

ResolvedParam* ParamTable::Find(const std::string& name) {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &params_[it->second];
}

std::vector<std::string> ParamTable::Names() const {
  std::vector<std::string> names;
  for (const ResolvedParam& p : params_) names.push_back(p.name);
  return names;
}

std::vector<ParamValue> ParamTable::ToModel() const {
  std::vector<ParamValue> out;
  for (const ResolvedParam& p : params_) {
    ParamValue v{p.name, p.type, "", p.secret ? SecretEnvironmentVariable(p.name) : p.source,
                 p.secret};
    auto dump = [](const nlohmann::json& j) {
      return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    if (p.secret) {
      v.value = "";
    } else if (p.type == "list<string>") {
      v.value = dump(nlohmann::json(p.list));
    } else if (p.type == "int" || p.type == "bool") {
      v.value = p.scalar;
    } else {
      v.value = dump(nlohmann::json(p.scalar));
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace asmplan
