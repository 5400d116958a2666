// Traces with a snapshot at every tick (issue 21's targets): size, peak memory and wall
// time of recording against the same run unrecorded, each in a process of its own; then
// seeking in each trace and watching a path over the whole chaos trace.
#include "scenarios/bench/bench.h"
#include "scenarios/bench/child_run.h"
#include "scenarios/cli/wall_clock.h"
#include "scenarios/replay/debugger.h"
#include "scenarios/replay/trace_session.h"
#include "sim/fmt.h"
#include "sim/trace_file.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace scenarios::bench {
namespace {

struct Recording {
  std::string name;  // of the figures
  std::string what;  // for people
  std::vector<std::string> run;
};

// Both runs of `r` in children, and the figures of the trace the second one wrote.
std::vector<Figure> measure_recording(const Recording& r, const std::string& path) {
  const ChildRun plain = run_self(r.run);
  std::vector<std::string> traced = r.run;
  traced.insert(traced.end(), {"--trace", path});
  const ChildRun recorded = run_self(traced);
  SIM_ASSERT_MSG(plain.exit_code == 0 && recorded.exit_code == 0, "the benchmark's {} run failed", r.name);
  std::error_code error;
  const uint64_t bytes = std::filesystem::file_size(path, error);
  SIM_ASSERT_MSG(!error, "the benchmark's trace {} was not written", path);
  const std::string n = "trace_" + r.name;
  return {
      {n + "_bytes", static_cast<double>(bytes), r.what + ": trace bytes, a snapshot at every tick"},
      {n + "_peak_rss_mib", static_cast<double>(recorded.peak_rss_bytes) / (1 << 20), "MiB peak RSS while recording"},
      {n + "_plain_peak_rss_mib", static_cast<double>(plain.peak_rss_bytes) / (1 << 20), "MiB peak RSS unrecorded"},
      {n + "_record_ms", recorded.wall_s * 1e3, "wall ms recording"},
      {n + "_plain_ms", plain.wall_s * 1e3, "wall ms unrecorded"},
      {n + "_record_overhead_pct", (recorded.wall_s / plain.wall_s - 1) * 100, "% more wall time to record"},
  };
}

// The median of 21 seeks to ticks spread over the trace, in an open session.
double median_seek_ms(const TraceSession& session) {
  sim::Rng pick = sim::Rng::stream(1, "bench/seek");
  std::vector<double> ms;
  for (int i = 0; i < 21; ++i) {
    const uint64_t tick = session.trace().first_tick + pick.below(session.trace().last_tick() + 1);
    const int64_t start = cli::wall_now_ns();
    SIM_ASSERT(session.at_tick(tick).ok());
    ms.push_back(seconds_since(start) * 1e3);
  }
  std::nth_element(ms.begin(), ms.begin() + 10, ms.end());
  return ms[10];
}

}  // namespace

std::vector<Figure> run_trace_group() {
  const std::string folder = fmt::format("{}/dmsgsim-bench-trace-{}", P_tmpdir, ::getpid());
  std::filesystem::create_directories(folder);
  const std::vector<Recording> recordings = {
      {"transfer",
       "transfer seed 9 lossy, the whole run",
       {"run", "--scenario", "transfer", "--seed", "9", "--profile", "lossy"}},
      {"chaos", "chaos seed 7, the default world", {"chaos", "--seed", "7"}},
  };
  std::vector<Figure> figures;
  for (const Recording& r : recordings) {
    const std::string path = fmt::format("{}/{}.trace", folder, r.name);
    for (Figure& f : measure_recording(r, path)) figures.push_back(std::move(f));
    const int64_t start = cli::wall_now_ns();
    sim::Result<TraceSession> session = TraceSession::open_file(path);
    SIM_ASSERT_MSG(session.ok(), "the benchmark's trace does not open: {}", session.error().message);
    const double open_ms = seconds_since(start) * 1e3;
    const sim::SnapshotStoreStats s = session->trace().snapshots->stats();
    figures.push_back({"trace_" + r.name + "_open_ms", open_ms, "wall ms to read and check the trace"});
    figures.push_back({"trace_" + r.name + "_seek_median_us", median_seek_ms(*session) * 1e3,
                       "µs, median of 21 seeks (target <= 5000)"});
    figures.push_back(
        {"trace_" + r.name + "_busy_entries", static_cast<double>(s.entries), "ticks where the state changed"});
    figures.push_back({"trace_" + r.name + "_idle_ticks", static_cast<double>(s.snapshots - s.entries),
                       "ticks where only the clock moved: each adds no byte beyond its chain hash"});
    if (r.name == "chaos") {
      sim::Result<Debugger> debugger = Debugger::open(std::move(session).value());
      SIM_ASSERT(debugger.ok());
      const int64_t watch_start = cli::wall_now_ns();
      // A path that never changes: the scan covers the whole trace.
      SIM_ASSERT(debugger->watch_forward("/nodes/s0/state/no_such_field").ok());
      figures.push_back({"trace_chaos_watch_ms", seconds_since(watch_start) * 1e3,
                         "wall ms for a watch over the whole chaos trace (a path that never changes)"});
    }
  }
  std::filesystem::remove_all(folder);
  return figures;
}

}  // namespace scenarios::bench
