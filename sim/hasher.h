// XXH3 of a byte sequence that arrives in pieces, without keeping the sequence.
#pragma once

#include "sim/assert.h"
#include "sim/xxh3.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace sim {

// An integer's bytes, least significant first: the digest and binary encodings' byte order
// on every host.
template <class T>
[[gnu::always_inline]] inline std::array<uint8_t, sizeof(T)> little_endian_bytes(T value) {
  static_assert(std::is_integral_v<T>);
  std::array<uint8_t, sizeof(T)> bytes;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(bytes.data(), &value, sizeof(T));
  } else {
    for (size_t i = 0; i < sizeof(T); ++i)
      bytes[i] = static_cast<uint8_t>(static_cast<std::make_unsigned_t<T>>(value) >> (8 * i));
  }
  return bytes;
}

// Gives exactly hash_bytes() of the concatenation of everything added: XXH3's streaming
// and one-shot forms agree. Digests of the world's state run at every tick over entities
// that are mostly small, so pieces are staged in a fixed buffer and a sequence that fits
// in it is hashed in one shot; only a longer one pays for the streaming state.
class Hasher {
 public:
  Hasher() = default;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  [[gnu::always_inline]] void add(const uint8_t* data, size_t size) {
    if (size <= kStageBytes - staged_) {
      std::memcpy(stage_ + staged_, data, size);
      staged_ += size;
      return;
    }
    spill(data, size);
  }

  // The same as add() of the value's little-endian bytes. Digests are mostly integers, a
  // few bytes each, so this is the hot path of state hashing: one store into the stage.
  template <class T>
  [[gnu::always_inline]] void add_integer(T value) {
    const std::array<uint8_t, sizeof(T)> bytes = little_endian_bytes(value);
    add(bytes.data(), bytes.size());
  }

  // The digest of everything added; the Hasher is spent afterwards.
  uint64_t finish() {
    SIM_ASSERT(!finished_);
    finished_ = true;
    if (!streaming_) return hash_bytes(stage_, staged_);
    XXH3_64bits_update(&state_, stage_, staged_);
    return XXH3_64bits_digest(&state_);
  }

 private:
  // Room for a packet with its headers, so that hashing one is a one-shot XXH3 (several
  // times faster than the streaming form at that size).
  static constexpr size_t kStageBytes = 2048;

  [[gnu::noinline]] void spill(const uint8_t* data, size_t size) {
    if (!streaming_) {
      XXH3_64bits_reset(&state_);
      streaming_ = true;
    }
    XXH3_64bits_update(&state_, stage_, staged_);
    staged_ = 0;
    if (size >= kStageBytes) {
      XXH3_64bits_update(&state_, data, size);  // a large payload: no point staging it
      return;
    }
    std::memcpy(stage_, data, size);
    staged_ = size;
  }

  uint8_t stage_[kStageBytes];
  size_t staged_ = 0;
  bool streaming_ = false;
  bool finished_ = false;
  XXH3_state_t state_;  // initialized only once a sequence outgrows the stage
};

}  // namespace sim
