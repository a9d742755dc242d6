// Read-only access into JSON objects without copies or exceptions: hot paths (tables over
// 20,000 pods, controller passes) must not copy sub-objects the way json::value() does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace asmplan::sandbox {

/// `object[key]`, or a shared null when `object` is not an object or has no such member.
/// Iterating the null visits nothing; size() is 0.
inline const nlohmann::json& Member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

/// `object[k1][k2]...`, with Member's rules at every step.
template <typename... Keys>
const nlohmann::json& Member(const nlohmann::json& object, const char* key, Keys... rest) {
  return Member(Member(object, key), rest...);
}

/// The string at `object[key]`, or `fallback` when absent or not a string.
inline std::string StringMember(const nlohmann::json& object, const char* key,
                                const std::string& fallback = "") {
  const nlohmann::json& v = Member(object, key);
  return v.is_string() ? v.get<std::string>() : fallback;
}

}  // namespace asmplan::sandbox
