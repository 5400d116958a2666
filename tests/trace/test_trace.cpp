// Traces: record and replay every scenario, divergence, seek, step and back, watch, fork,
// and hostile files.
#include "scenarios/fault/fault_scenarios.h"
#include "scenarios/replay/debugger.h"
#include "scenarios/replay/trace_session.h"
#include "scenarios/run/actor_types.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "tests/support/dmsgsim_process.h"
#include "tests/support/replayed_verdict.h"
#include "tests/support/test_main.h"

#include <catch2/catch.hpp>

#include <cstdlib>

namespace {

using scenarios::FaultInput;
using scenarios::TraceSession;

std::vector<FaultInput> faults(std::initializer_list<const char*> texts) {
  std::vector<FaultInput> inputs;
  for (const char* text : texts) inputs.push_back(scenarios::parse_fault(text).value());
  return inputs;
}

// Runs a scenario for `ticks` ticks (or until it finishes) and records it.
sim::TraceFile record(std::string_view scenario, uint64_t seed, std::vector<FaultInput> inputs,
                      sim::SnapshotPolicy policy = scenarios::default_snapshot_policy(),
                      std::optional<uint64_t> ticks = std::nullopt, std::string profile = "calm",
                      uint64_t snapshot_budget = 0) {
  scenarios::RunConfig config;
  config.seed = seed;
  config.profile = profile;
  auto runner = scenarios::ScenarioRunner::create(*scenarios::find_scenario(scenario), config, std::move(inputs));
  REQUIRE(runner.ok());
  (*runner)->world().set_snapshot_policy(policy);
  (*runner)->world().set_snapshot_budget(snapshot_budget);
  (*runner)->run(ticks);
  return scenarios::record_trace(**runner);
}

TraceSession session_of(const sim::TraceFile& trace) {
  // Through the file format, as a user's trace would come.
  sim::Result<sim::TraceFile> decoded = sim::decode_trace(sim::encode_trace(trace));
  REQUIRE(decoded.ok());
  sim::Result<TraceSession> session = TraceSession::open(std::move(decoded).value());
  REQUIRE(session.ok());
  return std::move(session).value();
}

}  // namespace

TEST_CASE("trace: replay: every scenario's recording replays with a verified chain") {
  for (const scenarios::ScenarioInfo& scenario : scenarios::scenario_catalog()) {
    for (uint64_t seed : {1ULL, 2ULL, 3ULL}) {
      INFO(scenario.name << " seed " << seed);
      std::vector<FaultInput> inputs;
      if (scenario.name == "transfer") {
        inputs = faults({"100ms partition a0|b0", "150ms clog a1 30ms", "250ms heal"});
      } else if (scenario.name == "chaos") {
        // Commands to the applications are inputs like the others.
        inputs = faults({"0ms command c0 handling accept no-read", "100ms partition c0|s0", "150ms clog discovery 30ms",
                         "250ms heal", "300ms command c1 dial c0 1"});
      } else if (scenario.has_network) {
        inputs = faults({"100ms partition a|s0", "150ms clog discovery 30ms", "250ms heal"});
      }
      const sim::TraceFile trace = record(scenario.name, seed, inputs, scenarios::default_snapshot_policy(), 400);
      CHECK(trace.last_tick() == 400);
      sim::Result<scenarios::ReplayOutcome> replayed = session_of(trace).replay();
      REQUIRE(replayed.ok());
      CHECK_FALSE(replayed->divergence.has_value());
    }
  }
}

namespace {

// A fault scenario run to its end and recorded, with the verdict of its own run.
std::pair<sim::TraceFile, scenarios::Verdict> judged_run(std::string_view name, std::vector<FaultInput> inputs) {
  const scenarios::ScenarioInfo& scenario = *scenarios::find_scenario(name);
  scenarios::RunConfig config;
  config.seed = 2;
  auto runner = scenarios::ScenarioRunner::create(scenario, config, std::move(inputs));
  REQUIRE(runner.ok());
  (*runner)->world().set_snapshot_policy(scenarios::default_snapshot_policy());
  const scenarios::RunReport report = (*runner)->run(std::nullopt);
  return {scenarios::record_trace(**runner), scenarios::verdict_of(scenario, report.outcome, config, report.ticks)};
}

}  // namespace

TEST_CASE("trace: replay: each fault scenario's verdict is re-derived, passing or failing, fingerprint and all") {
  for (const scenarios::ScenarioInfo& scenario : scenarios::fault_scenarios()) {
    const std::string_view name = scenario.name;
    INFO(name);
    const auto [trace, verdict] = judged_run(name, {});
    CHECK(verdict.passed);
    const scenarios::Verdict replayed = test_support::replayed_verdict(trace);
    CHECK(replayed.passed);
    CHECK(replayed.fingerprint.empty());
  }
  // Cut off from its server, the client never gets its session: the setup's deadline fails.
  const auto [trace, verdict] = judged_run("self_dial_should_work", faults({"0s partition a|s0"}));
  REQUIRE_FALSE(verdict.passed);
  CHECK(verdict.fingerprint == "scenario/self_dial_should_work:awaited.setup:-");
  const scenarios::Verdict replayed = test_support::replayed_verdict(trace);
  CHECK_FALSE(replayed.passed);
  CHECK(replayed.fingerprint == verdict.fingerprint);
  REQUIRE(replayed.failures.size() == verdict.failures.size());
  CHECK(replayed.failures.front().describe() == verdict.failures.front().describe());
}

TEST_CASE("trace: fingerprints: field patterns keep structure and drop ids") {
  CHECK(scenarios::field_pattern("streams/26/acceptor") == "streams/*/acceptor");
  CHECK(scenarios::field_pattern("clients/c3") == "clients/*");
  CHECK(scenarios::field_pattern("servers/s12") == "servers/*");
  CHECK(scenarios::field_pattern("") == "-");
  CHECK(scenarios::field_pattern("streams/dialer") == "streams/dialer");
  scenarios::Failure failure;
  failure.check_id = "exact.delivered";
  failure.entity = "streams/7/dialer";
  CHECK(scenarios::fingerprint("chaos", failure, dmsg::PlantedBug::kNone) == "chaos:exact.delivered:streams/*/dialer");
  CHECK(scenarios::fingerprint("chaos", failure, dmsg::PlantedBug::kRelayDropsChunk) ==
        "chaos:exact.delivered:streams/*/dialer:relay-drops-chunk");
}

TEST_CASE("trace: replay: a fault scenario's own server faults replay with a verified chain") {
  // The script kills, crashes and restarts the server itself; the replay re-derives it all.
  const sim::TraceFile trace = record("reconnect_to_server_should_succeed", 3, {}, sim::SnapshotPolicy{20'000, 0});
  CHECK(trace.last_tick() > 20'000);
  sim::Result<scenarios::ReplayOutcome> replayed = session_of(trace).replay();
  REQUIRE(replayed.ok());
  CHECK_FALSE(replayed->divergence.has_value());
}

TEST_CASE("trace: replay: a replay with one input changed diverges in exactly that input's tick") {
  const sim::TraceFile recorded =
      record("transfer", 4, faults({"120ms partition a0|b0", "200ms heal"}), sim::SnapshotPolicy{50, 0}, 300);
  sim::TraceFile tampered = recorded;
  scenarios::RunDescription run;
  sim::Reader reader(tampered.run);
  reader.read(run);
  run.inputs[0] = scenarios::parse_fault("150ms partition a0|b0").value();
  tampered.run = sim::encode(run);
  sim::Result<scenarios::ReplayOutcome> replayed = session_of(tampered).replay();
  REQUIRE(replayed.ok());
  REQUIRE(replayed->divergence.has_value());
  const scenarios::Divergence& d = *replayed->divergence;
  // The recording had the partition at tick 120; the replay does not.
  CHECK(d.tick == 120);
  REQUIRE(d.diff_tick.has_value());
  CHECK(*d.diff_tick == 150);
  bool saw_blocked = false;
  for (const sim::JsonDifference& diff : d.diff)
    saw_blocked = saw_blocked || diff.path.find("/blocked") != std::string::npos;
  CHECK(saw_blocked);
  CHECK_THAT(scenarios::describe(d), Catch::Contains("diverged in tick 120"));
}

TEST_CASE("trace: seek: any tick equals the uninterrupted run's state, with sparse and dense snapshots") {
  constexpr uint64_t kTicks = 700;
  const std::vector<FaultInput> inputs = faults({"200ms partition a0|b0", "260ms heal"});
  scenarios::RunConfig config;
  config.seed = 5;
  config.profile = "lossy";
  for (uint64_t every : {uint64_t{1}, uint64_t{300}}) {
    INFO("snapshot every " << every << " ticks");
    const sim::TraceFile trace = record("transfer", 5, inputs, sim::SnapshotPolicy{every, 0}, kTicks, "lossy");
    const TraceSession session = session_of(trace);
    sim::Rng pick = sim::Rng::stream(every, "test/seek");
    for (int i = 0; i < 6; ++i) {
      const uint64_t tick = static_cast<uint64_t>(pick.uniform(0, kTicks));
      INFO("tick " << tick);
      auto reference = scenarios::ScenarioRunner::create(*scenarios::find_scenario("transfer"), config, inputs);
      REQUIRE(reference.ok());
      (*reference)->run(tick);
      auto sought = session.at_tick(tick);
      REQUIRE(sought.ok());
      CHECK((*sought)->world().tick() == tick);
      CHECK((*sought)->world().state_hash() == (*reference)->world().state_hash());
      CHECK((*sought)->world().chain_hash() == session.chain_at(tick));
      CHECK((*sought)->world().dump_json() == (*reference)->world().dump_json());
    }
  }
}

TEST_CASE("trace: snapshots at every tick: every tick of a lossy transfer restores to its recorded state") {
  constexpr uint64_t kTicks = 1200;
  const std::vector<FaultInput> inputs = faults({"300ms partition a0|b0", "340ms heal"});
  const TraceSession session =
      session_of(record("transfer", 5, inputs, scenarios::recording_snapshot_policy(), kTicks, "lossy"));
  const sim::TraceFile& trace = session.trace();
  REQUIRE(trace.snapshots->stats().snapshots == kTicks + 1);
  for (uint64_t t = 0; t <= kTicks; ++t) {
    INFO("tick " << t);
    sim::Result<sim::Snapshot> snapshot = trace.snapshot_at(t);
    REQUIRE(snapshot.ok());
    // The restore checks the state hash the recording kept for the tick.
    sim::Result<std::unique_ptr<sim::World>> world = sim::World::restore(*snapshot, scenarios::all_actor_types());
    REQUIRE(world.ok());
    CHECK((*world)->tick() == t);
    CHECK((*world)->chain_hash() == session.chain_at(t));
  }
  // Seek restores directly: the runner it gives has run no tick.
  auto sought = session.at_tick(777);
  REQUIRE(sought.ok());
  CHECK((*sought)->world().events_processed() == 0);
  CHECK((*sought)->world().chain_hash() == session.chain_at(777));
  // A fresh process restores the same ticks from the file.
  const std::string path = test_support::scratch_path("every-tick.trace");
  REQUIRE(sim::write_trace(path, trace).ok());
  for (const uint64_t t : {uint64_t{1}, uint64_t{333}, kTicks}) {
    const test_support::DmsgsimRun seek = test_support::run_dmsgsim(fmt::format("seek {} --tick {} --hash", path, t));
    INFO(seek.output);
    CHECK(seek.exit_code == 0);
    CHECK_THAT(seek.output, Catch::Contains(fmt::format("chain_hash 0x{:016x}", session.chain_at(t))));
  }
}

TEST_CASE("trace: snapshots at every tick: a budget too small for the run thins them and every tick still seeks") {
  constexpr uint64_t kTicks = 900;
  const std::vector<FaultInput> inputs = faults({"300ms partition a0|b0", "340ms heal"});
  const auto recorded = [&](uint64_t budget) {
    return record("transfer", 5, inputs, scenarios::recording_snapshot_policy(), kTicks, "lossy", budget);
  };
  const sim::TraceFile full = recorded(0);
  const uint64_t unthinned = full.snapshots->stored_bytes();
  const uint64_t budget = unthinned / 2;
  const TraceSession session = session_of(recorded(budget));
  const sim::SnapshotStoreStats stats = session.trace().snapshots->stats();
  INFO("unthinned " << unthinned << " bytes; thinned to " << session.trace().snapshots->stored_bytes());
  CHECK(stats.thinning_passes > 0);
  CHECK(stats.thinned_ticks > 0);
  CHECK(stats.snapshots + stats.thinned_ticks == kTicks + 1);
  CHECK(session.trace().snapshots->stored_bytes() <= budget);
  CHECK(session.trace().snapshots->has(0));
  CHECK(session.trace().snapshots->has(kTicks));
  // Dense near the end, sparse further back.
  uint64_t recent = 0;
  uint64_t early = 0;
  for (uint64_t t = 0; t <= kTicks; ++t) {
    if (!session.trace().snapshots->has(t)) continue;
    (t > kTicks / 2 ? recent : early) += 1;
  }
  CHECK(recent > early);
  for (uint64_t t = 0; t <= kTicks; t += 7) {
    INFO("tick " << t);
    auto sought = session.at_tick(t);
    REQUIRE(sought.ok());
    CHECK((*sought)->world().chain_hash() == full.chain[t]);
  }
}

TEST_CASE("trace: debug: watch from the change index finds what a tick-by-tick scan finds") {
  // The same run twice: every tick kept (watch reads the store's change index) and one
  // snapshot in 1000 ticks (watch re-executes tick by tick).
  const std::vector<FaultInput> inputs = faults({"150ms partition a0|b0", "180ms heal", "250ms clog a1 20ms"});
  const TraceSession dense = session_of(record("transfer", 7, inputs, scenarios::recording_snapshot_policy(), 400));
  const TraceSession sparse = session_of(record("transfer", 7, inputs, sim::SnapshotPolicy{1000, 0}, 400));
  for (const char* pointer : {"/actors/0/state/blocked", "/nodes/a0/state", "/nodes/b1/state/no_such_field"}) {
    INFO(pointer);
    sim::Result<scenarios::Debugger> a = scenarios::Debugger::open(dense);
    sim::Result<scenarios::Debugger> b = scenarios::Debugger::open(sparse);
    REQUIRE((a.ok() && b.ok()));
    REQUIRE((a->go_to(5).ok() && b->go_to(5).ok()));
    for (int step = 0; step < 6; ++step) {
      auto from_index = a->watch_forward(pointer);
      auto from_scan = b->watch_forward(pointer);
      REQUIRE((from_index.ok() && from_scan.ok()));
      REQUIRE(from_index->has_value() == from_scan->has_value());
      CHECK(a->tick() == b->tick());
      if (!from_index->has_value()) break;
      CHECK((*from_index)->tick == (*from_scan)->tick);
      CHECK((*from_index)->before == (*from_scan)->before);
      CHECK((*from_index)->after == (*from_scan)->after);
    }
    REQUIRE((a->go_to(400).ok() && b->go_to(400).ok()));
    auto last_index = a->watch_backward(pointer);
    auto last_scan = b->watch_backward(pointer);
    REQUIRE((last_index.ok() && last_scan.ok()));
    REQUIRE(last_index->has_value() == last_scan->has_value());
    CHECK(a->tick() == b->tick());
    if (last_index->has_value()) CHECK((*last_index)->tick == (*last_scan)->tick);
  }
}

TEST_CASE("trace: debug: back 1 shows tick t-1's recorded hash and step 1 tick t's") {
  const TraceSession session = session_of(record("transfer", 6, {}, sim::SnapshotPolicy{100, 0}, 350));
  sim::Result<scenarios::Debugger> debugger = scenarios::Debugger::open(session);
  REQUIRE(debugger.ok());
  for (uint64_t t : {uint64_t{101}, uint64_t{250}, uint64_t{100}, uint64_t{1}}) {
    INFO("tick " << t);
    REQUIRE(debugger->go_to(t).ok());
    REQUIRE(debugger->back(1).ok());
    CHECK(debugger->tick() == t - 1);
    CHECK(debugger->chain_hash() == session.chain_at(t - 1));
    REQUIRE(debugger->step(1).ok());
    CHECK(debugger->tick() == t);
    CHECK(debugger->chain_hash() == session.chain_at(t));
  }
  CHECK_FALSE(debugger->go_to(351).ok());
  REQUIRE(debugger->go_to(0).ok());
  CHECK_FALSE(debugger->back(1).ok());
}

TEST_CASE("trace: debug: watch finds the exact tick of a change, even one reverted before the next snapshot") {
  // The partition lasts 30 ticks, well inside one 1000-tick snapshot interval: a scan that
  // compared snapshots only would see no change at all.
  const TraceSession session = session_of(
      record("transfer", 7, faults({"150ms partition a0|b0", "180ms heal"}), sim::SnapshotPolicy{1000, 0}, 320));
  sim::Result<scenarios::Debugger> debugger = scenarios::Debugger::open(session);
  REQUIRE(debugger.ok());
  REQUIRE(debugger->go_to(10).ok());
  const std::string pointer = "/actors/0/state/blocked";
  auto appeared = debugger->watch_forward(pointer);
  REQUIRE(appeared.ok());
  REQUIRE(appeared->has_value());
  CHECK((*appeared)->tick == 151);  // applied at the start of tick 150, seen after it
  CHECK((*appeared)->before == "[]");
  auto cleared = debugger->watch_forward(pointer);
  REQUIRE(cleared.ok());
  REQUIRE(cleared->has_value());
  CHECK((*cleared)->tick == 181);
  CHECK((*cleared)->after == "[]");
  auto none = debugger->watch_forward(pointer);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  CHECK(debugger->tick() == 320);
  // Backwards from the end: the last change is the heal.
  auto last = debugger->watch_backward(pointer);
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->tick == 181);
  CHECK(debugger->tick() == 181);
  CHECK(debugger->print(pointer).value() == "[]");
  REQUIRE(debugger->back(1).ok());
  CHECK(debugger->print(pointer).value() != "[]");
}

TEST_CASE("trace: fork: a fork diverges from its parent and replays from its own trace") {
  const sim::TraceFile parent =
      record("transfer", 8, faults({"400ms partition a0|b0"}), sim::SnapshotPolicy{100, 0}, 500, "lossy");
  const TraceSession session = session_of(parent);
  auto make_fork = [&](uint64_t seed) {
    auto runner = session.at_tick(250);
    REQUIRE(runner.ok());
    sim::World& world = (*runner)->world();
    const sim::ForkOrigin origin{8, world.chain_hash(), 250, seed};
    world.reseed_for_fork(seed);
    world.set_snapshot_policy(sim::SnapshotPolicy{100, 0});
    world.keep_snapshot_now();
    while (world.tick() < 500) (*runner)->run_tick();
    return scenarios::record_trace(**runner, origin);
  };
  const sim::TraceFile fork = make_fork(99);
  CHECK(fork.first_tick == 250);
  REQUIRE(fork.fork.has_value());
  CHECK(fork.fork->parent_chain_hash == session.chain_at(250));
  CHECK(fork.chain.front() != session.chain_at(250));
  CHECK(fork.chain.back() != parent.chain.back());
  CHECK(make_fork(99).chain == fork.chain);
  CHECK(make_fork(100).chain != fork.chain);
  sim::Result<scenarios::ReplayOutcome> replayed = session_of(fork).replay();
  REQUIRE(replayed.ok());
  CHECK_FALSE(replayed->divergence.has_value());
}
