// The test plan's snapshot check: snapshot i restored in a fresh world, batch i's recorded
// inputs applied again and run to the next boundary must give snapshot i+1 exactly. State
// that escapes the snapshot (a field the actor does not save, a cache that changes what it
// does) leaves a run from the start and its replay in agreement, and shows up here only.
#pragma once

#include "scenarios/run/runner.h"
#include "sim/json_value.h"
#include "sim/snapshot.h"

#include <optional>
#include <string>
#include <vector>

namespace scenarios {

// Where a restored world went its own way.
struct SnapshotMismatch {
  uint64_t from_tick = 0;  // the boundary restored
  uint64_t to_tick = 0;    // the boundary compared
  uint64_t recorded_state_hash = 0;
  uint64_t rerun_state_hash = 0;
  std::string restore_error;  // set when the snapshot did not even restore
  // The states' differences (recorded, then re-run) but digests, which differ wherever
  // anything under them does; empty when only a digest-only field differs.
  std::vector<sim::JsonDifference> differences;
  sim::Snapshot restored;  // snapshot i, for a person to restore in a process of their own

  // "restored tick 1000 and ran it to tick 2000: /actors/12/... is 49153, recorded 49160".
  std::string describe() const;
  // The JSON pointer of the first difference ("" when there is none to show).
  std::string first_path() const;
};

// Kept at every batch boundary of a run, outside its world.
class SnapshotCheck {
 public:
  // Checks the interval since the boundary kept last (if any) against this one, then keeps
  // this one. `runner` is at a tick boundary; the inputs due at it may already be added.
  std::optional<SnapshotMismatch> at_boundary(ScenarioRunner& runner);
  uint64_t intervals_checked() const { return checked_; }

 private:
  std::optional<SnapshotMismatch> check_interval(ScenarioRunner& runner, const sim::Snapshot& next) const;

  std::optional<sim::Snapshot> last_;
  uint64_t checked_ = 0;
};

}  // namespace scenarios
