// The shrinker's cost: each planted bug's failing chaos run at its first failing seed among
// 1-20 (backlog-never-rejects on the dense config file), shrunk within 500 runs.
#include "scenarios/bench/bench.h"
#include "scenarios/chaos/panel.h"
#include "scenarios/cli/wall_clock.h"
#include "scenarios/replay/trace_session.h"
#include "scenarios/shrink/shrinker.h"

namespace scenarios::bench {
namespace {

constexpr uint64_t kMaxRuns = 500;
constexpr uint64_t kSeeds = 20;

// configs/chaos-backlog-dense.json, as the issue's table runs it.
chaos::ChaosConfig dense_backlog_config() {
  sim::Result<chaos::ChaosConfig> config = chaos::parse_chaos_config(
      R"({"servers": 2, "clients": 4, "streams": 100, "duration": "200s", "max_events_per_batch": 20,
          "probabilities": {"dial": "1/1"}})");
  SIM_ASSERT(config.ok());
  return config.value();
}

struct FailingRun {
  uint64_t seed = 0;
  sim::TraceFile trace;
  std::string fingerprint;
};

std::optional<FailingRun> first_failing_run(dmsg::PlantedBug bug, const chaos::ChaosConfig& config) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    auto panel = chaos::ControlPanel::create(config, seed, bug);
    SIM_ASSERT_MSG(panel.ok(), "the benchmark's chaos configuration is valid");
    const chaos::ChaosResult result = panel.value()->run();
    if (!result.passed) return FailingRun{seed, record_trace(panel.value()->runner()), result.verdict.fingerprint};
  }
  return std::nullopt;
}

void add_shrink_figures(std::string_view name, dmsg::PlantedBug bug, const chaos::ChaosConfig& config,
                        std::vector<Figure>& figures) {
  const std::optional<FailingRun> failing = first_failing_run(bug, config);
  SIM_ASSERT_MSG(failing.has_value(), "planted bug {} fails no seed of 1-{}", name, kSeeds);
  sim::Result<TraceSession> session = TraceSession::open(failing->trace);
  SIM_ASSERT(session.ok());
  const int64_t start = cli::wall_now_ns();
  sim::Result<shrink::ShrinkResult> result =
      shrink::shrink_run(session->scenario(), session->run(), failing->fingerprint, failing->trace.last_tick(),
                         shrink::Budget{kMaxRuns, {}});
  const double seconds = seconds_since(start);
  SIM_ASSERT_MSG(result.ok(), "shrinking {}: {}", name, result.ok() ? "" : result.error().message);
  const std::string key = fmt::format("shrink_{}", name);
  figures.push_back({key + "_seed", static_cast<double>(failing->seed), "first failing seed"});
  figures.push_back({key + "_inputs_before", static_cast<double>(result->original.inputs.size()), "inputs"});
  figures.push_back({key + "_inputs_after", static_cast<double>(result->shrunk.inputs.size()), "inputs"});
  figures.push_back({key + "_runs", static_cast<double>(result->counts.runs), "runs (budget 500)"});
  figures.push_back({key + "_wall_s", seconds, "wall seconds (target <= 60)"});
}

}  // namespace

std::vector<Figure> run_shrink_group() {
  std::vector<Figure> figures;
  const chaos::ChaosConfig defaults;
  add_shrink_figures("relay_drops_chunk", dmsg::PlantedBug::kRelayDropsChunk, defaults, figures);
  add_shrink_figures("client_never_reconnects", dmsg::PlantedBug::kClientNeverReconnects, defaults, figures);
  add_shrink_figures("server_keeps_other_leg", dmsg::PlantedBug::kServerKeepsOtherLeg, defaults, figures);
  add_shrink_figures("backlog_never_rejects", dmsg::PlantedBug::kBacklogNeverRejects, dense_backlog_config(), figures);
  return figures;
}

}  // namespace scenarios::bench
