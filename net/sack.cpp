// Selective acknowledgements.
#include "net/sack.h"

#include "sim/assert.h"

#include <algorithm>

namespace net {

std::vector<SackBlock> receiver_sack_blocks(const sim::DigestMap<uint64_t, sim::Bytes>& out_of_order, uint64_t newest) {
  std::vector<SackBlock> ranges;
  out_of_order.for_each([&](uint64_t start, const sim::Bytes& data) {
    const uint64_t end = start + data.size();
    if (!ranges.empty() && start <= ranges.back().end) {
      ranges.back().end = std::max(ranges.back().end, end);
    } else {
      ranges.push_back(SackBlock{start, end});
    }
  });
  std::vector<SackBlock> blocks;
  auto holds_newest = [&](const SackBlock& b) { return b.start <= newest && newest < b.end; };
  auto first = std::find_if(ranges.begin(), ranges.end(), holds_newest);
  if (first != ranges.end()) blocks.push_back(*first);
  for (auto it = ranges.rbegin(); it != ranges.rend() && blocks.size() < kMaxSackBlocks; ++it) {
    if (!holds_newest(*it)) blocks.push_back(*it);
  }
  return blocks;
}

uint64_t SackScoreboard::add(const std::vector<SackBlock>& blocks, uint64_t snd_una, uint64_t snd_max) {
  const uint64_t before = held_above(snd_una);
  for (const SackBlock& block : blocks) {
    if (block.start >= block.end || block.end > snd_max || block.end <= snd_una) continue;
    if (!insert(std::max(block.start, snd_una), block.end)) break;
  }
  SIM_ASSERT_LE(ranges_.size(), kMaxRanges);
  return held_above(snd_una) - before;
}

bool SackScoreboard::insert(uint64_t start, uint64_t end) {
  // The ranges that overlap or touch [start, end) merge into one.
  auto first = ranges_.upper_bound(start);
  if (first != ranges_.begin() && std::prev(first)->second >= start) --first;
  auto last = first;
  while (last != ranges_.end() && last->first <= end) {
    start = std::min(start, last->first);
    end = std::max(end, last->second);
    ++last;
  }
  if (first == last && ranges_.size() >= kMaxRanges) return false;
  ranges_.erase(first, last);
  ranges_.emplace(start, end);
  return true;
}

void SackScoreboard::trim(uint64_t snd_una) {
  while (!ranges_.empty() && ranges_.begin()->first < snd_una) {
    const auto [start, end] = *ranges_.begin();
    ranges_.erase(ranges_.begin());
    if (end > snd_una) ranges_.emplace(snd_una, end);
    if (end >= snd_una) break;
  }
}

std::optional<uint64_t> SackScoreboard::held_until(uint64_t seq) const {
  auto it = ranges_.upper_bound(seq);
  if (it == ranges_.begin()) return std::nullopt;
  --it;
  if (seq < it->second) return it->second;
  return std::nullopt;
}

std::optional<uint64_t> SackScoreboard::next_held_after(uint64_t seq) const {
  auto it = ranges_.upper_bound(seq);
  if (it == ranges_.end()) return std::nullopt;
  return it->first;
}

uint64_t SackScoreboard::held_above(uint64_t seq) const {
  uint64_t held = 0;
  for (auto it = ranges_.rbegin(); it != ranges_.rend() && it->second > seq; ++it) {
    held += it->second - std::max(it->first, seq);
  }
  return held;
}

}  // namespace net
