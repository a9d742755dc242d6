// "did you mean" suggestions. Only computed once an error is certain, never on the happy path.
#pragma once

#include <string>
#include <vector>

namespace asmplan {

/// The candidate closest to `wrong` by edit distance, if close enough to be a likely typo
/// (distance at most a third of the length, at least 1, at most 3); "" otherwise. Ties go to the
/// earliest candidate.
std::string ClosestMatch(const std::string& wrong, const std::vector<std::string>& candidates);

/// {"did you mean `x`?"} or {} when there is no close candidate.
std::vector<std::string> DidYouMean(const std::string& wrong,
                                    const std::vector<std::string>& candidates);

}  // namespace asmplan
