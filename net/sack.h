// Selective acknowledgements (RFC 2018, loss recovery as RFC 6675 describes it): the
// receiver's blocks, and the sender's scoreboard of what the receiver said it holds.
#pragma once

#include "net/segment.h"
#include "sim/digest_map.h"

#include <map>
#include <optional>
#include <vector>

namespace net {

// The blocks a receiver reports: its out-of-order segments merged into ranges, the range
// holding `newest` (the latest arrival) first, then the others from the highest down,
// at most kMaxSackBlocks.
std::vector<SackBlock> receiver_sack_blocks(const sim::DigestMap<uint64_t, sim::Bytes>& out_of_order, uint64_t newest);

// What the sender knows the receiver holds above the cumulative ack: disjoint, merged
// ranges within [snd_una, snd_max). State (hashed, snapshotted), bounded by kMaxRanges.
class SackScoreboard {
 public:
  // An honest receiver alternating holes and blocks over a full 256 KiB window of 1400-byte
  // segments makes about 94 ranges; a block that would make more is ignored.
  static constexpr size_t kMaxRanges = 128;

  // Takes the blocks of one ack; blocks that are empty, reversed, reach beyond what was
  // sent or lie wholly below the cumulative ack are ignored (a peer's lie can only make
  // the sender skip bytes it still holds, never corrupt the stream). Returns the bytes
  // newly marked as held.
  uint64_t add(const std::vector<SackBlock>& blocks, uint64_t snd_una, uint64_t snd_max);
  // Forgets what the cumulative ack now covers.
  void trim(uint64_t snd_una);
  void clear() { ranges_.clear(); }

  bool empty() const { return ranges_.empty(); }
  size_t size() const { return ranges_.size(); }
  // The end of the held range containing `seq`, if one does.
  std::optional<uint64_t> held_until(uint64_t seq) const;
  // The start of the first held range above `seq`, if any.
  std::optional<uint64_t> next_held_after(uint64_t seq) const;
  // Held bytes at or above `seq`.
  uint64_t held_above(uint64_t seq) const;
  // One past the highest held byte (0 when nothing is held).
  uint64_t highest_held() const { return ranges_.empty() ? 0 : ranges_.rbegin()->second; }
  const std::map<uint64_t, uint64_t>& ranges() const { return ranges_; }

  // Calls f(start, end, held_above_start) for each hole (bytes not held) in [from, to), in
  // order, until f returns false.
  template <class F>
  void for_each_hole(uint64_t from, uint64_t to, F&& f) const {
    uint64_t above = held_above(from);
    uint64_t at = from;
    for (const auto& [start, end] : ranges_) {
      if (end <= from) continue;
      if (start > at && !f(at, std::min(start, to), above)) return;
      above -= end - std::max(start, from);
      at = std::max(at, end);
      if (at >= to) return;
    }
    if (at < to) f(at, to, above);
  }

  template <class Visitor>
  void visit(Visitor& v) {
    v("ranges", ranges_);
  }

 private:
  // Inserts [start, end), merging what it touches; false if it would exceed kMaxRanges.
  bool insert(uint64_t start, uint64_t end);

  std::map<uint64_t, uint64_t> ranges_;  // start -> end
};

}  // namespace net
