// Verifiable byte patterns: every byte a workload moves is checked at the receiver.
#pragma once

#include <cstddef>
#include <cstdint>

namespace scenarios {

// The byte at `offset` of the stream named by `seed`: a pure function, so a receiver can
// check any byte without knowing what came before it.
void pattern_fill(uint64_t seed, uint64_t offset, uint8_t* out, size_t size);

// Checks received bytes against the pattern, in order.
struct PatternVerifier {
  uint64_t seed = 0;
  uint64_t verified = 0;    // bytes checked so far (the next expected offset)
  uint64_t mismatches = 0;  // bytes that differed
  uint64_t first_mismatch = UINT64_MAX;

  // Checks the next `size` bytes; returns false if any differed.
  bool check(const uint8_t* data, size_t size);
  bool is_clean() const { return mismatches == 0; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("seed", seed);
    v("verified", verified);
    v("mismatches", mismatches);
    v("first_mismatch", first_mismatch);
  }
};

}  // namespace scenarios
