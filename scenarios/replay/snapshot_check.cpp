// Restoring the last batch boundary's snapshot and running its batch again.
#include "scenarios/replay/snapshot_check.h"

#include "scenarios/replay/trace_session.h"
#include "sim/fmt.h"

namespace scenarios {
namespace {

// Differences kept for the failure's artifacts.
constexpr size_t kKeptDifferences = 200;

// A digest or hash differs wherever anything under it does: it says nothing new.
bool is_digest(const sim::JsonDifference& d) {
  return d.path.ends_with("/digest") || d.path.ends_with("/hash") || d.path == "/state_hash" || d.path == "/chain_hash";
}

// The inputs applied in [from, to): the batch between two boundaries.
std::vector<FaultInput> inputs_between(const ScenarioRunner& runner, uint64_t from, uint64_t to) {
  std::vector<FaultInput> batch;
  for (const FaultInput& input : runner.inputs()) {
    const uint64_t tick = input_tick(input, runner.config().tick);
    if (tick >= from && tick < to) batch.push_back(input);
  }
  return batch;
}

}  // namespace

std::string SnapshotMismatch::first_path() const { return differences.empty() ? "" : differences.front().path; }

std::string SnapshotMismatch::describe() const {
  if (!restore_error.empty())
    return fmt::format("the snapshot of tick {} does not restore: {}", from_tick, restore_error);
  std::string text = fmt::format(
      "snapshot of tick {} restored in a fresh world and run to tick {} with the same inputs hashes to 0x{:016x}, "
      "the run itself to 0x{:016x}",
      from_tick, to_tick, rerun_state_hash, recorded_state_hash);
  if (differences.empty()) return text + " (the states differ in a digest-only field)";
  const sim::JsonDifference& first = differences.front();
  return text + fmt::format(": first at {}: recorded {}, restored {}", first.path, first.left, first.right);
}

std::optional<SnapshotMismatch> SnapshotCheck::at_boundary(ScenarioRunner& runner) {
  sim::Snapshot next = runner.world().snapshot();
  std::optional<SnapshotMismatch> mismatch;
  if (last_) {
    mismatch = check_interval(runner, next);
    ++checked_;
  }
  last_ = std::move(next);
  return mismatch;
}

std::optional<SnapshotMismatch> SnapshotCheck::check_interval(ScenarioRunner& runner, const sim::Snapshot& next) const {
  const sim::Snapshot& from = *last_;
  SIM_ASSERT_LT(from.tick, next.tick);
  SnapshotMismatch mismatch{from.tick, next.tick, next.state_hash, 0, "", {}, from};
  sim::Result<std::unique_ptr<ScenarioRunner>> rerun =
      ScenarioRunner::resume(runner.scenario(), runner.config(), inputs_between(runner, from.tick, next.tick), from);
  if (!rerun) {
    mismatch.restore_error = rerun.error().message;
    return mismatch;
  }
  ScenarioRunner& again = **rerun;
  // Compared by its final state alone: hashing every boundary on the way would be half of
  // the re-run's cost.
  again.world().keep_chain(false);
  while (again.world().tick() < next.tick) again.run_tick();
  if (again.world().state_hash() == next.state_hash) return std::nullopt;
  mismatch.rerun_state_hash = again.world().state_hash();
  std::vector<sim::JsonDifference> all =
      sim::diff_json(world_json(runner.world()), world_json(again.world()), kKeptDifferences);
  std::erase_if(all, is_digest);
  mismatch.differences = std::move(all);
  return mismatch;
}

}  // namespace scenarios
