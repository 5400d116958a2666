// Number search.
#include "scenarios/shrink/search.h"

#include "sim/assert.h"

namespace scenarios::shrink {

NumberSearch smallest_failing(int64_t low, int64_t high, const std::function<bool(int64_t)>& fails) {
  SIM_ASSERT_LE(low, high);
  NumberSearch found{high, std::nullopt};
  if (low == high) return found;
  if (fails(low)) return NumberSearch{low, std::nullopt};
  int64_t passing = low;
  for (int step = 0; step < kSearchSteps && found.value - passing > 1; ++step) {
    const int64_t middle = passing + (found.value - passing) / 2;
    if (fails(middle)) {
      found.value = middle;
    } else {
      passing = middle;
    }
  }
  found.passes_at = passing;
  return found;
}

}  // namespace scenarios::shrink
