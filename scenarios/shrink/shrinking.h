// The state of one shrink that its passes share: the smallest failing run so far, the
// trials, and each pass's tally.
#pragma once

#include "scenarios/shrink/shrinker.h"

namespace scenarios::shrink {

class Shrinking {
 public:
  // `best` failed the same way at `first`.
  Shrinking(Trials& trials, Candidate best, const Trial& first, const ShrinkHooks& hooks);

  const Candidate& best() const { return best_; }
  uint64_t best_end_tick() const { return best_end_tick_; }
  // The entity the best run's primary failure is on.
  const std::string& best_entity() const { return best_entity_; }
  Trials& trials() { return trials_; }

  // Runs `candidate` for the current pass; when it fails the same way it becomes the best
  // (and the reference for checkpoints) and true is returned.
  bool attempt(const Candidate& candidate);
  // What the last attempt() found.
  const Trial& last_trial() const { return last_; }

  // Starts counting for the pass named `name` (one entry per name, summed over rounds).
  void begin_pass(std::string_view name);
  void end_pass();
  const std::vector<PassStats>& pass_stats() const { return stats_; }

  std::vector<KnobFinding>& knob_findings() { return knobs_; }

 private:
  PassStats& current();

  Trials& trials_;
  Candidate best_;
  uint64_t best_end_tick_;
  std::string best_entity_;
  const ShrinkHooks& hooks_;
  Trial last_;
  std::vector<PassStats> stats_;
  size_t current_ = 0;
  uint64_t runs_at_start_ = 0;
  int64_t started_ns_ = 0;
  std::vector<KnobFinding> knobs_;
};

}  // namespace scenarios::shrink
