// Heap operations, cancellation and the incremental digest of the pending-event queue.
#include "sim/scheduler.h"

#include "sim/binary.h"
#include "sim/json_writer.h"

#include "sim/xxh3.h"

#include <algorithm>

namespace sim {
namespace {

// std::push_heap builds a max-heap; inverting the order makes the front the earliest.
bool heap_order(const Event& a, const Event& b) { return runs_before(b, a); }

}  // namespace

uint64_t Scheduler::event_digest(const Event& e) {
  // Packed explicitly so padding never reaches the hash.
  const uint64_t words[6] = {
      static_cast<uint64_t>(e.time.ns()),
      e.seq,
      uint64_t{to_index(e.target)} | (uint64_t{e.incarnation} << 32),
      e.kind,
      e.arg0,
      e.arg1,
  };
  return XXH3_64bits(words, sizeof words);
}

uint64_t Scheduler::combine_digest(uint64_t sum, uint64_t count) const {
  const uint64_t words[5] = {sum, count, next_seq_, static_cast<uint64_t>(last_popped_.ns()), batch_rng_.fingerprint()};
  return XXH3_64bits(words, sizeof words);
}

uint64_t Scheduler::digest() const { return combine_digest(live_digest_sum_, live_count_); }

uint64_t Scheduler::digest_uncached() const {
  uint64_t sum = 0;
  uint64_t count = 0;
  for (const Event& e : heap_) {
    if (cancelled_.count(key_of(e)) != 0) continue;
    sum += event_digest(e);
    ++count;
  }
  return combine_digest(sum, count);
}

void Scheduler::push(const Event& event) {
  heap_.push_back(event);
  std::push_heap(heap_.begin(), heap_.end(), heap_order);
  live_digest_sum_ += event_digest(event);
  ++live_count_;
}

Event Scheduler::schedule(const EventSpec& spec) {
  SIM_ASSERT_MSG(spec.time >= last_popped_, "scheduling into the past: {} before {}", spec.time, last_popped_);
  Event event{spec.time, next_seq_++, spec.target, spec.incarnation, spec.kind, spec.arg0, spec.arg1};
  push(event);
  return event;
}

std::vector<Event> Scheduler::schedule_concurrent(std::vector<EventSpec> batch) {
  batch_rng_.shuffle(batch);
  std::vector<Event> events;
  events.reserve(batch.size());
  for (const EventSpec& spec : batch) events.push_back(schedule(spec));
  return events;
}

void Scheduler::cancel(const Event& event) {
  SIM_ASSERT_LT(event.seq, next_seq_);
  SIM_ASSERT_MSG(event.time >= last_popped_, "cancelling event seq {} that already ran", event.seq);
  const bool inserted = cancelled_.insert(key_of(event)).second;
  SIM_ASSERT_MSG(inserted, "event seq {} cancelled twice", event.seq);
  SIM_ASSERT_GT(live_count_, 0u);
  live_digest_sum_ -= event_digest(event);
  --live_count_;
}

void Scheduler::drop_cancelled_front() {
  while (!heap_.empty() && !cancelled_.empty()) {
    const Key front = key_of(heap_.front());
    // Every cancelled event is still in the heap, so none can sort before the front.
    SIM_ASSERT_MSG(!(*cancelled_.begin() < front), "a cancelled event (seq {}) is not pending",
                   cancelled_.begin()->second);
    if (*cancelled_.begin() != front) return;
    cancelled_.erase(cancelled_.begin());
    std::pop_heap(heap_.begin(), heap_.end(), heap_order);
    heap_.pop_back();
  }
}

std::optional<Instant> Scheduler::next_time() {
  drop_cancelled_front();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().time;
}

std::optional<Event> Scheduler::pop_before(Instant end) {
  drop_cancelled_front();
  if (heap_.empty() || heap_.front().time >= end) return std::nullopt;
  std::pop_heap(heap_.begin(), heap_.end(), heap_order);
  Event event = heap_.back();
  heap_.pop_back();
  SIM_ASSERT_GE(event.time, last_popped_);
  last_popped_ = event.time;
  live_digest_sum_ -= event_digest(event);
  SIM_ASSERT_GT(live_count_, 0u);
  --live_count_;
  return event;
}

std::vector<Event> Scheduler::sorted_events() const {
  std::vector<Event> events;
  events.reserve(live_count_);
  for (const Event& e : heap_) {
    if (cancelled_.count(key_of(e)) == 0) events.push_back(e);
  }
  std::sort(events.begin(), events.end(), runs_before);
  SIM_ASSERT_EQ(events.size(), live_count_);
  return events;
}

void Scheduler::save(Writer& out) const {
  out.write(next_seq_);
  out.write(last_popped_);
  out.write(batch_rng_);
  out.write(sorted_events());
}

void Scheduler::load(Reader& in) {
  std::vector<Event> events;
  in("next_seq", next_seq_);
  in("last_popped", last_popped_);
  in("batch_rng", batch_rng_);
  in("events", events);
  heap_.clear();
  cancelled_.clear();
  live_digest_sum_ = 0;
  live_count_ = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (i > 0 && !runs_before(events[i - 1], e)) in.fail("pending events are not in (time, seq) order");
    if (e.seq >= next_seq_) in.fail("a pending event's seq is not below next_seq");
    if (e.time < last_popped_) in.fail("a pending event is earlier than the last event that ran");
    push(e);
  }
}

void Scheduler::dump(JsonWriter& out) const {
  out.begin_object();
  out("next_seq", next_seq_);
  out("last_popped", last_popped_);
  out("pending", live_count_);
  out("batch_rng", batch_rng_);
  out("events", sorted_events());
  out.end_object();
}

}  // namespace sim
