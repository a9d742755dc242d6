#include "compiler/kube_names.h"

#include <cstdio>

#include "compiler/quoted_string.h"

namespace asmplan {
namespace {

bool LowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

std::string CheckLabel(const std::string& name, size_t max) {
  if (name.empty()) return "it is empty";
  if (name.size() > max) return "it is longer than " + std::to_string(max) + " characters";
  for (char c : name) {
    if (!LowerAlnum(c) && c != '-') {
      return "it may only hold lower-case letters, digits and `-`";
    }
  }
  if (name.front() == '-' || name.back() == '-')
    return "it must start and end with a letter or digit";
  return "";
}

}  // namespace

std::string CheckNamespaceName(const std::string& name) { return CheckLabel(name, 63); }

std::string CheckDeploymentName(const std::string& name) {
  if (name.size() > 253) return "it is longer than 253 characters";
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    if (dot == start || start == name.size()) return "it has an empty dot-separated part";
    std::string why = CheckLabel(name.substr(start, dot - start), 63);
    if (!why.empty()) return why;
    if (dot == std::string::npos) return "";
    start = dot + 1;
  }
}

std::string CheckRbacName(const std::string& name) {
  if (name.empty()) return "it is empty";
  if (name == "." || name == "..") return "it may not be `.` or `..`";
  if (name.find_first_of("/%") != std::string::npos) return "it may not hold `/` or `%`";
  return "";
}

std::string CheckContextName(const std::string& name) {
  if (name.empty()) return "it is empty";
  if (name.size() > 253) return "it is longer than 253 bytes";
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return "it may not hold whitespace or control characters";
    }
  }
  if (std::uint32_t cp = FirstInvisible(name)) {
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
    return std::string("it holds the invisible character ") + code +
           " (a Unicode space, zero-width or bidirectional control)";
  }
  return "";
}

}  // namespace asmplan
