// The pending-event queue: (time, seq) order, cancellation, seeded concurrent batches.
#pragma once

#include "sim/event.h"
#include "sim/rng.h"

#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace sim {

class Writer;
class Reader;
class JsonWriter;

// A binary min-heap of events with lazy cancellation, and an order-independent digest of
// the live events (a wrapping sum of per-event hashes) kept up to date on every push,
// pop and cancel, so hashing the queue at a tick costs O(1) whatever its size.
class Scheduler {
 public:
  Scheduler() = default;
  explicit Scheduler(Rng batch_rng) : batch_rng_(batch_rng) {}

  // Stamps the next seq. The event's time must not be earlier than the last popped one.
  Event schedule(const EventSpec& spec);
  // Stamps a batch of events meant to be concurrent with seqs in a seeded random order:
  // this is the only seeded shuffle of event order (DESIGN.md, rule 5).
  std::vector<Event> schedule_concurrent(std::vector<EventSpec> batch);
  // Cancels a pending event; it must be pending (scheduled, not yet popped or cancelled).
  void cancel(const Event& event);

  // Pops the next live event if its time is before `end`.
  std::optional<Event> pop_before(Instant end);
  std::optional<Instant> next_time();

  size_t pending() const { return live_count_; }
  uint64_t next_seq() const { return next_seq_; }
  Instant last_popped() const { return last_popped_; }

  // The queue's contribution to the state hash, maintained incrementally.
  uint64_t digest() const;
  // The same from the live events alone, bypassing the running sum (for checks).
  uint64_t digest_uncached() const;

  // The live events in (time, seq) order.
  std::vector<Event> sorted_events() const;

  Rng& batch_rng() { return batch_rng_; }

  // Snapshots hold the live events sorted by (time, seq), never the heap's layout.
  void save(Writer& out) const;
  void load(Reader& in);
  void dump(JsonWriter& out) const;

 private:
  using Key = std::pair<int64_t, uint64_t>;
  static Key key_of(const Event& e) { return {e.time.ns(), e.seq}; }
  static uint64_t event_digest(const Event& e);
  uint64_t combine_digest(uint64_t sum, uint64_t count) const;
  void push(const Event& event);
  void drop_cancelled_front();

  std::vector<Event> heap_;
  // Cancelled events still in the heap; ordered like the heap, so the front check on pop
  // is O(1).
  std::set<Key> cancelled_;
  uint64_t next_seq_ = 0;
  Instant last_popped_;
  uint64_t live_digest_sum_ = 0;
  uint64_t live_count_ = 0;
  Rng batch_rng_;
};

}  // namespace sim
