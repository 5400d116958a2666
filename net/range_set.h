// Disjoint, merged byte ranges [start, end): what a receiver holds past a hole, and what
// a sender's scoreboard says the receiver holds. State (hashed, snapshotted), bounded by
// kMaxRanges. A sorted vector: it changes with nearly every ack, and a few dozen ranges
// are cheaper to shift than to allocate tree nodes for.
#pragma once

#include "net/segment.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace net {

class RangeSet {
 public:
  // An honest receiver alternating holes and blocks over a full 256 KiB window of 1400-byte
  // segments makes about 94 ranges; a range that would make more is refused.
  static constexpr size_t kMaxRanges = 128;

  // Adds [start, end), merging what it overlaps or touches; false (and nothing added) if
  // it would make more than kMaxRanges.
  bool insert(uint64_t start, uint64_t end);
  // Forgets everything below `seq`.
  void trim(uint64_t seq);
  void clear() {
    ranges_.clear();
    held_ = 0;
  }

  bool empty() const { return ranges_.empty(); }
  size_t size() const { return ranges_.size(); }
  // The range containing `seq`, if one does.
  std::optional<SackBlock> range_holding(uint64_t seq) const;
  // Bytes at or above `seq`.
  uint64_t held_above(uint64_t seq) const;
  // Every byte held.
  uint64_t held() const { return held_; }
  // In order of their start.
  const std::vector<SackBlock>& ranges() const { return ranges_; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("ranges", ranges_);
    v("held", held_);
  }

 private:
  // The first range ending at or after `seq` (one that could hold or touch it).
  std::vector<SackBlock>::const_iterator first_reaching(uint64_t seq) const;

  std::vector<SackBlock> ranges_;
  uint64_t held_ = 0;  // the sum of the ranges' lengths
};

}  // namespace net
