// Selective acknowledgements (RFC 2018, loss recovery as RFC 6675 and RFC 8985 describe
// it): the sender's scoreboard of what the receiver said it holds.
#pragma once

#include "net/range_set.h"
#include "net/segment.h"

#include <vector>

namespace net {

// What the sender knows the receiver holds above the cumulative ack: ranges within
// [snd_una, snd_max). State (hashed, snapshotted), bounded by kMaxRanges.
class SackScoreboard : public RangeSet {
 public:
  // Takes the blocks of one ack; blocks that are empty, reversed, reach beyond what was
  // sent or lie wholly below the cumulative ack are ignored (a peer's lie can only make
  // the sender skip bytes it still holds, never corrupt the stream), and so is a block
  // that would pass the bound. Returns the blocks it took, cut to start at `snd_una`.
  SackList add(const SackList& blocks, uint64_t snd_una, uint64_t snd_max);
};

}  // namespace net
