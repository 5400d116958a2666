// One timer per entity, always set for its earliest deadline.
#pragma once

#include "dmsg/host.h"

#include <optional>

namespace dmsg {

// An entity with many deadlines (handshakes, keepalives, dials, backoff) keeps a single
// host timer armed for the earliest of them; when it fires, the entity checks them all.
// Re-arming only when the earliest deadline moves keeps the event queue small.
class Wakeup {
 public:
  explicit Wakeup(uint64_t timer_id = 0) : timer_id_(timer_id) {}

  uint64_t timer_id() const { return timer_id_; }
  // The timer fired: nothing is armed any more.
  void fired() { armed_.reset(); }
  // Arms the timer for `when` (or disarms it), replacing any earlier arming.
  void arm(Host& host, std::optional<sim::Instant> when) {
    if (armed_ == when) return;
    if (armed_) host.cancel_timer(timer_);
    armed_ = when;
    if (!when) return;
    const sim::Duration delay = *when > host.now() ? *when - host.now() : sim::Duration::zero();
    timer_ = host.set_timer(delay, timer_id_, 0);
  }

  template <class Visitor>
  void visit(Visitor& v) {
    v("timer_id", timer_id_);
    v("armed", armed_);
    v("timer", timer_);
  }

 private:
  uint64_t timer_id_ = 0;
  std::optional<sim::Instant> armed_;
  sim::Event timer_;
};

// The earlier of two optional deadlines.
inline std::optional<sim::Instant> earliest(std::optional<sim::Instant> a, std::optional<sim::Instant> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace dmsg
