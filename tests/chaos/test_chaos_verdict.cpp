// Verdicts of chaos runs: the judge re-derives them on replay from the recorded inputs
// alone, and their fingerprints name a failure the same way on every seed.
#include "tests/chaos/chaos_fixture.h"
#include "tests/support/replayed_verdict.h"

#include "scenarios/replay/failure_file.h"
#include "scenarios/replay/history.h"
#include "scenarios/replay/trace_session.h"
#include "sim/json_value.h"

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
    check_same_verdict(test_support::replayed_verdict(run.trace), run.result.verdict);
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
    check_same_verdict(test_support::replayed_verdict(run->trace), run->result.verdict);
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

TEST_CASE("chaos verdict: failure.json names the stream, its end, the first bad byte and the tick it first held") {
  const std::optional<RecordedRun> run = first_failure(chaos_test::small_config(), dmsg::PlantedBug::kRelayDropsChunk);
  REQUIRE(run.has_value());
  const Verdict& verdict = run->result.verdict;
  const scenarios::Failure& primary = verdict.failures.front();
  REQUIRE(primary.check_id == "oracle.content");
  REQUIRE(primary.stream.has_value());
  REQUIRE(primary.byte_offset.has_value());
  CHECK(primary.stream_end == "acceptor");
  auto session = scenarios::TraceSession::open(run->trace);
  REQUIRE(session.ok());
  const auto origin = scenarios::locate_failure(*session, verdict);
  REQUIRE(origin.ok());
  CHECK(origin->searched);
  CHECK(origin->first_tick > verdict.last_passing_tick);
  CHECK(origin->first_tick <= primary.tick);
  // The condition holds at the first tick and not one tick before: the bad bytes arrived there.
  auto damaged = [&](uint64_t tick) {
    auto runner = session->at_tick(tick);
    REQUIRE(runner.ok());
    const scenarios::chaos::WorldView view = scenarios::chaos::Viewer((*runner)->world()).look((*runner)->world());
    const scenarios::chaos::StreamView& s = view.streams.at(*primary.stream);
    return s.at_acceptor.mismatches != 0 ? std::optional(s.at_acceptor.first_bad_offset) : std::nullopt;
  };
  CHECK(damaged(origin->first_tick) == primary.byte_offset);
  CHECK_FALSE(damaged(origin->first_tick - 1).has_value());
  const auto parsed = sim::parse_json(scenarios::failure_json(*session, verdict, *origin, "run.trace"));
  REQUIRE(parsed.ok());
  CHECK(parsed->find("fingerprint")->scalar() == verdict.fingerprint);
  CHECK(parsed->find("end")->scalar() == "acceptor");
  CHECK(parsed->find("first_bad_offset")->scalar() == std::to_string(*primary.byte_offset));
  CHECK(parsed->find("bytes_arrived_tick")->scalar() == std::to_string(origin->first_tick));
}

TEST_CASE("chaos verdict: the failing stream's history shows the write, the relay's legs and the shortfall") {
  const std::optional<RecordedRun> run = first_failure(chaos_test::small_config(), dmsg::PlantedBug::kRelayDropsChunk);
  REQUIRE(run.has_value());
  const scenarios::Failure& primary = run->result.verdict.failures.front();
  REQUIRE(primary.stream.has_value());
  auto session = scenarios::TraceSession::open(run->trace);
  REQUIRE(session.ok());
  const std::string stream = fmt::format("stream:{}", *primary.stream);
  const auto history = scenarios::entity_history(*session, stream, run->trace.first_tick, run->trace.last_tick());
  REQUIRE(history.ok());
  bool wrote = false;
  bool relayed = false;
  bool relay_legs = false;
  bool shortfall = false;
  uint64_t last_tick = 0;
  for (const scenarios::HistoryEntry& e : *history) {
    CHECK(e.tick >= last_tick);  // in time order
    last_tick = e.tick;
    wrote = wrote || (e.kind == "input" && e.text.find(fmt::format("write {} ", *primary.stream)) != std::string::npos);
    relayed = relayed || (e.kind == "state" && e.text.find(" via s") != std::string::npos);
    relay_legs = relay_legs || (e.kind == "state" && e.text.starts_with("relay s") &&
                                e.text.find(" to the acceptor, ") != std::string::npos);
    shortfall = shortfall ||
                (e.kind == "state" &&
                 e.text.find("bytes wrong from offset " + std::to_string(*primary.byte_offset)) != std::string::npos);
  }
  CHECK(wrote);
  CHECK(relayed);
  CHECK(relay_legs);
  CHECK(shortfall);
  // A node's history: it comes up, and its fields change.
  const auto node = scenarios::entity_history(*session, "s0", 0, 2000);
  REQUIRE(node.ok());
  REQUIRE_FALSE(node->empty());
  CHECK(node->front().text.starts_with("up"));
  CHECK(node->size() > 2);
  // A session, as its client holds it: none at first, then open.
  const auto session_history = scenarios::entity_history(*session, "session:c0-s0", 0, run->trace.last_tick());
  REQUIRE(session_history.ok());
  std::vector<std::string> states;
  for (const scenarios::HistoryEntry& e : *session_history) {
    if (e.kind == "state") states.push_back(e.text);
  }
  REQUIRE(states.size() >= 2);
  CHECK(states[0] == "none at the client");
  CHECK(states[1] == "open at the client");
  // What does not exist is named, with what does.
  const auto unknown = scenarios::entity_history(*session, "zz", 0, 10);
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("c0") && Catch::Contains("stream:N"));
  const auto no_stream = scenarios::entity_history(*session, "stream:100000", 0, 10);
  REQUIRE_FALSE(no_stream.ok());
  CHECK_THAT(no_stream.error().message, Catch::Contains("dialed: "));
}
