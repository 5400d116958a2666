// The digests of incrementally hashed tables (DigestMap, CachedMap): each entry is hashed on
// its own, and the table's digest is its entries' wrapping sum with its size.
#pragma once

#include "sim/binary.h"
#include "sim/xxh3.h"

namespace sim {

template <class K, class V>
uint64_t entry_digest(const K& key, const V& value, Encoding encoding) {
  Hasher hasher;
  {
    Writer writer(hasher, encoding);
    writer.write(key);
    writer.write(value);
  }
  return hasher.finish();
}

inline uint64_t table_digest(uint64_t entry_sum, size_t size) {
  const uint64_t words[2] = {entry_sum, size};
  return hash_words(words, 2);
}

// What such a table writes in the digest encodings: its size and its digest, never its
// entries (so hashing a boundary does not touch them).
inline void write_table_digest(Writer& out, size_t size, uint64_t digest) {
  out.write(static_cast<uint64_t>(size));
  out.write(digest);
}

}  // namespace sim
