// The chaos run's speed: the default world (5 servers, 50 clients, at most 200 streams)
// for one virtual hour at the default event rates.
#include "scenarios/bench/bench.h"
#include "scenarios/chaos/panel.h"
#include "scenarios/cli/wall_clock.h"

namespace scenarios::bench {

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
  return {
      {"chaos_speedup", virtual_seconds / seconds, "virtual seconds per wall second (target >= 1000)"},
      {"chaos_sim_events_per_s", static_cast<double>(world.events_processed()) / seconds,
       "simulation events per wall second"},
      {"chaos_panel_events_per_s", static_cast<double>(result.events_executed()) / seconds,
       "control-panel events executed per wall second"},
      {"chaos_virtual_s", virtual_seconds, "virtual seconds run (one hour of faults, then the settle phase)"},
      {"chaos_wall_s", seconds, "wall seconds"},
  };
}

}  // namespace scenarios::bench
