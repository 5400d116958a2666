// Recording options, shared by the commands that record a run.
#include "scenarios/cli/recording_args.h"

#include "scenarios/run/runner.h"
#include "sim/fmt.h"

namespace scenarios::cli {

RecordingOptions take_recording_options(Args& args, sim::Duration tick) {
  RecordingOptions options;
  options.trace_path = args.take_value("trace");
  if (options.trace_path) {
    if (sim::Status writable = check_writable_file(*options.trace_path); !writable) {
      args.fail(fmt::format("--trace: {}", writable.error().message));
    }
  }
  if (std::optional<uint64_t> every = args.take_count("snapshot-every", 1, max_run_ticks(tick))) {
    if (!options.trace_path) args.fail("--snapshot-every goes with --trace");
    options.snapshot_policy = sim::SnapshotPolicy{*every, 0};
  }
  if (std::optional<uint64_t> budget = args.take_size("snapshot-budget", 1 << 20, uint64_t{1} << 50)) {
    if (!options.trace_path) args.fail("--snapshot-budget goes with --trace");
    options.snapshot_budget = *budget;
  }
  if (std::optional<uint64_t> budget = args.take_size("trace-budget", 1 << 20, uint64_t{1} << 50)) {
    if (!options.trace_path) args.fail("--trace-budget goes with --trace");
    options.trace_budget = *budget;
  }
  return options;
}

sim::Result<std::unique_ptr<sim::TraceRecorder>> start_recording(const RecordingOptions& options,
                                                                 ScenarioRunner& runner) {
  if (!options.trace_path) return std::unique_ptr<sim::TraceRecorder>();
  runner.world().set_snapshot_policy(options.snapshot_policy);
  runner.world().set_snapshot_budget(options.snapshot_budget);
  return scenarios::start_recording(runner, *options.trace_path, options.trace_budget);
}

}  // namespace scenarios::cli
