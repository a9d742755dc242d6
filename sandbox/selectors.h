// Kubernetes label and field selectors, as list and watch requests carry them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace asmplan::sandbox {

/// One requirement: `key op values`. Ops: "=", "!=", "in", "notin", "exists", "!".
struct SelectorTerm {
  std::string key;
  std::string op;
  std::vector<std::string> values;
};

/// A parsed selector; empty matches everything.
class Selector {
 public:
  /// Parses a labelSelector (`a=b,c!=d,e in (x,y),f,!g`). False with a message on bad syntax.
  static bool ParseLabels(const std::string& text, Selector* out, std::string* err);
  /// Parses a fieldSelector (`metadata.name=x,status.phase!=Running`).
  static bool ParseFields(const std::string& text, Selector* out, std::string* err);

  /// True when the object's labels satisfy every term.
  bool MatchesLabels(const nlohmann::json& object) const;
  /// True when the object's fields (dotted paths) satisfy every term.
  bool MatchesFields(const nlohmann::json& object) const;
  bool empty() const { return terms_.empty(); }
  /// The value required by `key=value`, if the selector has such a term (for fast lookups).
  std::string EqualityValue(const std::string& key) const;

 private:
  bool Matches(const std::string* value, const SelectorTerm& term) const;
  std::vector<SelectorTerm> terms_;
};

}  // namespace asmplan::sandbox
