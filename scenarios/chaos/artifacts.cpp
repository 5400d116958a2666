// Writing a failed chaos run's trace and states.
#include "scenarios/chaos/artifacts.h"

#include "scenarios/replay/failure_file.h"
#include "scenarios/replay/trace_session.h"
#include "sim/file_io.h"
#include "sim/fmt.h"

#include <filesystem>
#include <system_error>

namespace scenarios::chaos {
namespace {

sim::Status write_text(const std::string& path, const std::string& text) {
  return sim::write_file(path, sim::Bytes(text.begin(), text.end()));
}

// The JSON dump and the text tables of `world`, as `<dir>/<name>.json` and `.txt`.
sim::Status write_state(sim::World& world, const std::string& dir, const std::string& name,
                        std::vector<std::string>& written) {
  const std::string json = fmt::format("{}/{}.json", dir, name);
  const std::string text = fmt::format("{}/{}.txt", dir, name);
  if (sim::Status ok = write_text(json, world.dump_json()); !ok) return ok;
  if (sim::Status ok = write_text(text, state_text(chaos_scenario(), world)); !ok) return ok;
  written.push_back(json);
  written.push_back(text);
  return sim::Ok{};
}

// The trace again with a snapshot kept at `tick` too, so that `replay --restore-at` shows a
// snapshot check's failure in a process of its own: re-executed from the start (which the
// escape does not change, so the chain is checked all the way) with a snapshot kept there.
sim::Result<sim::TraceFile> keeping_tick(const sim::TraceFile& trace, uint64_t tick) {
  sim::Result<TraceSession> session = TraceSession::open(trace);
  if (!session) return session.error();
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = session->start();
  if (!runner) return runner.error();
  ScenarioRunner& r = **runner;
  r.world().set_snapshot_policy(default_snapshot_policy());
  r.world().keep_snapshot_now();  // the first tick, which every trace keeps
  if (std::optional<Divergence> d = session->advance_verified(r, tick)) return sim::Error{describe(*d)};
  r.world().keep_snapshot_now();
  if (std::optional<Divergence> d = session->advance_verified(r, trace.last_tick())) return sim::Error{describe(*d)};
  return record_trace(r);
}

// A snapshot check's failure: the snapshot restored (restored.snap), every difference it
// ran into (snapshot-differences.txt) and the run's own state at the boundary compared.
sim::Status write_snapshot_failure(ControlPanel& panel, const SnapshotMismatch& m, const std::string& dir,
                                   std::vector<std::string>& written) {
  const std::string snap = dir + "/restored.snap";
  if (sim::Status ok = sim::write_file(snap, sim::encode_snapshot_file(m.restored)); !ok) return ok;
  written.push_back(snap);
  std::string text = m.describe() + "\ndifferences (recorded | restored and re-run):\n";
  for (const sim::JsonDifference& d : m.differences) text += fmt::format("  {}: {} | {}\n", d.path, d.left, d.right);
  const std::string diff = dir + "/snapshot-differences.txt";
  if (sim::Status ok = write_text(diff, text); !ok) return ok;
  written.push_back(diff);
  return write_state(panel.runner().world(), dir, "after", written);
}

}  // namespace

sim::Result<FailureArtifacts> write_failure_artifacts(ControlPanel& panel, const ChaosResult& result,
                                                      const std::string& dir) {
  SIM_ASSERT(result.failed_tick && result.before_tick);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return sim::Error{fmt::format("cannot create {}: {}", dir, error.message())};
  std::vector<std::string> written;
  sim::TraceFile trace = record_trace(panel.runner());
  if (result.snapshot_mismatch && !trace.snapshots->has(result.snapshot_mismatch->from_tick)) {
    sim::Result<sim::TraceFile> kept = keeping_tick(trace, result.snapshot_mismatch->from_tick);
    if (!kept) return kept.error();
    trace = std::move(kept).value();
  }
  const std::string trace_path = dir + "/run.trace";
  if (sim::Result<uint64_t> ok = sim::write_trace(trace_path, trace); !ok) return ok.error();
  written.push_back(trace_path);
  sim::Result<TraceSession> session = TraceSession::open(trace);
  if (!session) return session.error();
  const std::string failure_path = dir + "/failure.json";
  sim::Result<FailureOrigin> origin = write_failure_file(*session, result.verdict, trace_path, failure_path);
  if (!origin) return origin.error();
  written.push_back(failure_path);
  if (result.snapshot_mismatch) {
    // Rebuilding earlier states from the trace's snapshots would run into the same escape.
    if (sim::Status ok = write_snapshot_failure(panel, *result.snapshot_mismatch, dir, written); !ok) return ok.error();
    return FailureArtifacts{written, *origin};
  }
  sim::Result<std::unique_ptr<ScenarioRunner>> before = session->at_tick(*result.before_tick);
  if (!before) return before.error();
  if (sim::Status ok = write_state((*before)->world(), dir, "before", written); !ok) return ok.error();
  // Between the two checks: the state where the condition first held.
  sim::Result<std::unique_ptr<ScenarioRunner>> first = session->at_tick(origin->first_tick);
  if (!first) return first.error();
  if (sim::Status ok = write_state((*first)->world(), dir, "first", written); !ok) return ok.error();
  if (sim::Status ok = write_state(panel.runner().world(), dir, "after", written); !ok) return ok.error();
  return FailureArtifacts{written, *origin};
}

}  // namespace scenarios::chaos
