// Delta debugging (Zeller and Hildebrandt's ddmin): the smallest subset of items, found by
// trying subsets and complements at growing granularity, that still makes a test fail.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace scenarios::shrink {

// `still_fails(kept)` says whether the run with only the items `kept` (sorted indices in
// [0, count)) still fails the same way; the full set is known to. Returns the items kept:
// removing any one chunk of the last granularity tried makes the run pass. The empty set is
// tried first.
std::vector<size_t> ddmin(size_t count, const std::function<bool(const std::vector<size_t>&)>& still_fails);

}  // namespace scenarios::shrink
