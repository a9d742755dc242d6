// Values of parameters marked secret: read from the environment at run time, substituted for
// `${NAME}` in argv and guards, and redacted from everything asmplan writes (logs, events,
// journal, messages).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/plan_model.h"

namespace asmplan {

class Secrets {
 public:
  /// Reads ASMPLAN_SECRET_<UPPER_NAME> through `getenv` for every secret parameter of `plan`.
  /// False with "secret parameter `token` has no value: set ASMPLAN_SECRET_TOKEN" when one is
  /// missing or empty.
  bool Load(const Plan& plan, const std::function<const char*(const char*)>& getenv,
            std::string* err);
  /// Adds one secret directly (tests).
  void Add(const std::string& name, const std::string& value);

  bool empty() const { return values_.empty(); }
  /// The length of the longest text Redact() replaces (0 without secrets).
  size_t longest() const { return forms_.empty() ? 0 : forms_.front().size(); }
  /// The names of the secrets whose value is shorter than `chars` bytes: redacting one of those
  /// also hides ordinary text that happens to hold it.
  std::vector<std::string> ShorterThan(size_t chars) const;
  /// `text` with every `${NAME}` of a secret replaced by its value.
  std::string Substitute(const std::string& text) const;
  /// `text` with every secret value replaced by `***`: as it is, and as asmplan writes it
  /// shell-quoted (ArgvText), JSON-quoted (guards) or escaped for a terminal.
  std::string Redact(const std::string& text) const;
  /// A copy of `guard` with secrets substituted in its strings.
  Guard Substitute(const Guard& guard) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;  ///< ("${NAME}", value)
  std::vector<std::string> forms_;  ///< every value in every form Redact() replaces, longest first
};

}  // namespace asmplan
