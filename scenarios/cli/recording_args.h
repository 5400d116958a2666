// The options of a recorded run (`run --trace`, `chaos --trace`): where, how densely, and
// within what memory and file size; and starting the recording they ask for.
#pragma once

#include "scenarios/cli/args.h"
#include "scenarios/replay/trace_session.h"

#include <memory>
#include <optional>
#include <string>

namespace scenarios::cli {

struct RecordingOptions {
  std::optional<std::string> trace_path;
  sim::SnapshotPolicy snapshot_policy = recording_snapshot_policy();
  uint64_t snapshot_budget = kDefaultSnapshotBudget;
  uint64_t trace_budget = kDefaultTraceBudget;
};

// Takes --trace, --snapshot-every, --snapshot-budget and --trace-budget (the last three only
// with --trace); `tick` bounds --snapshot-every to a run's length.
RecordingOptions take_recording_options(Args& args, sim::Duration tick);

// With --trace: sets the world's snapshot policy and budget and starts streaming its trace
// (before the run); without it, nothing.
sim::Result<std::unique_ptr<sim::TraceRecorder>> start_recording(const RecordingOptions& options,
                                                                 ScenarioRunner& runner);

}  // namespace scenarios::cli
