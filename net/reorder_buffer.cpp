// The receiver's out-of-order segments.
#include "net/reorder_buffer.h"

#include "sim/assert.h"

namespace net {

void ReorderBuffer::insert(uint64_t start, sim::Bytes data) {
  SIM_ASSERT(!segments_.contains(start));
  if (!data.empty()) ranges_.insert(start, start + data.size());
  segments_.insert(start, std::move(data));
}

std::optional<std::pair<uint64_t, sim::Bytes>> ReorderBuffer::take_first_at_or_below(uint64_t seq) {
  if (segments_.empty()) return std::nullopt;
  const uint64_t start = segments_.front().first;
  if (start > seq) return std::nullopt;
  return std::pair{start, segments_.take(start).value()};
}

void ReorderBuffer::clear() {
  segments_.clear();
  ranges_.clear();
}

SackList ReorderBuffer::sack_blocks() const {
  SackList blocks;
  const auto newest = ranges_.range_holding(newest_);
  if (newest) blocks.push_back(*newest);
  for (auto it = ranges_.ranges().rbegin(); it != ranges_.ranges().rend() && !blocks.full(); ++it) {
    if (!(newest && *it == *newest)) blocks.push_back(*it);
  }
  return blocks;
}

}  // namespace net
