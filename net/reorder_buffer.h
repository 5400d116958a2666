// The receiver's segments that arrived past a hole, and the SACK blocks that report them.
#pragma once

#include "net/range_set.h"
#include "net/segment.h"
#include "sim/digest_map.h"

#include <optional>
#include <utility>
#include <vector>

namespace net {

// Segments by sequence number (digest-cached, as reordering can keep it full for a long
// time), with the merged ranges they cover kept alongside, so the blocks of an ack are
// found without walking a window's worth of segments. State (hashed, snapshotted).
class ReorderBuffer {
 public:
  bool empty() const { return segments_.empty(); }
  size_t size() const { return segments_.size(); }
  bool contains(uint64_t start) const { return segments_.contains(start); }
  // A segment arrived at `start` (kept or a duplicate): the next ack reports its range first.
  void arrived(uint64_t start) { newest_ = start; }
  // Keeps a segment; none is kept at `start` yet.
  void insert(uint64_t start, sim::Bytes data);
  // Removes and returns the first segment if it starts at or below `seq`.
  std::optional<std::pair<uint64_t, sim::Bytes>> take_first_at_or_below(uint64_t seq);
  // The in-order data now ends at `rcv_nxt`: the ranges below it are no longer reported.
  void received_up_to(uint64_t rcv_nxt) { ranges_.trim(rcv_nxt); }
  void clear();

  // RFC 2018's blocks: the range holding the newest arrival first, then the others from
  // the highest down, at most kMaxSackBlocks.
  SackList sack_blocks() const;

  template <class Visitor>
  void visit(Visitor& v) {
    v("segments", segments_);
    v("ranges", ranges_);
    v("newest", newest_);
  }

 private:
  sim::DigestMap<uint64_t, sim::Bytes> segments_;
  // What the segments cover. A sender splitting its data into one-byte segments with holes
  // between could need more ranges than the bound: those segments are kept but not
  // reported (SACK is advice; the cumulative ack stays exact).
  RangeSet ranges_;
  uint64_t newest_ = 0;
};

}  // namespace net
