// The one include of xxHash, with its static-linking-only parts (the streaming state type)
// and its x86 dispatch.
#pragma once

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
// libxxhash's runtime dispatch to the widest vector unit the CPU has (the same digests):
// it redefines XXH3_64bits and XXH3_64bits_update as their _dispatch variants.
#include <xxh_x86dispatch.h>

#include <cstddef>
#include <cstdint>

namespace sim {

inline uint64_t hash_bytes(const void* data, size_t size) { return XXH3_64bits(data, size); }

inline uint64_t hash_words(const uint64_t* words, size_t count) { return XXH3_64bits(words, count * sizeof(uint64_t)); }

}  // namespace sim
