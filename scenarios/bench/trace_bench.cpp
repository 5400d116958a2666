// Trace costs: seeking in a long trace, recording overhead, trace size.
#include "scenarios/bench/bench.h"
#include "scenarios/cli/wall_clock.h"
#include "scenarios/replay/trace_session.h"
#include "sim/fmt.h"
#include "sim/trace_file.h"

#include <algorithm>

namespace scenarios::bench {
namespace {

constexpr uint64_t kTicks = 1'000'000;

// The demo world runs events at every tick for a million ticks: every part of the trace
// is busy, the worst case for seeking.
std::unique_ptr<ScenarioRunner> demo_runner() {
  RunConfig config;
  config.seed = 1;
  return ScenarioRunner::create(*find_scenario("demo"), config, {}).value();
}

}  // namespace

std::vector<Figure> run_trace_group() {
  int64_t start = cli::wall_now_ns();
  demo_runner()->run(kTicks);
  const double plain_s = seconds_since(start);

  start = cli::wall_now_ns();
  std::unique_ptr<ScenarioRunner> recorded = demo_runner();
  recorded->world().set_snapshot_policy(default_snapshot_policy());
  recorded->run(kTicks);
  const sim::Bytes file = sim::encode_trace(record_trace(*recorded));
  const double recorded_s = seconds_since(start);

  TraceSession session = TraceSession::open(sim::decode_trace(file).value()).value();
  sim::Rng pick = sim::Rng::stream(1, "bench/seek");
  double worst_ms = 0;
  double total_ms = 0;
  constexpr int kSeeks = 20;
  for (int i = 0; i < kSeeks; ++i) {
    const uint64_t tick = static_cast<uint64_t>(pick.uniform(0, kTicks));
    start = cli::wall_now_ns();
    SIM_ASSERT(session.at_tick(tick).ok());
    const double ms = seconds_since(start) * 1e3;
    worst_ms = std::max(worst_ms, ms);
    total_ms += ms;
  }
  return {
      {"trace_seek_mean_ms", total_ms / kSeeks, "ms per seek to a random tick of a 1M-tick trace (default policy)"},
      {"trace_seek_max_ms", worst_ms, "ms, slowest of 20 seeks"},
      {"trace_record_overhead_percent", (recorded_s / plain_s - 1) * 100,
       "% longer to run 1M ticks while recording (snapshots, chain, encoding)"},
      {"trace_bytes_per_million_ticks", static_cast<double>(file.size()), "bytes of trace per 1M ticks (demo world)"},
      {"trace_snapshots", static_cast<double>(session.trace().snapshots->stats().snapshots), "snapshots in that trace"},
  };
}

}  // namespace scenarios::bench
