#include "sandbox/selectors.h"

#include <algorithm>

namespace asmplan::sandbox {

using nlohmann::json;

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Splits on commas that are not inside parentheses.
std::vector<std::string> SplitTerms(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

std::vector<std::string> SplitValues(const std::string& list) {
  std::vector<std::string> values;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string v = Trim(list.substr(start, comma - start));
    if (!v.empty()) values.push_back(v);
    start = comma + 1;
  }
  return values;
}

bool ParseSetTerm(const std::string& term, const std::string& op, size_t at, SelectorTerm* out) {
  size_t open = term.find('(', at);
  size_t close = term.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  out->key = Trim(term.substr(0, at));
  out->op = op;
  out->values = SplitValues(term.substr(open + 1, close - open - 1));
  return !out->key.empty();
}

bool ParseTerm(const std::string& raw, bool allow_sets, SelectorTerm* out) {
  std::string term = Trim(raw);
  if (term.empty()) return false;
  if (allow_sets) {
    size_t at = term.find(" notin ");
    if (at != std::string::npos) return ParseSetTerm(term, "notin", at, out);
    at = term.find(" in ");
    if (at != std::string::npos) return ParseSetTerm(term, "in", at, out);
  }
  for (const char* op : {"!=", "==", "="}) {
    size_t at = term.find(op);
    if (at == std::string::npos) continue;
    out->key = Trim(term.substr(0, at));
    out->op = std::string(op) == "!=" ? "!=" : "=";
    out->values = {Trim(term.substr(at + std::string(op).size()))};
    return !out->key.empty();
  }
  if (!allow_sets) return false;
  if (term[0] == '!') {
    out->key = Trim(term.substr(1));
    out->op = "!";
  } else {
    out->key = term;
    out->op = "exists";
  }
  return !out->key.empty();
}

bool Parse(const std::string& text, bool labels, std::vector<SelectorTerm>* terms,
           std::string* err) {
  if (Trim(text).empty()) return true;
  for (const std::string& part : SplitTerms(text)) {
    SelectorTerm term;
    if (!ParseTerm(part, labels, &term)) {
      *err = std::string("unable to parse requirement \"") + part + "\" in " +
             (labels ? "label" : "field") + " selector";
      return false;
    }
    terms->push_back(std::move(term));
  }
  return true;
}

// Field values as kubectl selects them: dotted paths into the object, scalars as text.
bool FieldValue(const json& object, const std::string& path, std::string* value) {
  const json* node = &object;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    if (dot == std::string::npos) dot = path.size();
    std::string part = path.substr(start, dot - start);
    if (!node->is_object()) return false;
    auto it = node->find(part);
    if (it == node->end()) return false;
    node = &*it;
    start = dot + 1;
  }
  if (node->is_string()) {
    *value = node->get<std::string>();
  } else if (node->is_null()) {
    return false;
  } else {
    *value = node->dump();
  }
  return true;
}

}  // namespace

bool Selector::ParseLabels(const std::string& text, Selector* out, std::string* err) {
  return Parse(text, true, &out->terms_, err);
}

bool Selector::ParseFields(const std::string& text, Selector* out, std::string* err) {
  return Parse(text, false, &out->terms_, err);
}

bool Selector::Matches(const std::string* value, const SelectorTerm& term) const {
  auto in_values = [&] {
    return value && std::find(term.values.begin(), term.values.end(), *value) != term.values.end();
  };
  if (term.op == "exists") return value != nullptr;
  if (term.op == "!") return value == nullptr;
  if (term.op == "=" || term.op == "in") return in_values();
  return !in_values();  // "!=" and "notin" also match when the key is absent
}

bool Selector::MatchesLabels(const json& object) const {
  static const json kEmpty = json::object();
  const json* labels = &kEmpty;
  auto meta = object.find("metadata");
  if (meta != object.end()) {
    auto it = meta->find("labels");
    if (it != meta->end() && it->is_object()) labels = &*it;
  }
  for (const SelectorTerm& term : terms_) {
    auto it = labels->find(term.key);
    std::string value;
    if (it != labels->end()) value = it->is_string() ? it->get<std::string>() : it->dump();
    if (!Matches(it != labels->end() ? &value : nullptr, term)) return false;
  }
  return true;
}

bool Selector::MatchesFields(const json& object) const {
  for (const SelectorTerm& term : terms_) {
    std::string value;
    bool found = FieldValue(object, term.key, &value);
    // An absent field compares as the empty string, as the API server's field sets do.
    if (!found) value.clear();
    if (!Matches(&value, term)) return false;
  }
  return true;
}

std::string Selector::EqualityValue(const std::string& key) const {
  for (const SelectorTerm& term : terms_) {
    if (term.key == key && term.op == "=" && term.values.size() == 1) return term.values[0];
  }
  return "";
}

}  // namespace asmplan::sandbox
