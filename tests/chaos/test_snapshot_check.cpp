// The test plan's snapshot check (chaos --verify-snapshots): seeds pass with it on, and it
// catches a planted bug whose state escapes the snapshot, which nothing else does.
#include "tests/chaos/chaos_fixture.h"
#include "tests/support/dmsgsim_process.h"
#include "tests/support/test_main.h"

#include "scenarios/chaos/artifacts.h"
#include "scenarios/replay/trace_session.h"
#include "sim/file_io.h"

#include <algorithm>
#include <filesystem>
#include <string>

using scenarios::chaos::ChaosConfig;
using scenarios::chaos::ChaosResult;

namespace {

ChaosConfig verifying(ChaosConfig config) {
  config.verify_snapshots = true;
  return config;
}

constexpr dmsg::PlantedBug kEscape = dmsg::PlantedBug::kClientPortOutsideSnapshot;

// The first seed of 1..20 on which the snapshot check catches the escape.
std::optional<uint64_t> first_caught_seed() {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    if (!chaos_test::run_chaos(verifying(chaos_test::small_config()), seed, kEscape).passed) return seed;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("chaos: snapshot check: seeds 1-3 pass with it on, and it never changes the run") {
  const test_support::SeedRange range = test_support::seeds(1, 3);
  for (uint64_t seed = range.first; seed <= range.last; ++seed) {
    INFO("seed " << seed << ": dmsgsim chaos --seed " << seed
                 << " --servers 3 --clients 8 --streams 30 --duration 200s --verify-snapshots");
    const ChaosResult checked = chaos_test::run_chaos(verifying(chaos_test::small_config()), seed);
    INFO(chaos_test::describe(checked) << (checked.snapshot_mismatch ? checked.snapshot_mismatch->describe()
                                                                     : std::string()));
    CHECK(checked.passed);
    CHECK_FALSE(checked.snapshot_mismatch.has_value());
    // Every batch interval was restored and run again (the first batch starts at tick 0).
    CHECK(checked.snapshot_checks >= checked.batches);
    const ChaosResult plain = chaos_test::run_chaos(chaos_test::small_config(), seed);
    CHECK(plain.snapshot_checks == 0);
    CHECK(checked.chain_hash == plain.chain_hash);
    CHECK(checked.verdict.passed == plain.verdict.passed);
  }
}

TEST_CASE("chaos: snapshot check: a port counter outside the snapshot passes everything else and is caught") {
  const std::optional<uint64_t> seed = first_caught_seed();
  REQUIRE(seed.has_value());
  INFO("caught at seed " << *seed);

  // Without the snapshot check the run passes: a run from the start never restores.
  auto plain = scenarios::chaos::ControlPanel::create(chaos_test::small_config(), *seed, kEscape);
  REQUIRE(plain.ok());
  const ChaosResult passed = (*plain)->run();
  INFO(chaos_test::describe(passed));
  CHECK(passed.passed);
  // ... and so does the replay of its trace.
  sim::Result<scenarios::TraceSession> session = scenarios::TraceSession::open(record_trace((*plain)->runner()));
  REQUIRE(session.ok());
  sim::Result<scenarios::ReplayOutcome> replayed = session->replay();
  REQUIRE(replayed.ok());
  CHECK_FALSE(replayed->divergence.has_value());
  REQUIRE(replayed->verdict.has_value());
  CHECK(replayed->verdict->passed);

  // With it, the first differing field is a port of a stream of a client.
  auto panel = scenarios::chaos::ControlPanel::create(verifying(chaos_test::small_config()), *seed, kEscape);
  REQUIRE(panel.ok());
  const ChaosResult caught = (*panel)->run();
  REQUIRE_FALSE(caught.passed);
  REQUIRE(caught.snapshot_mismatch.has_value());
  const scenarios::SnapshotMismatch& m = *caught.snapshot_mismatch;
  INFO(m.describe());
  CHECK(m.restore_error.empty());
  CHECK(m.to_tick > m.from_tick);
  CHECK(m.recorded_state_hash != m.rerun_state_hash);
  REQUIRE_FALSE(m.differences.empty());
  CHECK(m.first_path().starts_with("/actors/"));
  // The cause is among the differences: a port a client numbered anew.
  const bool port_differs = std::any_of(m.differences.begin(), m.differences.end(), [](const sim::JsonDifference& d) {
    return d.path.ends_with("/port") && d.path.find("/state/client/") != std::string::npos;
  });
  CHECK(port_differs);
  CHECK(caught.verdict.fingerprint.starts_with("chaos:snapshot.restored_state:actors/*/"));
  CHECK(caught.verdict.fingerprint.ends_with(":client-port-outside-snapshot"));
  CHECK(caught.verdict.last_passing_tick == m.from_tick);

  // The failure folder's trace keeps that snapshot: restored in a process of its own, it
  // goes its own way too, while the replay from the start still agrees.
  const std::filesystem::path dir = test_support::scratch_path("snapshot-escape");
  std::filesystem::remove_all(dir);
  sim::Result<scenarios::chaos::FailureArtifacts> written = write_failure_artifacts(**panel, caught, dir.string());
  REQUIRE(written.ok());
  CHECK(std::filesystem::exists(dir / "restored.snap"));
  CHECK(std::filesystem::exists(dir / "snapshot-differences.txt"));
  const std::string trace = (dir / "run.trace").string();
  const test_support::DmsgsimRun from_start = test_support::run_dmsgsim("replay " + trace);
  INFO(from_start.output);
  CHECK(from_start.exit_code == 0);
  const test_support::DmsgsimRun restored =
      test_support::run_dmsgsim(fmt::format("replay {} --restore-at {}", trace, m.from_tick));
  INFO(restored.output);
  CHECK(restored.exit_code == 1);
  CHECK(restored.output.find(fmt::format("diverged in tick {}", m.from_tick)) != std::string::npos);
  const test_support::DmsgsimRun outside =
      test_support::run_dmsgsim(fmt::format("replay {} --restore-at 99999999", trace));
  CHECK(outside.exit_code == 2);
  CHECK(outside.output.find("--restore-at takes a tick") != std::string::npos);
}

TEST_CASE("chaos: snapshot check: the command reports the first differing field and exits 1") {
  const std::optional<uint64_t> seed = first_caught_seed();
  REQUIRE(seed.has_value());
  const std::filesystem::path dir = test_support::scratch_path("snapshot-escape-command");
  std::filesystem::remove_all(dir);
  const test_support::DmsgsimRun run = test_support::run_dmsgsim(
      fmt::format("chaos --seed {} --servers 3 --clients 8 --streams 30 --duration 200s --plant-bug "
                  "client-port-outside-snapshot --verify-snapshots --artifacts {}",
                  *seed, dir.string()));
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK(run.output.find("snapshot check failed: snapshot of tick") != std::string::npos);
  CHECK(run.output.find("first at /actors/") != std::string::npos);
  CHECK(run.output.find("failure: chaos:snapshot.restored_state:") != std::string::npos);
  CHECK(run.output.find("--restore-at") != std::string::npos);
  const test_support::DmsgsimRun plain = test_support::run_dmsgsim(fmt::format(
      "chaos --seed {} --servers 3 --clients 8 --streams 30 --duration 200s --plant-bug client-port-outside-snapshot",
      *seed));
  INFO(plain.output);
  CHECK(plain.exit_code == 0);
}
