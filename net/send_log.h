// The sender's record of what it sent and the peer has neither acknowledged nor reported
// holding: when each run of bytes last left, whether that was a retransmission, and
// whether it is deemed lost. RACK (RFC 8985) decides loss from these transmit times.
#pragma once

#include "net/sack.h"
#include "sim/assert.h"
#include "sim/sliding_vector.h"
#include "sim/time.h"

#include <optional>

namespace net {

struct SentRun {
  uint64_t start = 0;
  uint64_t end = 0;
  sim::Instant sent_at;
  // Which send this was: many leave at one virtual instant, and RACK must know which of
  // them left later (a retransmission after new data, say).
  uint64_t order = 0;
  bool retransmitted = false;
  bool lost = false;  // deemed lost and not sent again since

  friend bool operator==(const SentRun&, const SentRun&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("start", start);
    v("end", end);
    v("sent_at", sent_at);
    v("order", order);
    v("retransmitted", retransmitted);
    v("lost", lost);
  }
};

// Disjoint runs within [snd_una, snd_max), in order. Bytes sent one after the other at one
// instant with the same history share a run, so a burst is one entry. State (hashed,
// snapshotted); a run holds at least one byte, so there are never more runs than bytes
// outstanding, and no more than kMaxRuns.
//
// New data joins at the back, the cumulative ack takes runs off the front, and what the
// peer reports holding is mostly the newest runs, near the back: a sliding vector, where
// runs are found by binary search. (A tree spent a node and its rebalancing on each
// segment.)
class SendLog {
 public:
  // A window of 256 KiB in segments of one byte would be 262 144 runs; 1400-byte segments
  // make at most 188, one per segment.
  static constexpr size_t kMaxRuns = 1 << 18;

  // [start, end) left at `at`; replaces what the log said about those bytes.
  void record(uint64_t start, uint64_t end, sim::Instant at, bool retransmission);
  // Forgets the bytes below `snd_una`, calling delivered(piece) for each piece it held.
  template <class F>
  void acknowledge(uint64_t snd_una, F&& delivered);
  // Forgets the bytes of `blocks`, which the peer now holds (the scoreboard took them),
  // calling delivered(piece) for each piece it held, block by block in order.
  template <class F>
  void forget_held(const SackList& blocks, F&& delivered);
  // Every run lost (a retransmission timeout, RFC 6675 5.1).
  void mark_all_lost();
  // No run lost any more (a recovery proved spurious: RACK finds real losses again).
  void clear_lost_marks();
  void clear() { runs_.clear(); }

  bool empty() const { return runs_.empty(); }
  size_t size() const { return runs_.size(); }
  // Bytes sent and not deemed lost: RFC 6675's pipe, given RACK's marks.
  uint64_t bytes_in_flight() const;
  // The first lost run, cut to at most `max_length` bytes.
  std::optional<SackBlock> first_lost(uint64_t max_length) const;
  // The last `max_length` bytes of the highest run, which a tail loss probe sends again.
  std::optional<SackBlock> last_bytes(uint64_t max_length) const;
  const sim::SlidingVector<SentRun>& runs() const { return runs_; }
  // The runs in order, for RACK to mark: f(run) returns false to stop.
  template <class F>
  void for_each_until(F&& f) {
    for (SentRun& run : runs_) {
      if (!f(run)) return;
    }
  }
  // Asserts the runs lie in [snd_una, snd_max) and are no more than its bytes (cheap
  // enough for every ack; tests walk the runs for disjointness).
  void check(uint64_t snd_una, uint64_t snd_max) const;

  template <class Visitor>
  void visit(Visitor& v) {
    v("runs", runs_);
    v("sends", sends_);
  }

 private:
  // The index of the first run ending after `seq` (the one holding it, or the next).
  size_t first_ending_after(uint64_t seq) const;
  // Removes [start, end), calling delivered(piece) for each piece removed.
  template <class F>
  void remove(uint64_t start, uint64_t end, F&& delivered);

  sim::SlidingVector<SentRun> runs_;
  uint64_t sends_ = 0;  // records so far: the next one's order
};

template <class F>
void SendLog::remove(uint64_t start, uint64_t end, F&& delivered) {
  if (start >= end) return;
  size_t first = first_ending_after(start);
  if (first == runs_.size() || runs_[first].start >= end) return;  // nothing held there
  if (runs_[first].start < start) {
    // The run reaches below `start`: its lower part stays.
    SentRun upper = runs_[first];
    upper.start = start;
    runs_[first].end = start;
    runs_.insert(++first, upper);
  }
  size_t last = first;  // one past the runs wholly inside [start, end)
  for (; last < runs_.size() && runs_[last].end <= end; ++last) delivered(runs_[last]);
  if (last < runs_.size() && runs_[last].start < end) {
    // The run reaches past `end`: its lower part goes, the rest stays.
    SentRun lower = runs_[last];
    lower.end = end;
    delivered(lower);
    runs_[last].start = end;
  }
  runs_.erase(first, last);
}

template <class F>
void SendLog::acknowledge(uint64_t snd_una, F&& delivered) {
  if (runs_.empty() || runs_.front().start >= snd_una) return;
  remove(runs_.front().start, snd_una, delivered);
}

template <class F>
void SendLog::forget_held(const SackList& blocks, F&& delivered) {
  for (const SackBlock& block : blocks) remove(block.start, block.end, delivered);
}

}  // namespace net
