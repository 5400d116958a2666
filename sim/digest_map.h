// An ordered map whose digest is kept up to date on every insert and removal.
#pragma once

#include "sim/binary.h"
#include "sim/entry_digest.h"
#include "sim/json_writer.h"
#include "sim/xxh3.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

namespace sim {

// For large tables of which each tick touches a few entries (packets in flight, a
// network's links): the digest is a wrapping sum of per-entry hashes, updated in O(1) on
// insert and take, and for entries changed in place (through mutate() only) recomputed at
// the next digest(), so hashing the table at a tick boundary touches only what changed.
// Snapshots hold the entries in key order; digest encodings hold (size, digest).
template <class K, class V>
class DigestMap {
 public:
  void insert(const K& key, V value) {
    const uint64_t digest = entry_digest(key, value, Encoding::kDigest);
    sum_ += digest;
    const bool inserted = items_.emplace(key, Entry{std::move(value), digest, false, CachedPieceId{}}).second;
    SIM_ASSERT_MSG(inserted, "DigestMap key inserted twice");
  }

  std::optional<V> take(const K& key) {
    auto it = items_.find(key);
    if (it == items_.end()) return std::nullopt;
    sum_ -= it->second.digest;
    V value = std::move(it->second.value);
    items_.erase(it);
    return value;
  }

  // Removes every entry for which pred(key, value) holds; returns how many.
  template <class Predicate>
  size_t erase_if(Predicate pred) {
    size_t erased = 0;
    for (auto it = items_.begin(); it != items_.end();) {
      if (pred(it->first, it->second.value)) {
        sum_ -= it->second.digest;
        it = items_.erase(it);
        ++erased;
      } else {
        ++it;
      }
    }
    return erased;
  }

  void clear() {
    items_.clear();
    sum_ = 0;
    dirty_.clear();
  }

  // The entry for `key`, to change in place (nullptr if absent); its digest is recomputed
  // at the next digest().
  V* mutate(const K& key) {
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    mark_dirty(key, it->second);
    return &it->second.value;
  }
  // Changes every entry in place.
  template <class F>
  void mutate_each(F&& f) {
    for (auto& [key, entry] : items_) {
      f(key, entry.value);
      mark_dirty(key, entry);
    }
  }

  const V* find(const K& key) const {
    auto it = items_.find(key);
    return it == items_.end() ? nullptr : &it->second.value;
  }
  bool contains(const K& key) const { return items_.count(key) != 0; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  // The first entry in key order; the map must not be empty.
  std::pair<const K&, const V&> front() const {
    SIM_ASSERT(!items_.empty());
    return {items_.begin()->first, items_.begin()->second.value};
  }
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [key, entry] : items_) f(key, entry.value);
  }

  uint64_t digest() const {
    refresh();
    return table_digest(sum_, items_.size());
  }
  uint64_t digest_uncached() const {
    uint64_t sum = 0;
    for (const auto& [key, entry] : items_) sum += entry_digest(key, entry.value, Encoding::kDigestFromScratch);
    return table_digest(sum, items_.size());
  }

  void save(Writer& out) const {
    switch (out.encoding()) {
      case Encoding::kSnapshot:
        out.write(static_cast<uint64_t>(items_.size()));
        // For the snapshot store each entry is a piece of its own, named by an id kept
        // until the entry changes: a table of which a tick touches a few entries is not
        // encoded again whole.
        // (Not a structured binding: Clang 14 cannot capture one in a lambda.)
        for (const auto& item : items_) {
          out.write_cached_piece(item.second.piece, [&](Writer& piece) {
            piece.write(item.first);
            piece.write(item.second.value);
          });
        }
        return;
      case Encoding::kDigest:
        write_table_digest(out, items_.size(), digest());
        return;
      case Encoding::kDigestFromScratch:
        write_table_digest(out, items_.size(), digest_uncached());
        return;
    }
  }
  void load(Reader& in) {
    std::map<K, V> plain;
    in.read(plain);
    clear();
    for (auto& [key, value] : plain) insert(key, std::move(value));
  }
  void dump(JsonWriter& out) const {
    out.begin_object();
    for (const auto& [key, entry] : items_) {
      out.key(JsonWriter::key_text(key));
      out.write(entry.value);
    }
    out.end_object();
  }

  // Reseeding reaches the values (the Reseeder treats this like a map). Reseeding changes
  // state, so every cached entry digest is recomputed.
  template <class F>
  void for_each_value(F&& f) {
    dirty_.clear();
    sum_ = 0;
    for (auto& [key, entry] : items_) {
      f(entry.value);
      entry.piece.valid = false;
      entry.dirty = false;
      entry.digest = entry_digest(key, entry.value, Encoding::kDigest);
      sum_ += entry.digest;
    }
  }

 private:
  // Brings the cached digests of entries changed in place up to date (a cache: the state
  // is the entries, so this may run on a const map).
  // The order of dirty_ does not matter: the table digest is a sum.
  void refresh() const {
    for (const K& key : dirty_) {
      auto it = items_.find(key);
      if (it == items_.end() || !it->second.dirty) continue;  // taken since, or a repeat
      it->second.dirty = false;
      sum_ -= it->second.digest;
      it->second.digest = entry_digest(key, it->second.value, Encoding::kDigest);
      sum_ += it->second.digest;
    }
    dirty_.clear();
  }

  struct Entry {
    V value;
    mutable uint64_t digest = 0;  // of (key, value) in the digest encoding, cached
    mutable bool dirty = false;   // changed in place since `digest`; its key is in dirty_
    mutable CachedPieceId piece;  // of (key, value) in the snapshot encoding, cached
  };

  void mark_dirty(const K& key, Entry& entry) {
    entry.piece.valid = false;
    if (entry.dirty) return;
    entry.dirty = true;
    dirty_.push_back(key);
  }

  std::map<K, Entry> items_;
  mutable uint64_t sum_ = 0;
  mutable std::vector<K> dirty_;  // changed in place since the last digest(); may repeat a key
                                  // taken and inserted again
};

}  // namespace sim
