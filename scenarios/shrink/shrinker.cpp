// The shrinker's driver: the reproducibility check, then the passes to a fixpoint.
#include "scenarios/shrink/shrinker.h"

#include "scenarios/shrink/passes.h"
#include "scenarios/shrink/shrinking.h"
#include "sim/fmt.h"

#include <array>

#include <algorithm>

namespace scenarios::shrink {
namespace {

// A candidate may fail this much later than the run it was made from, and still count:
// a fifth of that run's length, and at least ten seconds (chaos checks come once a batch).
constexpr sim::Duration kMinMargin = sim::Duration::seconds(10);

struct Pass {
  std::string_view name;
  bool (*run)(Shrinking&);
};

// Passes 1 to 6 of the issue, in the order each round runs them.
constexpr std::array<Pass, 8> kRoundPasses = {{
    {"cut at failure", &cut_at_failure},
    {"remove units", &remove_units},
    {"remove inputs in units", &remove_within_units},
    {"remove nodes", &remove_nodes},
    {"weaken faults", &weaken_faults},
    {"calm knobs", &calm_knobs},
    {"close gaps", &close_gaps},
    {"smaller values", &shrink_values},
}};

std::string describe_trial(const Trial& t) {
  switch (t.result) {
    case TrialResult::kOtherFailure:
      return fmt::format("failed with {}", t.fingerprint);
    case TrialResult::kInvalid:
      return fmt::format("could not run: {}", t.error);
    case TrialResult::kTooLong:
      return fmt::format("had no verdict by tick {}", t.end_tick);
    default:
      return std::string(enum_name(t.result));
  }
}

// The original twice from scratch: both runs must fail with the fingerprint at the trace's
// last tick; `first` is then the second run.
sim::Status check_reproducible(Trials& trials, const Candidate& original, uint64_t end_tick, Trial& first) {
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const Trial t = trials.run_afresh(original);
    if (!t.counts()) {
      return sim::Error{fmt::format("this trace does not fail reproducibly: re-run {} of 2 {} (the trace: {})", attempt,
                                    describe_trial(t), trials.fingerprint())};
    }
    if (t.end_tick != end_tick) {
      return sim::Error{fmt::format(
          "this trace does not fail reproducibly: re-run {} of 2 reached its verdict at tick {}, the trace at {}",
          attempt, t.end_tick, end_tick)};
    }
    first = t;
  }
  return sim::Ok{};
}

// One round of passes; whether any changed the best run.
bool run_round(Shrinking& s, uint64_t round) {
  bool changed = false;
  for (const Pass& pass : kRoundPasses) {
    if (s.trials().out_of_budget()) break;
    if (round > 0 && pass.run == &cut_at_failure) continue;  // once is enough: runs only get shorter
    s.begin_pass(pass.name);
    changed |= pass.run(s);
    s.end_pass();
  }
  return changed;
}

}  // namespace

uint64_t tick_limit_after(uint64_t end_tick, sim::Duration tick_length) {
  const uint64_t margin = std::max<uint64_t>(end_tick / 5, static_cast<uint64_t>(kMinMargin.count_of(tick_length)));
  return end_tick + margin;
}

sim::Result<sim::TraceFile> record_candidate(const ScenarioInfo& scenario, const Candidate& candidate,
                                             uint64_t end_tick) {
  sim::Result<std::unique_ptr<ScenarioRunner>> runner =
      ScenarioRunner::create(scenario, candidate.config, candidate.inputs);
  if (!runner) return runner.error();
  (*runner)->world().set_snapshot_policy(default_snapshot_policy());
  (*runner)->world().start();
  while ((*runner)->world().tick() < end_tick) (*runner)->run_tick();
  return record_trace(**runner);
}

sim::Result<ShrinkResult> shrink_run(const ScenarioInfo& scenario, const Candidate& original,
                                     const std::string& fingerprint, uint64_t end_tick, Budget budget,
                                     const ShrinkHooks& hooks) {
  if (fingerprint.empty()) return sim::Error{"the trace's run passes: there is no failure to shrink"};
  const bool as_it_goes = scenario.make_judge != nullptr;
  Trials trials(scenario, fingerprint, as_it_goes, std::move(budget));
  trials.set_tick_limit(as_it_goes ? tick_limit_after(end_tick, original.config.tick) : end_tick);
  Trial first;
  if (sim::Status reproducible = check_reproducible(trials, original, end_tick, first); !reproducible) {
    return reproducible.error();
  }
  ShrinkResult result;
  result.original = original;
  result.fingerprint = fingerprint;
  result.original_end_tick = first.end_tick;
  Shrinking s(trials, in_run_order(original), first, hooks);
  bool renumbered = false;
  while (!trials.out_of_budget()) {
    if (run_round(s, result.rounds++)) continue;
    if (trials.out_of_budget()) break;
    if (!renumbered) {
      s.begin_pass("renumber");
      renumber(s);
      s.end_pass();
      renumbered = true;
    }
    s.begin_pass("remove each");
    const bool removed = remove_each(s, result.inputs);
    s.end_pass();
    if (!removed) break;
    renumbered = false;
  }
  result.shrunk = s.best();
  result.shrunk_end_tick = s.best_end_tick();
  result.passes = s.pass_stats();
  result.knobs = s.knob_findings();
  result.counts = trials.counts();
  const bool all_essential =
      std::all_of(result.inputs.begin(), result.inputs.end(), [](const InputFinding& f) { return f.essential; });
  result.minimal = !trials.out_of_budget() && all_essential && result.inputs.size() == s.best().inputs.size();
  if (trials.out_of_budget()) result.stopped = trials.why_out_of_budget();
  return result;
}

}  // namespace scenarios::shrink
