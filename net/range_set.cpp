// Merged byte ranges.
#include "net/range_set.h"

#include "sim/assert.h"

#include <algorithm>

namespace net {

std::vector<SackBlock>::const_iterator RangeSet::first_reaching(uint64_t seq) const {
  return std::lower_bound(ranges_.begin(), ranges_.end(), seq,
                          [](const SackBlock& range, uint64_t at) { return range.end < at; });
}

bool RangeSet::insert(uint64_t start, uint64_t end) {
  SIM_ASSERT_LT(start, end);
  // The ranges that overlap or touch [start, end) merge into one.
  const auto first = first_reaching(start);
  auto last = first;
  uint64_t merged = 0;
  while (last != ranges_.end() && last->start <= end) {
    start = std::min(start, last->start);
    end = std::max(end, last->end);
    merged += last->end - last->start;
    ++last;
  }
  if (first == last) {
    if (ranges_.size() >= kMaxRanges) return false;
    ranges_.insert(first, SackBlock{start, end});
  } else {
    const auto kept = ranges_.erase(std::next(first), last) - 1;
    *kept = SackBlock{start, end};
  }
  held_ = held_ - merged + (end - start);
  SIM_ASSERT_LE(ranges_.size(), kMaxRanges);
  return true;
}

void RangeSet::trim(uint64_t seq) {
  const auto first_kept = first_reaching(seq + 1);  // ranges ending at or below seq go
  for (auto it = ranges_.cbegin(); it != first_kept; ++it) held_ -= it->end - it->start;
  ranges_.erase(ranges_.cbegin(), first_kept);
  if (!ranges_.empty() && ranges_.front().start < seq) {
    held_ -= seq - ranges_.front().start;
    ranges_.front().start = seq;
  }
}

std::optional<SackBlock> RangeSet::range_holding(uint64_t seq) const {
  const auto it = first_reaching(seq + 1);
  if (it != ranges_.end() && it->start <= seq) return *it;
  return std::nullopt;
}

uint64_t RangeSet::held_above(uint64_t seq) const {
  uint64_t held = 0;
  for (auto it = ranges_.rbegin(); it != ranges_.rend() && it->end > seq; ++it) {
    held += it->end - std::max(it->start, seq);
  }
  return held;
}

}  // namespace net
