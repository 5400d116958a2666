// The shared state of a shrink.
#include "scenarios/shrink/shrinking.h"

#include "sim/assert.h"

#include <algorithm>

namespace scenarios::shrink {

Shrinking::Shrinking(Trials& trials, Candidate best, const Trial& first, const ShrinkHooks& hooks)
    : trials_(trials),
      best_(std::move(best)),
      best_end_tick_(first.end_tick),
      best_entity_(first.entity),
      hooks_(hooks) {
  trials_.adopt(best_);
}

bool Shrinking::attempt(const Candidate& given) {
  const Candidate candidate = in_run_order(given);
  const std::optional<std::string> orphan = orphan_write(candidate);
  SIM_ASSERT_MSG(!orphan, "a pass proposed a write without its dial: {}", orphan.value_or(""));
  PassStats& stats = current();
  ++stats.tried;
  last_ = trials_.run(candidate);
  if (!last_.counts()) return false;
  ++stats.kept;
  stats.removed += best_.inputs.size() > candidate.inputs.size() ? best_.inputs.size() - candidate.inputs.size() : 0;
  best_ = candidate;
  best_end_tick_ = last_.end_tick;
  best_entity_ = last_.entity;
  trials_.adopt(best_);
  // Candidates after it need fail no later than it did, plus the margin: a pass that ran
  // short runs makes the later ones short too.
  if (trials_.judged_as_it_goes()) {
    trials_.set_tick_limit(std::min(trials_.tick_limit(), tick_limit_after(best_end_tick_, best_.config.tick)));
  }
  if (hooks_.progress) hooks_.progress(stats.name, best_, trials_.counts());
  return true;
}

void Shrinking::begin_pass(std::string_view name) {
  current_ = stats_.size();
  for (size_t i = 0; i < stats_.size(); ++i) {
    if (stats_[i].name == name) current_ = i;
  }
  if (current_ == stats_.size()) stats_.push_back(PassStats{std::string(name)});
  runs_at_start_ = trials_.counts().runs;
  started_ns_ = hooks_.wall_now_ns ? hooks_.wall_now_ns() : 0;
}

void Shrinking::end_pass() {
  PassStats& stats = current();
  stats.runs += trials_.counts().runs - runs_at_start_;
  if (hooks_.wall_now_ns) stats.wall_ns += hooks_.wall_now_ns() - started_ns_;
}

PassStats& Shrinking::current() {
  SIM_ASSERT_LT(current_, stats_.size());
  return stats_[current_];
}

}  // namespace scenarios::shrink
