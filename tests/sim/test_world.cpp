// The world: reproducible chains, snapshots and restore, the incremental hash, incarnations.
#include "tests/sim/world_fixture.h"
#include "tests/support/child_process.h"

#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/snapshot.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

using test_sim::demo_chain;
using test_sim::make_demo_world;

namespace {

constexpr uint64_t kTicks = 600;

// Child mode: restore a snapshot file, run to a tick, print the chain hash there.
int restore_and_run(const std::vector<std::string>& args) {
  if (args.size() != 2) return 2;
  sim::Result<sim::Bytes> file = sim::read_file(args[0]);
  if (!file) return 3;
  sim::Result<sim::Snapshot> snapshot = sim::decode_snapshot_file(*file);
  if (!snapshot) return 4;
  auto world = sim::World::restore(*snapshot, scenarios::all_actor_types());
  if (!world) return 5;
  const uint64_t until = std::strtoull(args[1].c_str(), nullptr, 10);
  (*world)->run_ticks(until - (*world)->tick());
  std::printf("chain 0x%016llx\n", static_cast<unsigned long long>((*world)->chain_hash()));
  return 0;
}

// Child mode: an actor handler that schedules an event into the past must abort.
int schedule_into_past(const std::vector<std::string>&) {
  auto world = make_demo_world(77);
  world->run_ticks(5);
  world->schedule_at(sim::Instant::from_ns(10), sim::ActorId{0}, 1);
  return 0;
}

const test_support::ChildModeRegistration restore_mode("restore-and-run", &restore_and_run);
const test_support::ChildModeRegistration past_mode("schedule-into-past", &schedule_into_past);

std::unique_ptr<sim::World> restored(const sim::Snapshot& snapshot) {
  auto world = sim::World::restore(snapshot, scenarios::all_actor_types());
  REQUIRE(world.ok());
  return std::move(world).value();
}

}  // namespace

TEST_CASE("sim: world: the same seed gives the same chain, different seeds differ") {
  const std::vector<uint64_t> a = demo_chain(1, kTicks);
  CHECK(a == demo_chain(1, kTicks));
  const std::vector<uint64_t> b = demo_chain(2, kTicks);
  CHECK(a.back() != b.back());
  CHECK(a[0] != b[0]);
}

TEST_CASE("sim: world: a seed run after ten other seeds equals the seed run alone") {
  const std::vector<uint64_t> alone = demo_chain(31, kTicks);
  for (uint64_t other = 100; other < 110; ++other) (void)demo_chain(other, 200);
  CHECK(demo_chain(31, kTicks) == alone);
}

TEST_CASE("sim: world: restoring a snapshot at tick k and running on gives the uninterrupted chain") {
  const std::vector<uint64_t> expected = demo_chain(5, kTicks);
  sim::Rng pick = sim::Rng::stream(5, "test/pick");
  const uint64_t middle = static_cast<uint64_t>(pick.uniform(1, kTicks - 1));
  for (uint64_t k : {uint64_t{0}, middle, kTicks}) {
    INFO("snapshot at tick " << k);
    auto world = make_demo_world(5);
    world->run_ticks(k);
    const sim::Snapshot snapshot = world->snapshot();
    auto copy = restored(snapshot);
    CHECK(copy->tick() == k);
    CHECK(copy->chain_hash() == expected[k]);
    copy->run_ticks(kTicks - k);
    for (uint64_t t = k; t <= kTicks; ++t) REQUIRE(copy->chain_at(t) == expected[t]);
  }
}

TEST_CASE("sim: world: a snapshot file restored in a separate process continues the chain") {
  const std::vector<uint64_t> expected = demo_chain(9, kTicks);
  auto world = make_demo_world(9);
  world->run_ticks(250);
  const std::string path = fmt::format("{}/dmsgsim-test-snapshot-{}.bin", P_tmpdir, ::getpid());
  REQUIRE(sim::write_file(path, sim::encode_snapshot_file(world->snapshot())).ok());
  const test_support::ChildResult child = test_support::run_child("restore-and-run", {path, std::to_string(kTicks)});
  std::remove(path.c_str());
  INFO(child.output);
  REQUIRE(child.exit_code == 0);
  CHECK(child.output == fmt::format("chain 0x{:016x}\n", expected[kTicks]));
}

TEST_CASE("sim: world: taking a snapshot every tick does not change the chain") {
  CHECK(demo_chain(3, kTicks, sim::SnapshotPolicy{1}) == demo_chain(3, kTicks));
  auto world = make_demo_world(3);
  world->set_snapshot_policy(sim::SnapshotPolicy{100});
  world->run_ticks(kTicks);
  CHECK(world->snapshots().stats().snapshots == kTicks / 100 + 1);
}

TEST_CASE("sim: world: a world that keeps no chain reaches the same state hash") {
  auto kept = make_demo_world(5);
  auto unkept = make_demo_world(5);
  kept->run_ticks(100);
  unkept->run_ticks(100);
  unkept->keep_chain(false);
  for (const uint64_t ticks : {1, 7, 250}) {
    kept->run_ticks(ticks);
    unkept->run_ticks(ticks);
    CHECK(unkept->state_hash() == kept->state_hash());
    CHECK(unkept->state_hash() == unkept->state_hash_from_scratch());
  }
}

TEST_CASE("sim: world: re-serializing a restored world gives the same bytes") {
  auto world = make_demo_world(4);
  world->run_ticks(321);
  const sim::Snapshot snapshot = world->snapshot();
  auto copy = restored(snapshot);
  CHECK(copy->snapshot() == snapshot);
  CHECK(copy->dump_json() == world->dump_json());
}

TEST_CASE("sim: world: the incremental state hash equals a recomputation on random ticks") {
  auto world = make_demo_world(6);
  sim::Rng pick = sim::Rng::stream(6, "test/ticks");
  for (int check = 0; check < 40; ++check) {
    world->run_ticks(static_cast<uint64_t>(pick.uniform(1, 40)));
    REQUIRE(world->state_hash() == world->state_hash_from_scratch());
  }
}

TEST_CASE("sim: world: a mutation that skips the dirty flag is detected") {
  auto world = make_demo_world(8);
  world->run_ticks(100);
  REQUIRE(world->state_hash() == world->state_hash_from_scratch());
  // Reach past mutate(), as a buggy component would.
  const auto& gossiper = world->actor_as<scenarios::Gossiper>(sim::ActorId{2});
  ++const_cast<scenarios::Gossiper&>(gossiper).checksum_for_test();
  CHECK(world->state_hash() != world->state_hash_from_scratch());
}

TEST_CASE("sim: world: a mutation through mutate() is hashed at the next boundary") {
  auto world = make_demo_world(8);
  world->run_ticks(100);
  auto twin = make_demo_world(8);
  twin->run_ticks(100);
  ++world->mutate<scenarios::Gossiper>(sim::ActorId{2}).checksum_for_test();
  world->run_tick();
  twin->run_tick();
  CHECK(world->state_hash() == world->state_hash_from_scratch());
  CHECK(world->state_hash() != twin->state_hash());
}

TEST_CASE("sim: world: events for an older incarnation are dropped after a restart") {
  auto world = make_demo_world(10);
  world->run_ticks(50);
  const sim::ActorId target{3};
  // A message already in flight to the old incarnation must never reach the new one.
  constexpr uint64_t kMarkerSender = 999;
  world->schedule_at(world->now() + sim::Duration::milliseconds(5), target, scenarios::Gossiper::kMessage, 0xabc,
                     kMarkerSender);
  const uint64_t dropped_before = world->events_dropped();
  std::vector<sim::ActorId> peers = {sim::ActorId{0}, sim::ActorId{1}};
  world->restart(target, std::make_unique<scenarios::Gossiper>(world->stream("demo/gossiper/3/incarnation/1"), peers,
                                                               scenarios::DemoOptions{}));
  CHECK(world->incarnation(target) == 1);
  CHECK(world->actor_as<scenarios::Gossiper>(target).sent() == 0);
  world->run_ticks(10);
  CHECK(world->events_dropped() > dropped_before);
  CHECK(world->actor_as<scenarios::Gossiper>(target).received_from().count(kMarkerSender) == 0);
  CHECK(world->state_hash() == world->state_hash_from_scratch());
}

TEST_CASE("sim: world: a stopped actor receives nothing and the chain records it") {
  auto world = make_demo_world(12);
  auto twin = make_demo_world(12);
  world->run_ticks(20);
  twin->run_ticks(20);
  world->stop(sim::ActorId{1});
  CHECK_FALSE(world->is_up(sim::ActorId{1}));
  world->run_ticks(50);
  twin->run_ticks(50);
  CHECK(world->chain_hash() != twin->chain_hash());
  CHECK(world->state_hash() == world->state_hash_from_scratch());
  auto copy = restored(world->snapshot());
  CHECK_FALSE(copy->is_up(sim::ActorId{1}));
}

TEST_CASE("sim: world: a fork with a new seed diverges, and the same fork is reproducible") {
  auto base = make_demo_world(13);
  base->run_ticks(200);
  const sim::Snapshot at_200 = base->snapshot();
  auto fork_a = restored(at_200);
  auto fork_b = restored(at_200);
  auto fork_c = restored(at_200);
  fork_a->reseed_for_fork(99);
  fork_b->reseed_for_fork(99);
  fork_c->reseed_for_fork(100);
  for (auto* w : {fork_a.get(), fork_b.get(), fork_c.get(), base.get()}) w->run_ticks(200);
  CHECK(fork_a->chain_hash() == fork_b->chain_hash());
  CHECK(fork_a->chain_hash() != fork_c->chain_hash());
  CHECK(fork_a->chain_hash() != base->chain_hash());
  CHECK(fork_a->state_hash() == fork_a->state_hash_from_scratch());
}

TEST_CASE("sim: world: a corrupt or foreign snapshot is refused with a clear error") {
  auto world = make_demo_world(14);
  world->run_ticks(30);
  const sim::Snapshot good = world->snapshot();

  sim::Snapshot wrong_hash = good;
  wrong_hash.state_hash ^= 1;
  auto mismatch = sim::World::restore(wrong_hash, scenarios::all_actor_types());
  REQUIRE_FALSE(mismatch.ok());
  CHECK_THAT(mismatch.error().message, Catch::Contains("hash mismatch"));

  sim::Snapshot truncated = good;
  truncated.state.resize(truncated.state.size() / 2);
  auto cut = sim::World::restore(truncated, scenarios::all_actor_types());
  REQUIRE_FALSE(cut.ok());
  CHECK_THAT(cut.error().message, Catch::Contains("corrupt world state"));

  sim::ActorRegistry empty;
  auto unknown = sim::World::restore(good, empty);
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("unknown actor type 'demo.gossiper'"));

  sim::Bytes file = sim::encode_snapshot_file(good);
  file[file.size() / 2] ^= 0x10;
  auto flipped = sim::decode_snapshot_file(file);
  REQUIRE_FALSE(flipped.ok());
  CHECK_THAT(flipped.error().message, Catch::Contains("checksum"));
  auto foreign = sim::decode_snapshot_file(sim::Bytes(100, 'x'));
  REQUIRE_FALSE(foreign.ok());
  CHECK_THAT(foreign.error().message, Catch::Contains("magic"));
}

TEST_CASE("sim: world: scheduling into the past aborts with the virtual time and seed") {
  const test_support::ChildResult child = test_support::run_child("schedule-into-past", {});
  CHECK(child.exit_code != 0);
  CHECK_THAT(child.output, Catch::Contains("assertion failed"));
  CHECK_THAT(child.output, Catch::Contains("time >= now_"));
  CHECK_THAT(child.output, Catch::Contains("virtual time 5000000 ns"));
  CHECK_THAT(child.output, Catch::Contains("seed 0x000000000000004d"));
}

TEST_CASE("sim: world: dumps name the actors and their state") {
  auto world = make_demo_world(15);
  world->run_ticks(40);
  const std::string json = world->dump_json();
  CHECK_THAT(json, Catch::Contains("\"type\": \"demo.gossiper\""));
  CHECK_THAT(json, Catch::Contains("\"inbox\": {"));
  CHECK_THAT(json, Catch::Contains(fmt::format("\"chain_hash\": \"0x{:016x}\"", world->chain_hash())));
  const std::string text = world->summary();
  CHECK_THAT(text, Catch::Contains("tick 40"));
  CHECK_THAT(text, Catch::Contains("demo.gossiper"));
}

TEST_CASE("sim: world: run_until stops at the first boundary where the predicate holds") {
  auto world = make_demo_world(16);
  const bool reached = world->run_until([](const sim::World& w) { return w.events_processed() >= 100; }, 10'000);
  CHECK(reached);
  const uint64_t at = world->tick();
  CHECK(world->events_processed() >= 100);
  // One tick earlier the predicate did not hold yet.
  auto replay = make_demo_world(16);
  replay->run_ticks(at - 1);
  CHECK(replay->events_processed() < 100);
  CHECK_FALSE(world->run_until([](const sim::World&) { return false; }, 5));
  CHECK(world->tick() == at + 5);
}
