// The shrinker: re-runs a failing run with parts removed or weakened, keeps every change
// after which it still fails with the same fingerprint, and runs its passes to a fixpoint.
// It reads no clock: time budgets and signals reach it through Budget::stop_requested, and
// the caller times the passes through ShrinkHooks.
#pragma once

#include "scenarios/shrink/trials.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace scenarios::shrink {

// What one pass did, summed over its rounds.
struct PassStats {
  std::string name;
  uint64_t tried = 0;    // candidates proposed (cache hits included)
  uint64_t kept = 0;     // of them, failing the same way
  uint64_t removed = 0;  // inputs removed by the changes kept
  uint64_t runs = 0;     // runs it cost
  int64_t wall_ns = 0;
};

// A profile knob the knob pass moved toward calm: where it ended, and the nearest value
// toward calm that was tried and no longer failed the same way (none when calm's own
// value still fails: the knob does not matter).
struct KnobFinding {
  std::string knob;
  std::string from;
  std::string to;
  std::optional<std::string> stops_failing_at;
};

// One input of the result, and what removing it (with what depends on it) did.
struct InputFinding {
  std::string input;  // its text
  uint64_t tick = 0;
  bool essential = false;  // the removal did not fail the same way
  std::string removal;     // what the removal did: "passed", "another failure: FP", ...
};

struct ShrinkHooks {
  std::function<int64_t()> wall_now_ns;  // empty: passes are not timed
  std::function<void(std::string_view pass, const Candidate&, const TrialCounts&)> progress;  // after each kept change
};

struct ShrinkResult {
  Candidate original;
  Candidate shrunk;
  std::string fingerprint;
  uint64_t original_end_tick = 0;  // the boundary of the original's verdict
  uint64_t shrunk_end_tick = 0;
  std::vector<PassStats> passes;
  std::vector<KnobFinding> knobs;
  std::vector<InputFinding> inputs;  // the shrunk run's inputs, in order
  TrialCounts counts;
  uint64_t rounds = 0;   // times the passes ran
  bool minimal = false;  // every pass ran to its fixpoint and every input is essential
  std::string stopped;   // why it stopped early (budget, signal); empty when it did not
};

// Why a shrink could not start: the original does not fail reproducibly, or passes.
struct ShrinkRefusal {
  std::string message;
};

// Shrinks `original`, a run of `scenario` that failed with `fingerprint` at boundary
// `end_tick` (the trace's last tick). The original is re-run twice first; when either run
// does not fail with the fingerprint, the result is a refusal naming what differed.
sim::Result<ShrinkResult> shrink_run(const ScenarioInfo& scenario, const Candidate& original,
                                     const std::string& fingerprint, uint64_t end_tick, Budget budget,
                                     const ShrinkHooks& hooks = {});

// The trace of `candidate` run from tick 0 to `end_tick` (where its verdict was reached),
// with the default snapshot policy: what `shrink` writes.
sim::Result<sim::TraceFile> record_candidate(const ScenarioInfo& scenario, const Candidate& candidate,
                                             uint64_t end_tick);

// The tick limit for candidates of a run that failed at `end_tick`: a margin past it, so a
// failure found a little later still counts (judged-as-it-goes runs only).
uint64_t tick_limit_after(uint64_t end_tick, sim::Duration tick_length);

}  // namespace scenarios::shrink
