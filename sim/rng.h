// The project's deterministic random number generator: named, forkable, serializable streams.
#pragma once

#include "sim/assert.h"
#include "sim/ratio.h"
#include "sim/time.h"

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace sim {

// One named stream of xoshiro256** draws, seeded through splitmix64.
//
// A stream is identified by its `stream_id` (XXH3 of its name path, independent of the
// seed) and seeded from `(base seed, stream_id)`. Forking a child derives the child's id
// from the parent's id and the child's name, and never draws from the parent, so adding a
// stream anywhere shifts no other stream's draws. Reseeding (used when a world is forked
// with a new seed) keeps the id and replaces the base. All helpers are integer-only and
// identical under every compiler and standard library.
class Rng {
 public:
  // An unseeded stream, to be filled by deserialization.
  Rng() = default;

  // The stream named `name` of a world seeded with `seed`.
  static Rng stream(uint64_t seed, std::string_view name);

  // A child stream; this stream's state is not touched.
  Rng fork(std::string_view name) const;

  // Replaces the base seed and restarts the stream from it, keeping the stream's identity.
  void reseed(uint64_t base_seed);

  uint64_t stream_id() const { return stream_id_; }
  // A hash of the whole stream state (identity and position).
  uint64_t fingerprint() const;
  uint64_t base_seed() const { return base_seed_; }

  uint64_t next_u64();
  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's method with rejection).
  uint64_t below(uint64_t bound);
  // Uniform in [lo, hi], inclusive.
  int64_t uniform(int64_t lo, int64_t hi);
  // True with probability p (p must be a probability).
  bool chance(const Ratio& p);
  // Uniform in [lo, hi], inclusive, at nanosecond resolution.
  Duration uniform_duration(Duration lo, Duration hi);
  // Exponentially distributed with the given mean, from integer fixed-point math. Draws
  // are capped near 22x the mean (the resolution of a 32-bit uniform).
  Duration exponential_duration(Duration mean);

  // Fisher-Yates, from the back.
  template <class T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      const uint64_t j = below(i);
      std::swap(items[i - 1], items[j]);
    }
  }

  friend bool operator==(const Rng&, const Rng&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("stream_id", stream_id_);
    v("base_seed", base_seed_);
    v("s0", state_[0]);
    v("s1", state_[1]);
    v("s2", state_[2]);
    v("s3", state_[3]);
  }

 private:
  void seed_state();

  uint64_t stream_id_ = 0;
  uint64_t base_seed_ = 0;
  uint64_t state_[4] = {0, 0, 0, 0};
};

// -ln(u / 2^32) for u in [1, 2^32], as unsigned fixed point with 32 fraction bits.
// Exposed for tests: it is the core of exponential_duration.
uint64_t negative_log_q32(uint64_t u);

}  // namespace sim
