// Verdicts of chaos runs: the judge re-derives them on replay from the recorded inputs
// alone, and their fingerprints name a failure the same way on every seed.
#include "tests/chaos/chaos_fixture.h"

#include "scenarios/replay/trace_session.h"

#include <optional>

using scenarios::Verdict;
using scenarios::chaos::ChaosConfig;
using scenarios::chaos::ChaosResult;

namespace {

struct RecordedRun {
  ChaosResult result;
  sim::TraceFile trace;
};

RecordedRun run_and_record(const ChaosConfig& config, uint64_t seed, dmsg::PlantedBug bug) {
  auto panel = scenarios::chaos::ControlPanel::create(config, seed, bug);
  REQUIRE(panel.ok());
  RecordedRun run{panel.value()->run(), {}};
  run.trace = scenarios::record_trace(panel.value()->runner());
  return run;
}

// The verdict a replay of the trace re-derives (through the file format, as a user's is).
Verdict replayed_verdict(const sim::TraceFile& trace) {
  sim::Result<sim::TraceFile> decoded = sim::decode_trace(sim::encode_trace(trace));
  REQUIRE(decoded.ok());
  auto session = scenarios::TraceSession::open(std::move(decoded).value());
  REQUIRE(session.ok());
  auto replayed = session->replay();
  REQUIRE(replayed.ok());
  REQUIRE_FALSE(replayed->divergence.has_value());
  INFO(replayed->unjudged);
  REQUIRE(replayed->verdict.has_value());
  return *replayed->verdict;
}

void check_same_verdict(const Verdict& replayed, const Verdict& original) {
  CHECK(replayed.passed == original.passed);
  CHECK(replayed.interrupted == original.interrupted);
  CHECK(replayed.fingerprint == original.fingerprint);
  REQUIRE(replayed.failures.size() == original.failures.size());
  for (size_t i = 0; i < replayed.failures.size(); ++i) {
    CHECK(replayed.failures[i].describe() == original.failures[i].describe());
  }
}

// The first seed of 1..20 at which `bug` is caught, recorded.
std::optional<RecordedRun> first_failure(const ChaosConfig& config, dmsg::PlantedBug bug, uint64_t from = 1) {
  for (uint64_t seed = from; seed < from + 20; ++seed) {
    RecordedRun run = run_and_record(config, seed, bug);
    if (!run.result.passed) return run;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("chaos verdict: a replay re-derives a passing run's result from the recorded inputs") {
  ChaosConfig config = chaos_test::small_config();
  config.duration = sim::Duration::seconds(60);
  for (const uint64_t seed : {3, 4}) {
    const RecordedRun run = run_and_record(config, seed, dmsg::PlantedBug::kNone);
    INFO("seed " << seed << "\n" << chaos_test::describe(run.result));
    REQUIRE(run.result.passed);
    CHECK(run.result.verdict.fingerprint.empty());
    check_same_verdict(replayed_verdict(run.trace), run.result.verdict);
  }
}

TEST_CASE("chaos verdict: a replay re-derives each planted bug's failure, mismatch for mismatch") {
  for (const dmsg::PlantedBug bug : {dmsg::PlantedBug::kRelayDropsChunk, dmsg::PlantedBug::kServerKeepsOtherLeg,
                                     dmsg::PlantedBug::kClientNeverReconnects}) {
    INFO("planted bug " << enum_name(bug));
    const std::optional<RecordedRun> run = first_failure(chaos_test::small_config(), bug);
    REQUIRE(run.has_value());
    INFO(chaos_test::describe(run->result));
    REQUIRE_FALSE(run->result.verdict.fingerprint.empty());
    check_same_verdict(replayed_verdict(run->trace), run->result.verdict);
  }
}

TEST_CASE("chaos verdict: two seeds failing the same way share a fingerprint; other failures differ") {
  const ChaosConfig config = chaos_test::small_config();
  const std::optional<RecordedRun> first = first_failure(config, dmsg::PlantedBug::kRelayDropsChunk);
  REQUIRE(first.has_value());
  const std::optional<RecordedRun> second =
      first_failure(config, dmsg::PlantedBug::kRelayDropsChunk, first->result.seed + 1);
  REQUIRE(second.has_value());
  INFO("seeds " << first->result.seed << " and " << second->result.seed);
  CHECK(first->result.verdict.fingerprint == "chaos:oracle.content:streams/*/acceptor:relay-drops-chunk");
  CHECK(second->result.verdict.fingerprint == first->result.verdict.fingerprint);
  const std::optional<RecordedRun> other = first_failure(config, dmsg::PlantedBug::kClientNeverReconnects);
  REQUIRE(other.has_value());
  CHECK(other->result.verdict.fingerprint == "chaos:liveness.sessions:clients/*:client-never-reconnects");
}
