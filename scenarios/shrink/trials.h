// Trials: running candidates to a verdict and comparing it with the failure being shrunk.
// Outcomes are cached by candidate content, and a candidate whose first ticks are those of
// the reference run (the smallest failing run so far) starts from the reference's
// checkpoint there instead of from tick 0.
#pragma once

#include "scenarios/run/verdict.h"
#include "scenarios/shrink/candidate.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scenarios::shrink {

enum class TrialResult : uint8_t {
  kSameFailure,   // fails with the fingerprint being shrunk: the candidate counts
  kOtherFailure,  // a slip to another fingerprint
  kPassed,
  kTooLong,      // ran past the tick limit without a verdict
  kInvalid,      // the run cannot be built or judged (the error says why)
  kOutOfBudget,  // not run: the budget is spent or a stop was asked for
};
std::string_view enum_name(TrialResult result);

struct Trial {
  TrialResult result = TrialResult::kInvalid;
  std::string fingerprint;  // of a failure
  std::string entity;       // what the primary failure was found on ("streams/26/acceptor")
  uint64_t end_tick = 0;    // the boundary the verdict was reached at
  std::string error;        // kInvalid

  bool counts() const { return result == TrialResult::kSameFailure; }
};

struct TrialCounts {
  uint64_t runs = 0;  // candidates actually run (cache hits not included)
  uint64_t cache_hits = 0;
  uint64_t from_checkpoint = 0;  // runs started from a checkpoint of the reference
  uint64_t ticks_run = 0;
  uint64_t ticks_skipped = 0;                  // by starting from checkpoints
  uint64_t slips = 0;                          // runs that failed with another fingerprint
  std::map<std::string, uint64_t> slipped_to;  // per other fingerprint
};

// What may stop a shrink: a number of runs, a wall-clock deadline, a signal. The clock and
// the signal come from the caller: nothing in here reads a clock.
struct Budget {
  std::optional<uint64_t> max_runs;
  std::function<bool()> stop_requested;  // deadline passed or signal; empty: never
};

class Trials {
 public:
  // `judged_as_it_goes`: the scenario's judge gives a verdict once it is final (chaos), so
  // a run without one by the tick limit does not count; otherwise the run is judged when it
  // finishes or at the tick limit, as its trace was.
  Trials(const ScenarioInfo& scenario, std::string fingerprint, bool judged_as_it_goes, Budget budget);

  // The last boundary a candidate may reach.
  void set_tick_limit(uint64_t tick) { tick_limit_ = tick; }
  uint64_t tick_limit() const { return tick_limit_; }
  bool judged_as_it_goes() const { return judged_as_it_goes_; }
  const std::string& fingerprint() const { return fingerprint_; }

  // Runs `candidate` (or recalls its outcome), unless the budget is spent.
  Trial run(const Candidate& candidate);
  // Runs `candidate` from tick 0 ignoring cache and checkpoints (the original's
  // reproducibility check); it counts as a run.
  Trial run_afresh(const Candidate& candidate);
  // Makes `candidate` the reference: when it was the last candidate run and failed the
  // same way, its checkpoints serve the candidates after it.
  void adopt(const Candidate& candidate);

  bool out_of_budget() const;
  // Why the budget is spent ("500 runs", "stopped"), once it is.
  std::string why_out_of_budget() const;
  const TrialCounts& counts() const { return counts_; }

 private:
  struct Checkpoint {
    uint64_t tick = 0;
    sim::Snapshot world;
    std::unique_ptr<RunJudge> judge;  // before it judged this boundary
  };
  struct Reference {
    Candidate candidate;
    std::vector<std::shared_ptr<const Checkpoint>> checkpoints;  // by tick
  };

  Trial execute(const Candidate& candidate, bool use_checkpoints);
  const Checkpoint* checkpoint_for(const Candidate& candidate) const;
  std::vector<uint64_t> checkpoint_ticks(const Candidate& candidate, uint64_t after) const;

  const ScenarioInfo* scenario_;
  std::string fingerprint_;
  bool judged_as_it_goes_;
  Budget budget_;
  uint64_t tick_limit_ = 0;
  std::map<std::string, Trial> cache_;
  std::optional<Reference> reference_;
  std::optional<Reference> last_run_;  // the last failing-the-same-way run, for adopt()
  TrialCounts counts_;
};

}  // namespace scenarios::shrink
