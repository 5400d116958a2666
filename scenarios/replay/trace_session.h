// Recording runs into traces, and re-executing traces: replay, seek, fork.
#pragma once

#include "scenarios/run/runner.h"
#include "scenarios/run/scenario.h"
#include "scenarios/run/verdict.h"
#include "scenarios/world/inputs.h"
#include "sim/json_value.h"
#include "sim/trace_file.h"
#include "sim/trace_recorder.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scenarios {

// How a traced run is rebuilt: the scenario, its configuration and its external inputs.
struct RunDescription {
  std::string scenario;
  RunConfig config;
  std::vector<FaultInput> inputs;

  template <class Visitor>
  void visit(Visitor& v) {
    v("scenario", scenario);
    v("config", config);
    v("inputs", inputs);
  }
};

// The snapshot policy of a run that keeps its trace in memory only in case it fails (chaos,
// the shrinker's candidates): a snapshot every 100000 ticks and after every 50000 events. Re-executing from a snapshot
// then costs at most about 50000 events plus idle ticks (tens of milliseconds), while traces stay small: busy worlds
// hold large buffers, and idle ticks are cheap to re-execute.
sim::SnapshotPolicy default_snapshot_policy();
// The policy of a trace a person asked for (--trace): a snapshot at every tick. The store
// shares what did not change between them (sim/snapshot_store.h), so seek, back, step and
// fork restore a tick directly instead of re-executing up to it.
sim::SnapshotPolicy recording_snapshot_policy();
// The memory a recording's snapshots may take before older ones are thinned (512 MiB).
inline constexpr uint64_t kDefaultSnapshotBudget = uint64_t{512} << 20;

// The most a trace file may take when its recording ends (2 GiB); past it the file is
// written again from the snapshots in memory, thinned (sim::TraceRecorder).
inline constexpr uint64_t kDefaultTraceBudget = uint64_t{2} << 30;

// The trace of what `runner` ran so far. Its world must have kept snapshots by a policy
// set before it started.
sim::TraceFile record_trace(ScenarioRunner& runner, std::optional<sim::ForkOrigin> fork = std::nullopt);
// Streams the trace of `runner`'s run to `path` as it goes (its world's snapshot policy set
// already; the first tick is kept and written now). Inputs added during the run (the
// chaos panel's) go to the file with the segment they are added in.
sim::Result<std::unique_ptr<sim::TraceRecorder>> start_recording(ScenarioRunner& runner, sim::TraceRecording recording,
                                                                 std::optional<sim::ForkOrigin> fork = std::nullopt);
sim::Result<std::unique_ptr<sim::TraceRecorder>> start_recording(ScenarioRunner& runner, const std::string& path,
                                                                 uint64_t file_budget,
                                                                 std::optional<sim::ForkOrigin> fork = std::nullopt);

// Where a re-execution first disagreed with the recording. `tick` is the tick that ran
// differently: the chain first differs at the boundary after it (tick + 1), so a changed
// input or event at tick t is reported at t.
struct Divergence {
  uint64_t tick = 0;
  uint64_t recorded_chain = 0;  // at boundary tick + 1
  uint64_t replayed_chain = 0;
  std::vector<sim::Event> events;  // what ran in that tick
  // The states compared at the first recorded snapshot at or after boundary tick + 1.
  std::optional<uint64_t> diff_tick;
  std::vector<sim::JsonDifference> diff;
};

std::string describe(const Divergence& divergence);

// What a replay found: where it diverged, if it did, and the verdict the run's judge
// re-derived from the replayed world and the recorded inputs.
struct ReplayOutcome {
  std::optional<uint64_t> restored_at;  // the snapshot it re-executed from, if not the start
  std::optional<Divergence> divergence;
  std::optional<Verdict> verdict;  // absent when the run diverged or cannot be judged
  std::string unjudged;            // why there is no verdict
};

// Hands `judge` the boundary `runner` is at, then the inputs due at it, as a live run's
// judge sees them; an error for an input the judge cannot account for.
sim::Status judge_boundary(RunJudge& judge, ScenarioRunner& runner);

// A loaded trace that can rebuild its world at any tick.
class TraceSession {
 public:
  // Decodes the run description and finds its scenario; errors are for a person.
  static sim::Result<TraceSession> open(sim::TraceFile trace);
  static sim::Result<TraceSession> open_file(const std::string& path);

  const sim::TraceFile& trace() const { return trace_; }
  const RunDescription& run() const { return run_; }
  const ScenarioInfo& scenario() const { return *scenario_; }

  // A runner at the trace's first tick: built from scratch, or restored for a fork.
  sim::Result<std::unique_ptr<ScenarioRunner>> start(sim::Log* log = nullptr) const;
  // A runner at `tick` (within the trace), resumed from the nearest snapshot at or before
  // it and checked against the recorded chain on the way.
  sim::Result<std::unique_ptr<ScenarioRunner>> at_tick(uint64_t tick, sim::Log* log = nullptr) const;
  // Runs `runner` forward to `tick`, checking every tick; the first disagreement stops it.
  // Every event that ran is appended to `ran` when given (the world's one event sink is
  // this function's while it runs, so a caller collects events here, not through the sink).
  // A judge that a re-execution feeds: every boundary on the way and the inputs due at it
  // go to it first, until it cannot take one (`error` then says why).
  struct JudgeOnTheWay {
    RunJudge* judge = nullptr;
    std::string error;
  };
  std::optional<Divergence> advance_verified(ScenarioRunner& runner, uint64_t tick,
                                             std::vector<sim::Event>* ran = nullptr,
                                             JudgeOnTheWay* judge = nullptr) const;
  // Re-executes the whole trace from its start, checking every tick, and re-derives the
  // run's verdict on the way.
  sim::Result<ReplayOutcome> replay(sim::Log* log = nullptr) const;
  // Re-executes from the snapshot at or before `tick` to the trace's end, checking every
  // tick: whether that snapshot restores the run faithfully (a verdict needs the checks'
  // history from the start, so none is derived).
  sim::Result<ReplayOutcome> replay_from_snapshot(uint64_t tick, sim::Log* log = nullptr) const;

  // The recorded chain at `tick`.
  uint64_t chain_at(uint64_t tick) const;

 private:
  TraceSession() = default;
  // A runner restored from the snapshot kept at `kept_tick`.
  sim::Result<std::unique_ptr<ScenarioRunner>> resume_at(uint64_t kept_tick, sim::Log* log) const;
  void add_state_diff(ScenarioRunner& runner, Divergence& divergence) const;

  sim::TraceFile trace_;
  RunDescription run_;
  const ScenarioInfo* scenario_ = nullptr;
};

// The world's dump, parsed (for diffs and JSON pointers).
sim::JsonValue world_json(sim::World& world);

}  // namespace scenarios
