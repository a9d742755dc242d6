#include "compiler/duration_text.h"

#include <cstdint>
#include <limits>

namespace asmplan {
namespace {

struct Unit {
  const char* suffix;
  Millis ms;
};
// Longest suffix first where one is a prefix of another ("ms" before "m").
const Unit kUnits[] = {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};
constexpr int kUnitCount = 5;

// Index of the unit at text[i], or -1. `ms` wins over `m`.
int MatchUnit(std::string_view text, size_t i, size_t* len) {
  if (text.substr(i, 2) == "ms") {
    *len = 2;
    return 4;
  }
  for (int u = 0; u < kUnitCount - 1; ++u) {
    if (i < text.size() && text[i] == kUnits[u].suffix[0]) {
      *len = 1;
      return u;
    }
  }
  return -1;
}

}  // namespace

std::string FormatDuration(Millis ms) {
  if (ms == 0) return "0s";
  std::string out;
  // Work on the magnitude as unsigned so the most negative value is handled too.
  std::uint64_t rest = ms < 0 ? 0 - static_cast<std::uint64_t>(ms) : static_cast<std::uint64_t>(ms);
  if (ms < 0) out += '-';
  // Days are not written: "36h" reads more plainly in a plan than "1d12h".
  for (int u = 1; u < kUnitCount; ++u) {
    const auto unit = static_cast<std::uint64_t>(kUnits[u].ms);
    if (rest >= unit) {
      out += std::to_string(rest / unit);
      out += kUnits[u].suffix;
      rest %= unit;
    }
  }
  return out;
}

bool ParseDuration(std::string_view text, Millis* ms) {
  bool negative = !text.empty() && text[0] == '-';
  size_t i = negative ? 1 : 0;
  if (i >= text.size()) return false;
  Millis total = 0;
  int last_unit = -1;
  while (i < text.size()) {
    Millis number = 0;
    const size_t start = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (number > (std::numeric_limits<Millis>::max() - 9) / 10) return false;
      number = number * 10 + (text[i] - '0');
    }
    size_t len = 0;
    const int unit = i > start ? MatchUnit(text, i, &len) : -1;
    if (unit <= last_unit) return false;
    last_unit = unit;
    i += len;
    if (number > (std::numeric_limits<Millis>::max() - total) / kUnits[unit].ms) return false;
    total += number * kUnits[unit].ms;
  }
  *ms = negative ? -total : total;
  return true;
}

}  // namespace asmplan
