// The sender's record of what it sent and the peer has neither acknowledged nor reported
// holding: when each run of bytes last left, whether that was a retransmission, and
// whether it is deemed lost. RACK (RFC 8985) decides loss from these transmit times.
#pragma once

#include "net/sack.h"
#include "sim/assert.h"
#include "sim/time.h"

#include <map>
#include <optional>

namespace net {

struct SentRun {
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
    v("end", end);
    v("sent_at", sent_at);
    v("order", order);
    v("retransmitted", retransmitted);
    v("lost", lost);
  }
};

// A piece of a run that the peer acknowledged or said it holds.
struct DeliveredRun {
  uint64_t start = 0;
  uint64_t end = 0;
  sim::Instant sent_at;
  uint64_t order = 0;
  bool retransmitted = false;
};

// Disjoint runs within [snd_una, snd_max), keyed by their first byte. Bytes sent one after
// the other at one instant with the same history share a run, so a burst is one entry. State (hashed,
// snapshotted); a run holds at least one byte, so there are never more runs than bytes
// outstanding, and no more than kMaxRuns.
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
  // Forgets the bytes the peer now reports in `blocks` (clipped to what `board` holds),
  // calling delivered(piece) for each piece it held.
  template <class F>
  void forget_held(const std::vector<SackBlock>& blocks, const SackScoreboard& board, F&& delivered);
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
  const std::map<uint64_t, SentRun>& runs() const { return runs_; }
  // The runs in order, for RACK to mark: f(start, run) returns false to stop.
  template <class F>
  void for_each_until(F&& f) {
    for (auto& [start, run] : runs_) {
      if (!f(start, run)) return;
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
  // Ensures a run boundary at `seq` (splitting the run that holds it).
  void split_at(uint64_t seq);
  // Removes [start, end), calling delivered(piece) for each piece removed.
  template <class F>
  void remove(uint64_t start, uint64_t end, F&& delivered);

  std::map<uint64_t, SentRun> runs_;  // start -> run
  uint64_t sends_ = 0;                // records so far: the next one's order
};

template <class F>
void SendLog::remove(uint64_t start, uint64_t end, F&& delivered) {
  if (start >= end) return;
  auto first = runs_.upper_bound(start);
  if (first != runs_.begin() && std::prev(first)->second.end > start) --first;
  if (first == runs_.end() || first->first >= end) return;  // no run there: nothing to split
  split_at(start);
  split_at(end);
  auto it = runs_.lower_bound(start);
  while (it != runs_.end() && it->first < end) {
    const SentRun& run = it->second;
    delivered(DeliveredRun{it->first, run.end, run.sent_at, run.order, run.retransmitted});
    it = runs_.erase(it);
  }
}

template <class F>
void SendLog::acknowledge(uint64_t snd_una, F&& delivered) {
  if (runs_.empty() || runs_.begin()->first >= snd_una) return;
  remove(runs_.begin()->first, snd_una, delivered);
}

template <class F>
void SendLog::forget_held(const std::vector<SackBlock>& blocks, const SackScoreboard& board, F&& delivered) {
  for (const SackBlock& block : blocks) {
    // Walk the block over what the board holds: a block the board refused holds nothing.
    uint64_t at = block.start;
    while (at < block.end) {
      if (const std::optional<uint64_t> held_end = board.held_until(at)) {
        const uint64_t to = std::min(*held_end, block.end);
        remove(at, to, delivered);
        at = to;
      } else {
        const std::optional<uint64_t> next = board.next_held_after(at);
        if (!next) break;
        at = *next;
      }
    }
  }
}

}  // namespace net
