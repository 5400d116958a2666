// xoshiro256** streams seeded by splitmix64, with unbiased integer-only helpers.
#include "sim/rng.h"

#include "sim/wide_int.h"

#include "sim/xxh3.h"

#include <bit>

namespace sim {
namespace {

uint64_t splitmix64(uint64_t& x) {
  x += 0x9e3779b97f4a7c15ULL;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// log2(x) for x >= 1 in fixed point with 32 fraction bits, by repeated squaring of the
// normalized mantissa: exact integer steps, so identical on every compiler.
uint64_t log2_q32(uint64_t x) {
  SIM_ASSERT_GE(x, 1u);
  const int exponent = 63 - std::countl_zero(x);
  // Mantissa in [1, 2) as Q31 (in [2^31, 2^32)).
  uint64_t mantissa = exponent >= 31 ? x >> (exponent - 31) : x << (31 - exponent);
  uint64_t result = static_cast<uint64_t>(exponent) << 32;
  for (int bit = 31; bit >= 0; --bit) {
    // The square lies in [1, 4): its bit 32 is the next bit of the logarithm. Branch-free,
    // because that bit is as good as random and a mispredicted branch per bit cost more
    // than the multiplication.
    mantissa = (mantissa * mantissa) >> 31;
    const uint64_t next_bit = mantissa >> 32;
    SIM_ASSERT_LE(next_bit, 1u);
    mantissa >>= next_bit;
    result |= next_bit << bit;
  }
  return result;
}

}  // namespace

uint64_t negative_log_q32(uint64_t u) {
  SIM_ASSERT_GE(u, 1u);
  SIM_ASSERT_LE(u, uint64_t{1} << 32);
  constexpr uint64_t kLn2Q32 = 2977044472ULL;  // round(ln(2) * 2^32)
  const uint64_t log2_of_inverse = (uint64_t{32} << 32) - log2_q32(u);
  return static_cast<uint64_t>((static_cast<u128>(log2_of_inverse) * kLn2Q32) >> 32);
}

Rng Rng::stream(uint64_t seed, std::string_view name) {
  Rng rng;
  rng.stream_id_ = XXH3_64bits(name.data(), name.size());
  rng.base_seed_ = seed;
  rng.seed_state();
  return rng;
}

Rng Rng::fork(std::string_view name) const {
  Rng child;
  child.stream_id_ = XXH3_64bits_withSeed(name.data(), name.size(), stream_id_);
  child.base_seed_ = base_seed_;
  child.seed_state();
  return child;
}

uint64_t Rng::fingerprint() const {
  const uint64_t words[6] = {stream_id_, base_seed_, state_[0], state_[1], state_[2], state_[3]};
  return XXH3_64bits(words, sizeof words);
}

void Rng::reseed(uint64_t base_seed) {
  base_seed_ = base_seed;
  seed_state();
}

void Rng::seed_state() {
  const uint64_t key[2] = {base_seed_, stream_id_};
  uint64_t x = XXH3_64bits(key, sizeof key);
  for (uint64_t& word : state_) word = splitmix64(x);
  // xoshiro's state must not be all zero; splitmix64 cannot produce four zero words in a
  // row, but the invariant is cheap to check.
  SIM_ASSERT((state_[0] | state_[1] | state_[2] | state_[3]) != 0);
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

uint64_t Rng::below(uint64_t bound) {
  SIM_ASSERT_GT(bound, 0u);
  u128 product = static_cast<u128>(next_u64()) * bound;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<u128>(next_u64()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  const uint64_t result = static_cast<uint64_t>(product >> 64);
  SIM_ASSERT_LT(result, bound);
  return result;
}

int64_t Rng::uniform(int64_t lo, int64_t hi) {
  SIM_ASSERT_LE(lo, hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  const uint64_t offset = span == UINT64_MAX ? next_u64() : below(span + 1);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

bool Rng::chance(const Ratio& p) {
  SIM_ASSERT_MSG(p.is_probability(), "{} is not a probability", p);
  if (p.is_zero()) return false;
  if (p.numerator() == p.denominator()) return true;
  return below(p.denominator()) < p.numerator();
}

Duration Rng::uniform_duration(Duration lo, Duration hi) { return Duration::nanoseconds(uniform(lo.ns(), hi.ns())); }

Duration Rng::exponential_duration(Duration mean) {
  SIM_ASSERT_GE(mean.ns(), 0);
  if (mean.ns() == 0) return Duration::zero();
  const uint64_t u = below(uint64_t{1} << 32) + 1;
  const uint64_t factor_q32 = negative_log_q32(u);
  const u128 ns = (static_cast<u128>(static_cast<uint64_t>(mean.ns())) * factor_q32) >> 32;
  SIM_ASSERT(ns <= static_cast<u128>(INT64_MAX));
  return Duration::nanoseconds(static_cast<int64_t>(ns));
}

}  // namespace sim
