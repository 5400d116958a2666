// Verifiable byte patterns: every byte a workload moves is checked at the receiver.
#pragma once

#include "sim/byte_queue.h"

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

// A self-describing pattern stream: the seed as 8 big-endian bytes, then its pattern. A
// receiver needs to know nothing of the sender to verify every byte.
constexpr size_t kPatternHeaderBytes = 8;

// The bytes at `offset` of such a stream (header included).
void pattern_stream_fill(uint64_t seed, uint64_t offset, uint8_t* out, size_t size);

// Reads a pattern stream: learns the seed from the header, then verifies the rest.
struct PatternStreamReader {
  sim::Bytes header;
  PatternVerifier verifier;

  // Takes the next received bytes; returns how many of them were pattern (not header).
  size_t feed(const uint8_t* data, size_t size);

  template <class Visitor>
  void visit(Visitor& v) {
    v("header", header);
    v("verifier", verifier);
  }
};

}  // namespace scenarios
