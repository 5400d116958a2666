// Exponential backoff with seeded jitter, in integer time.
#pragma once

#include "sim/rng.h"
#include "sim/time.h"

namespace dmsg {

// Reconnect delays: 5 s, then ×13/10 per failure, capped at 60 s. Each delay is drawn
// from [4/5, 1] of the current step so that clients that lost the same server do not
// retry in lock step, and never exceeds the cap. reset() after a success.
class Backoff {
 public:
  static constexpr sim::Duration kFirst = sim::Duration::seconds(5);
  static constexpr sim::Duration kCap = sim::Duration::seconds(60);

  sim::Duration step() const { return step_; }
  void reset() { step_ = kFirst; }
  sim::Duration next(sim::Rng& rng) {
    const int64_t spread = step_.ns() / 5;
    const auto jitter = static_cast<int64_t>(rng.below(static_cast<uint64_t>(spread) + 1));
    const sim::Duration delay = sim::Duration::nanoseconds(step_.ns() - jitter);
    grow();
    return delay;
  }
  // The step after a failure, without a delay drawn (for bounds: the steps a client can wait).
  void grow() { step_ = std::min(kCap, sim::Duration::nanoseconds(step_.ns() / 10 * 13)); }

  template <class Visitor>
  void visit(Visitor& v) {
    v("step", step_);
  }

 private:
  sim::Duration step_ = kFirst;
};

}  // namespace dmsg
