#include "compiler/did_you_mean.h"

#include <algorithm>

namespace asmplan {
namespace {

// Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`.
size_t EditDistance(const std::string& a, const std::string& b, size_t limit) {
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0], best = ++row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

}  // namespace

std::string ClosestMatch(const std::string& wrong, const std::vector<std::string>& candidates) {
  size_t limit = std::min<size_t>(3, std::max<size_t>(1, wrong.size() / 3));
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(wrong, c, limit);
    if (d < best_distance && c != wrong) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::vector<std::string> DidYouMean(const std::string& wrong,
                                    const std::vector<std::string>& candidates) {
  std::string match = ClosestMatch(wrong, candidates);
  if (match.empty()) return {};
  return {"did you mean `" + match + "`?"};
}

}  // namespace asmplan
