// The control panel's draw of a batch of events, as the dmsg test plan describes it.
#pragma once

#include "scenarios/chaos/config.h"
#include "sim/rng.h"

#include <vector>

namespace scenarios::chaos {

// Outside the world, with an RNG of its own: what it picks enters the world as external
// inputs, so a replay needs no picker.
class EventPicker {
 public:
  EventPicker(const ChaosConfig& config, sim::Rng rng)
      : probability_(config.probability), max_(config.max_events_per_batch), rng_(rng) {}

  // Draws how many events (1 to max_events_per_batch), draws that many kinds uniformly,
  // and keeps each with its probability. The winners, in the order drawn; they run
  // concurrently (one virtual instant, a seeded interleaving).
  std::vector<EventKind> draw_batch();

 private:
  std::array<sim::Ratio, kEventKinds> probability_;
  uint32_t max_ = 1;
  sim::Rng rng_;
};

}  // namespace scenarios::chaos
