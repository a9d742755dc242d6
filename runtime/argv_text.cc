#include "runtime/argv_text.h"

#include <cctype>
#include <cstring>

namespace asmplan {
namespace {

bool NeedsQuotes(const std::string& arg) {
  if (arg.empty()) return true;
  for (char c : arg) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("_@%+=:,./-", c)) return true;
  }
  return false;
}

std::string Quote(const std::string& arg) {
  if (!NeedsQuotes(arg)) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string ArgvText(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + Quote(a);
  return out;
}

}  // namespace asmplan
