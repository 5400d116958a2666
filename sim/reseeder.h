// Finds every RNG stream in a piece of state and reseeds it (used when a world is forked).
#pragma once

#include "sim/rng.h"
#include "sim/serial.h"

namespace sim {

// Walks state through visit() like the other visitors and restarts every Rng it meets
// from `base_seed`, keeping each stream's identity. Because streams are found by walking
// the state, no central list of streams has to be kept in sync with the actors.
class Reseeder {
 public:
  explicit Reseeder(uint64_t base_seed) : base_seed_(base_seed) {}

  size_t streams_reseeded() const { return streams_reseeded_; }

  template <class T>
  void operator()(const char* /*name*/, T& value) {
    apply(value);
  }

  template <class T>
  void apply(T& value) {
    if constexpr (std::is_same_v<T, Rng>) {
      value.reseed(base_seed_);
      ++streams_reseeded_;
    } else if constexpr (traits::is_vector<T>::value || traits::is_sliding_vector<T>::value ||
                         traits::is_bounded_vector<T>::value) {
      for (auto& item : value) apply(item);
    } else if constexpr (traits::is_map<T>::value) {
      for (auto& [key, item] : value) apply(item);
    } else if constexpr (traits::is_optional<T>::value) {
      if (value) apply(*value);
    } else if constexpr (requires { value.for_each_value([](auto&) {}); }) {
      value.for_each_value([&](auto& item) { apply(item); });
    } else if constexpr (traits::has_visit<T>::value) {
      value.visit(*this);
    }
    // Scalars, strings, byte strings, byte queues and sets hold no stream.
  }

 private:
  uint64_t base_seed_;
  size_t streams_reseeded_ = 0;
};

}  // namespace sim
