// Searching a number down: the smallest value that still fails, within a few runs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

namespace scenarios::shrink {

struct NumberSearch {
  int64_t value = 0;                 // the smallest value found to fail (high when none lower did)
  std::optional<int64_t> passes_at;  // the largest value tried below it that did not fail
};

// Bisection steps a search takes at most after trying `low`: a value within 1/64 of the
// range of the smallest failing one is near enough, and each step is a run.
inline constexpr int kSearchSteps = 6;

// `fails(high)` is known to hold. Tries `low`, then bisects between the highest value
// known not to fail and the lowest known to fail. Failure need not be monotone in the
// value: the result is a value that failed, not necessarily the smallest one that would.
NumberSearch smallest_failing(int64_t low, int64_t high, const std::function<bool(int64_t)>& fails);

}  // namespace scenarios::shrink
