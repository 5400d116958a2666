// ddmin.
#include "scenarios/shrink/ddmin.h"

#include "sim/assert.h"

#include <algorithm>
#include <numeric>

namespace scenarios::shrink {
namespace {

// `items` cut into `parts` chunks of near-equal size, in order.
std::vector<std::vector<size_t>> chunks_of(const std::vector<size_t>& items, size_t parts) {
  SIM_ASSERT(parts >= 1 && parts <= items.size());
  std::vector<std::vector<size_t>> chunks;
  for (size_t p = 0; p < parts; ++p) {
    const size_t from = p * items.size() / parts;
    const size_t to = (p + 1) * items.size() / parts;
    chunks.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(from),
                        items.begin() + static_cast<std::ptrdiff_t>(to));
  }
  return chunks;
}

std::vector<size_t> minus(const std::vector<size_t>& items, const std::vector<size_t>& removed) {
  std::vector<size_t> rest;
  std::set_difference(items.begin(), items.end(), removed.begin(), removed.end(), std::back_inserter(rest));
  return rest;
}

}  // namespace

std::vector<size_t> ddmin(size_t count, const std::function<bool(const std::vector<size_t>&)>& still_fails) {
  std::vector<size_t> items(count);
  std::iota(items.begin(), items.end(), size_t{0});
  if (items.empty() || still_fails({})) return {};
  size_t granularity = 2;
  while (items.size() >= 2) {
    granularity = std::min(granularity, items.size());
    const std::vector<std::vector<size_t>> chunks = chunks_of(items, granularity);
    bool reduced = false;
    // Complements first, from the last chunk back: they keep the run's early part, so a
    // candidate starts from a checkpoint late in the reference run.
    for (size_t c = chunks.size(); c-- > 0 && !reduced;) {
      std::vector<size_t> rest = minus(items, chunks[c]);
      if (still_fails(rest)) {
        items = std::move(rest);
        granularity = std::max<size_t>(granularity - 1, 2);
        reduced = true;
      }
    }
    // A chunk alone (with two chunks, each is the other's complement: tried already).
    for (size_t c = 0; c < chunks.size() && !reduced && granularity > 2; ++c) {
      if (still_fails(chunks[c])) {
        items = chunks[c];
        granularity = 2;
        reduced = true;
      }
    }
    if (reduced) continue;
    if (granularity >= items.size()) break;
    granularity = std::min(items.size(), granularity * 2);
  }
  return items;
}

}  // namespace scenarios::shrink
