// The chaos run's speed: the default world (5 servers, 50 clients, at most 200 streams)
// for one virtual hour at the default event rates.
#include "scenarios/bench/bench.h"
#include "scenarios/chaos/panel.h"
#include "scenarios/cli/wall_clock.h"

namespace scenarios::bench {
namespace {

// Wall seconds of one passing run of the default world (10 virtual minutes).
double timed_default_run(uint64_t seed, bool verify_snapshots) {
  chaos::ChaosConfig config;
  config.verify_snapshots = verify_snapshots;
  auto panel = chaos::ControlPanel::create(config, seed, dmsg::PlantedBug::kNone);
  SIM_ASSERT_MSG(panel.ok(), "the default chaos configuration is valid");
  const int64_t start = cli::wall_now_ns();
  const chaos::ChaosResult result = panel.value()->run();
  const double seconds = seconds_since(start);
  SIM_ASSERT_MSG(result.passed, "the benchmark's chaos run of seed {} failed", seed);
  return seconds;
}

}  // namespace

std::vector<Figure> run_chaos_group() {
  chaos::ChaosConfig config;  // X = 5, Y = 50, Z = 200, 1 s batches, default probabilities
  config.duration = sim::Duration::seconds(3600);
  auto panel = chaos::ControlPanel::create(config, 1, dmsg::PlantedBug::kNone);
  SIM_ASSERT_MSG(panel.ok(), "the default chaos configuration is valid");
  const int64_t start = cli::wall_now_ns();
  const chaos::ChaosResult result = panel.value()->run();
  const double seconds = seconds_since(start);
  SIM_ASSERT_MSG(result.passed, "the benchmark's chaos run failed: {}",
                 result.mismatches.empty() ? std::string("?") : result.mismatches.front().describe());
  const double virtual_seconds = static_cast<double>(result.virtual_time.ns()) / 1e9;
  const sim::World& world = panel.value()->runner().world();
  // The test plan's snapshot check against the plain run, in this same process.
  const double plain = timed_default_run(7, false);
  const double verified = timed_default_run(7, true);
  return {
      {"chaos_speedup", virtual_seconds / seconds, "virtual seconds per wall second (target >= 1000)"},
      {"chaos_sim_events_per_s", static_cast<double>(world.events_processed()) / seconds,
       "simulation events per wall second"},
      {"chaos_panel_events_per_s", static_cast<double>(result.events_executed()) / seconds,
       "control-panel events executed per wall second"},
      {"chaos_virtual_s", virtual_seconds, "virtual seconds run (one hour of faults, then the settle phase)"},
      {"chaos_wall_s", seconds, "wall seconds"},
      {"chaos_seed7_plain_wall_ms", plain * 1000, "wall ms of seed 7's default run (10 virtual minutes)"},
      {"chaos_seed7_verified_wall_ms", verified * 1000, "the same with --verify-snapshots"},
      {"chaos_verify_snapshots_cost_pct", 100 * verified / plain,
       "the snapshot check's cost: verified over plain wall time, in % (target <= 300)"},
  };
}

}  // namespace scenarios::bench
