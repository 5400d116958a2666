// The byte pattern: splitmix64 of (seed, 8-byte block index), little-endian.
#include "scenarios/workloads/pattern.h"

#include <algorithm>
#include <cstring>

namespace scenarios {
namespace {

inline uint64_t block_value(uint64_t seed, uint64_t block) {
  uint64_t z = seed + (block + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Little-endian on every host, so the pattern is the same bytes everywhere.
inline void store_le64(uint8_t* out, uint64_t value) {
  for (int b = 0; b < 8; ++b) out[b] = static_cast<uint8_t>(value >> (8 * b));
}

// Whole blocks, the bulk of every fill: a benchmark fills and checks every byte it moves.
// This loop is compiled twice; with AVX-512's 64-bit vector multiply it runs several times
// faster, with identical results (integer arithmetic).
__attribute__((always_inline)) inline void fill_blocks_loop(uint64_t seed, uint64_t first_block, uint8_t* out,
                                                            size_t blocks) {
  for (size_t i = 0; i < blocks; ++i) store_le64(out + 8 * i, block_value(seed, first_block + i));
}

void fill_blocks_portable(uint64_t seed, uint64_t first_block, uint8_t* out, size_t blocks) {
  fill_blocks_loop(seed, first_block, out, blocks);
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512dq,avx512vl"))) void fill_blocks_avx512(uint64_t seed, uint64_t first_block,
                                                                             uint8_t* out, size_t blocks) {
  fill_blocks_loop(seed, first_block, out, blocks);
}
#endif

void fill_blocks(uint64_t seed, uint64_t first_block, uint8_t* out, size_t blocks) {
#if defined(__x86_64__)
  // Asked once; the tests' byte-by-byte comparison exercises whichever copy runs here.
  static const bool has_avx512 = __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  if (has_avx512) {
    fill_blocks_avx512(seed, first_block, out, blocks);
    return;
  }
#endif
  fill_blocks_portable(seed, first_block, out, blocks);
}

// Fills the ragged bytes before the first block boundary (or the last few); returns how many.
size_t fill_partial_block(uint64_t seed, uint64_t offset, uint8_t* out, size_t size) {
  const uint64_t value = block_value(seed, offset / 8);
  size_t i = 0;
  for (uint64_t byte = offset % 8; byte < 8 && i < size; ++byte, ++i)
    out[i] = static_cast<uint8_t>(value >> (8 * byte));
  return i;
}

}  // namespace

void pattern_fill(uint64_t seed, uint64_t offset, uint8_t* out, size_t size) {
  size_t i = 0;
  if (offset % 8 != 0) i = fill_partial_block(seed, offset, out, size);
  const size_t blocks = (size - i) / 8;
  fill_blocks(seed, (offset + i) / 8, out + i, blocks);
  i += 8 * blocks;
  if (i < size) fill_partial_block(seed, offset + i, out + i, size - i);
}

bool PatternVerifier::check(const uint8_t* data, size_t size) {
  // The expected bytes are filled a piece at a time and compared at once; only a piece
  // that differs is walked byte by byte, to count each wrong byte.
  uint8_t expected[4096];
  bool clean = true;
  for (size_t done = 0; done < size;) {
    const size_t n = std::min(size - done, sizeof expected);
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
