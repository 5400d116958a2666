// The scheduler: (time, seq) order, FIFO at one instant, seeded batches, cancel, digests.
#include "sim/binary.h"
#include "sim/scheduler.h"

#include <catch2/catch.hpp>

using sim::ActorId;
using sim::Event;
using sim::EventSpec;
using sim::Instant;

namespace {

EventSpec at(int64_t ns, uint32_t kind, uint64_t arg0 = 0) {
  return EventSpec{Instant::from_ns(ns), ActorId{0}, 0, kind, arg0, 0};
}

std::vector<uint32_t> drain_kinds(sim::Scheduler& s) {
  std::vector<uint32_t> kinds;
  while (auto e = s.pop_before(Instant::from_ns(INT64_MAX))) kinds.push_back(e->kind);
  return kinds;
}

}  // namespace

TEST_CASE("sim: scheduler: events run in time order") {
  sim::Scheduler s(sim::Rng::stream(1, "batch"));
  s.schedule(at(30, 3));
  s.schedule(at(10, 1));
  s.schedule(at(20, 2));
  CHECK(drain_kinds(s) == std::vector<uint32_t>{1, 2, 3});
}

TEST_CASE("sim: scheduler: events at the same instant keep their scheduling order") {
  sim::Scheduler s(sim::Rng::stream(1, "batch"));
  for (uint32_t k = 0; k < 50; ++k) s.schedule(at(5, k));
  std::vector<uint32_t> expected(50);
  for (uint32_t k = 0; k < 50; ++k) expected[k] = k;
  CHECK(drain_kinds(s) == expected);
}

TEST_CASE("sim: scheduler: pop_before stops at the end of the window") {
  sim::Scheduler s(sim::Rng::stream(1, "batch"));
  s.schedule(at(10, 1));
  s.schedule(at(20, 2));
  CHECK(s.pop_before(Instant::from_ns(10)) == std::nullopt);
  CHECK(s.pop_before(Instant::from_ns(11))->kind == 1);
  CHECK(s.next_time() == Instant::from_ns(20));
}

TEST_CASE("sim: scheduler: a concurrent batch is stamped in a seeded random order") {
  auto order_for = [](uint64_t seed) {
    sim::Scheduler s(sim::Rng::stream(seed, "batch"));
    std::vector<EventSpec> batch;
    for (uint32_t k = 0; k < 12; ++k) batch.push_back(at(100, k));
    s.schedule_concurrent(batch);
    return drain_kinds(s);
  };
  CHECK(order_for(1) == order_for(1));
  CHECK(order_for(1) != order_for(2));
  std::vector<uint32_t> sorted = order_for(3);
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
}

TEST_CASE("sim: scheduler: a cancelled event never runs and leaves the digest as if never scheduled") {
  sim::Scheduler a(sim::Rng::stream(1, "batch"));
  sim::Scheduler b(sim::Rng::stream(1, "batch"));
  const Event keep = a.schedule(at(10, 1));
  const Event drop = a.schedule(at(5, 2));
  b.schedule(at(10, 1));
  (void)b.schedule(at(5, 2));
  a.cancel(drop);
  CHECK(a.pending() == 1);
  CHECK(a.digest() == a.digest_uncached());
  const std::optional<Event> popped = a.pop_before(Instant::from_ns(100));
  REQUIRE(popped.has_value());
  CHECK(*popped == keep);
  CHECK(a.pop_before(Instant::from_ns(100)) == std::nullopt);
  CHECK(a.pending() == 0);
  CHECK(a.digest() == a.digest_uncached());
  // b still holds the other event: the queues differ.
  CHECK(b.digest() != a.digest());
}

TEST_CASE("sim: scheduler: the incremental digest matches a recount after every operation") {
  sim::Scheduler s(sim::Rng::stream(1, "batch"));
  sim::Rng rng = sim::Rng::stream(1, "ops");
  std::vector<Event> live;
  int64_t now = 0;
  for (int step = 0; step < 2000; ++step) {
    const uint64_t op = rng.below(3);
    if (op == 0 || live.empty()) {
      const int64_t delay = rng.uniform(0, 100);
      live.push_back(s.schedule(at(now + delay, static_cast<uint32_t>(step))));
    } else if (op == 1) {
      const size_t index = static_cast<size_t>(rng.below(live.size()));
      s.cancel(live[index]);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(index));
    } else if (auto e = s.pop_before(Instant::from_ns(INT64_MAX))) {
      now = e->time.ns();
      live.erase(std::find(live.begin(), live.end(), *e));
    }
    REQUIRE(s.pending() == live.size());
    REQUIRE(s.digest() == s.digest_uncached());
  }
}

TEST_CASE("sim: scheduler: snapshots hold the events sorted, whatever the heap layout") {
  sim::Scheduler a(sim::Rng::stream(1, "batch"));
  for (int64_t t : {50, 10, 40, 20, 30}) a.schedule(at(t, static_cast<uint32_t>(t)));
  const Event cancelled = a.schedule(at(15, 99));
  a.cancel(cancelled);
  sim::Bytes bytes;
  {
    sim::Writer w(bytes, sim::Encoding::kSnapshot);
    a.save(w);
  }
  sim::Scheduler b;
  sim::Reader r(bytes);
  b.load(r);
  CHECK(r.remaining() == 0);
  CHECK(b.digest() == a.digest());
  CHECK(b.sorted_events() == a.sorted_events());
  sim::Bytes again;
  {
    sim::Writer w(again, sim::Encoding::kSnapshot);
    b.save(w);
  }
  CHECK(again == bytes);
  CHECK(drain_kinds(b) == std::vector<uint32_t>{10, 20, 30, 40, 50});
}
