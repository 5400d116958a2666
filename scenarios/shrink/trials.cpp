// Running candidates.
#include "scenarios/shrink/trials.h"

#include "scenarios/run/runner.h"
#include "sim/binary.h"
#include "sim/fmt.h"

#include <algorithm>
#include <limits>
#include <set>

namespace scenarios::shrink {
namespace {

// Checkpoints a run keeps at most: snapshots of a big world cost memory and a little time,
// and a few dozen cover the ticks where candidates differ well enough.
constexpr size_t kMaxCheckpoints = 32;

// The tick at which two candidates' runs first may differ: that of the first input where
// their (tick-ordered) input lists differ; max when the lists are equal.
uint64_t first_difference(const Candidate& a, const Candidate& b) {
  const sim::Duration tick = a.config.tick;
  const size_t common = std::min(a.inputs.size(), b.inputs.size());
  for (size_t i = 0; i < common; ++i) {
    if (sim::encode(a.inputs[i]) != sim::encode(b.inputs[i])) {
      return std::min(input_tick(a.inputs[i], tick), input_tick(b.inputs[i], tick));
    }
  }
  if (a.inputs.size() > common) return input_tick(a.inputs[common], tick);
  if (b.inputs.size() > common) return input_tick(b.inputs[common], tick);
  return std::numeric_limits<uint64_t>::max();
}

bool same_world(const Candidate& a, const Candidate& b) {
  return a.scenario == b.scenario && sim::encode(a.config) == sim::encode(b.config);
}

}  // namespace

std::string_view enum_name(TrialResult result) {
  switch (result) {
    case TrialResult::kSameFailure:
      return "same failure";
    case TrialResult::kOtherFailure:
      return "another failure";
    case TrialResult::kPassed:
      return "passed";
    case TrialResult::kTooLong:
      return "no failure by the tick limit";
    case TrialResult::kInvalid:
      return "invalid";
    case TrialResult::kOutOfBudget:
      return "out of budget";
  }
  SIM_UNREACHABLE("trial result {}", static_cast<int>(result));
}

Trials::Trials(const ScenarioInfo& scenario, std::string fingerprint, bool judged_as_it_goes, Budget budget)
    : scenario_(&scenario),
      fingerprint_(std::move(fingerprint)),
      judged_as_it_goes_(judged_as_it_goes),
      budget_(std::move(budget)) {}

bool Trials::out_of_budget() const {
  if (budget_.max_runs && counts_.runs >= *budget_.max_runs) return true;
  return budget_.stop_requested && budget_.stop_requested();
}

std::string Trials::why_out_of_budget() const {
  if (budget_.max_runs && counts_.runs >= *budget_.max_runs) return fmt::format("{} runs", counts_.runs);
  return "stopped (time budget or signal)";
}

Trial Trials::run(const Candidate& given) {
  const Candidate candidate = in_run_order(given);
  const std::string key = fmt::format("{}:{}", tick_limit_, candidate_key(candidate));
  if (const auto cached = cache_.find(key); cached != cache_.end()) {
    ++counts_.cache_hits;
    return cached->second;
  }
  if (out_of_budget()) return Trial{TrialResult::kOutOfBudget, "", "", 0, ""};
  Trial trial = execute(candidate, /*use_checkpoints=*/true);
  cache_.emplace(key, trial);
  return trial;
}

Trial Trials::run_afresh(const Candidate& candidate) { return execute(in_run_order(candidate), false); }

void Trials::adopt(const Candidate& given) {
  const Candidate candidate = in_run_order(given);
  if (last_run_ && candidate_key(last_run_->candidate) == candidate_key(candidate)) {
    reference_ = std::move(last_run_);
    last_run_.reset();
  } else if (!reference_ || !same_world(reference_->candidate, candidate)) {
    reference_ = Reference{candidate, {}};  // no checkpoints: the next run from scratch makes some
  }
}

const Trials::Checkpoint* Trials::checkpoint_for(const Candidate& candidate) const {
  if (!reference_ || !same_world(reference_->candidate, candidate)) return nullptr;
  const uint64_t differs_at = first_difference(reference_->candidate, candidate);
  const Checkpoint* best = nullptr;
  for (const auto& checkpoint : reference_->checkpoints) {
    if (checkpoint->tick <= differs_at && checkpoint->tick <= tick_limit_) best = checkpoint.get();
  }
  return best;
}

// The ticks (after `after`) where the candidate has inputs: where later candidates differ.
std::vector<uint64_t> Trials::checkpoint_ticks(const Candidate& candidate, uint64_t after) const {
  std::set<uint64_t> ticks;
  for (const FaultInput& input : candidate.inputs) {
    const uint64_t t = input_tick(input, candidate.config.tick);
    if (t > after && t <= tick_limit_) ticks.insert(t);
  }
  std::vector<uint64_t> all(ticks.begin(), ticks.end());
  if (all.size() <= kMaxCheckpoints) return all;
  std::vector<uint64_t> thinned;
  for (size_t i = 0; i < kMaxCheckpoints; ++i) thinned.push_back(all[i * all.size() / kMaxCheckpoints]);
  return thinned;
}

Trial Trials::execute(const Candidate& candidate, bool use_checkpoints) {
  ++counts_.runs;
  Trial trial;
  const Checkpoint* start = use_checkpoints ? checkpoint_for(candidate) : nullptr;
  sim::Result<std::unique_ptr<ScenarioRunner>> made =
      start != nullptr ? ScenarioRunner::resume(*scenario_, candidate.config, candidate.inputs, start->world)
                       : ScenarioRunner::create(*scenario_, candidate.config, candidate.inputs);
  if (!made) return Trial{TrialResult::kInvalid, "", "", 0, made.error().message};
  ScenarioRunner& runner = **made;
  std::unique_ptr<RunJudge> judge;
  if (start != nullptr) {
    judge = start->judge->clone();
    ++counts_.from_checkpoint;
    counts_.ticks_skipped += start->tick;
  } else if (sim::Result<std::unique_ptr<RunJudge>> j = make_run_judge(*scenario_, candidate.config, runner.world());
             j) {
    judge = std::move(j).value();
  } else {
    return Trial{TrialResult::kInvalid, "", "", 0, j.error().message};
  }
  Reference ran{candidate, {}};
  if (start != nullptr) {
    for (const auto& checkpoint : reference_->checkpoints) {
      if (checkpoint->tick <= start->tick) ran.checkpoints.push_back(checkpoint);
    }
  }
  const uint64_t first = runner.world().tick();
  const std::vector<uint64_t> ticks = checkpoint_ticks(candidate, first);
  size_t next_checkpoint = 0;
  runner.world().start();
  while (true) {
    const uint64_t tick = runner.world().tick();
    if (next_checkpoint < ticks.size() && ticks[next_checkpoint] == tick) {
      ran.checkpoints.push_back(
          std::make_shared<const Checkpoint>(Checkpoint{tick, runner.world().snapshot(), judge->clone()}));
      ++next_checkpoint;
    }
    if (sim::Status judged = judge_boundary(*judge, runner); !judged) {
      trial.result = TrialResult::kInvalid;
      trial.error = judged.error().message;
      return trial;
    }
    if (judge->done() || tick >= tick_limit_) break;
    if (!judged_as_it_goes_ && runner.is_finished()) break;
    runner.run_tick();
  }
  counts_.ticks_run += runner.world().tick() - first;
  trial.end_tick = runner.world().tick();
  if (judged_as_it_goes_ && !judge->done()) {
    trial.result = TrialResult::kTooLong;
    return trial;
  }
  const Verdict verdict = judge->verdict(runner.world());
  if (verdict.passed) {
    trial.result = TrialResult::kPassed;
    return trial;
  }
  trial.fingerprint = verdict.fingerprint;
  trial.entity = verdict.failures.empty() ? "" : verdict.failures.front().entity;
  if (verdict.fingerprint != fingerprint_) {
    trial.result = TrialResult::kOtherFailure;
    ++counts_.slips;
    ++counts_.slipped_to[verdict.fingerprint];
    return trial;
  }
  trial.result = TrialResult::kSameFailure;
  last_run_ = std::move(ran);
  return trial;
}

}  // namespace scenarios::shrink
