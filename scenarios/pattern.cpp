// The byte pattern: splitmix64 of (seed, 8-byte block index), little-endian.
#include "scenarios/pattern.h"

#include <cstring>

namespace scenarios {
namespace {

uint64_t block_value(uint64_t seed, uint64_t block) {
  uint64_t z = seed + (block + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

void pattern_fill(uint64_t seed, uint64_t offset, uint8_t* out, size_t size) {
  size_t i = 0;
  // Whole blocks are stored little-endian at once; the ragged ends byte by byte.
  while (i < size) {
    const uint64_t at = offset + i;
    const uint64_t value = block_value(seed, at / 8);
    if (at % 8 == 0 && size - i >= 8) {
      uint8_t bytes[8];
      for (int b = 0; b < 8; ++b) bytes[b] = static_cast<uint8_t>(value >> (8 * b));
      std::memcpy(out + i, bytes, 8);
      i += 8;
      continue;
    }
    for (uint64_t byte = at % 8; byte < 8 && i < size; ++byte, ++i) out[i] = static_cast<uint8_t>(value >> (8 * byte));
  }
}

bool PatternVerifier::check(const uint8_t* data, size_t size) {
  uint8_t expected[4096];
  bool clean = true;
  for (size_t done = 0; done < size;) {
    const size_t n = size - done < sizeof expected ? size - done : sizeof expected;
    pattern_fill(seed, verified + done, expected, n);
    if (std::memcmp(data + done, expected, n) != 0) {
      for (size_t i = 0; i < n; ++i) {
        if (data[done + i] == expected[i]) continue;
        if (first_mismatch == UINT64_MAX) first_mismatch = verified + done + i;
        ++mismatches;
        clean = false;
      }
    }
    done += n;
  }
  verified += size;
  return clean;
}

void pattern_stream_fill(uint64_t seed, uint64_t offset, uint8_t* out, size_t size) {
  size_t i = 0;
  for (; i < size && offset + i < kPatternHeaderBytes; ++i) {
    out[i] = static_cast<uint8_t>(seed >> (8 * (kPatternHeaderBytes - 1 - (offset + i))));
  }
  if (i < size) pattern_fill(seed, offset + i - kPatternHeaderBytes, out + i, size - i);
}

size_t PatternStreamReader::feed(const uint8_t* data, size_t size) {
  size_t at = 0;
  while (header.size() < kPatternHeaderBytes && at < size) header.push_back(data[at++]);
  if (at > 0 && header.size() == kPatternHeaderBytes) {
    verifier.seed = 0;
    for (uint8_t b : header) verifier.seed = (verifier.seed << 8) | b;
  }
  if (at < size) verifier.check(data + at, size - at);
  return size - at;
}

}  // namespace scenarios
