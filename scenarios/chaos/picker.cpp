// Drawing batches: one random draw per expression, each into a named local.
#include "scenarios/chaos/picker.h"

namespace scenarios::chaos {

std::vector<EventKind> EventPicker::draw_batch() {
  const uint64_t count = 1 + rng_.below(max_);
  std::vector<EventKind> winners;
  for (uint64_t i = 0; i < count; ++i) {
    const auto kind = static_cast<EventKind>(rng_.below(kEventKinds));
    const bool kept = rng_.chance(probability_[static_cast<size_t>(kind)]);
    if (kept) winners.push_back(kind);
  }
  return winners;
}

}  // namespace scenarios::chaos
