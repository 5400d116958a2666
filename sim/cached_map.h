// An ordered map that hashes only the entries changed since the last digest.
#pragma once

#include "sim/binary.h"
#include "sim/entry_digest.h"
#include "sim/json_writer.h"
#include "sim/xxh3.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace sim {

// For a hub actor's big tables (a server's sessions, a transport's connections), of which
// one event touches one or two entries: the digest is a wrapping sum of cached per-entry
// hashes, and an entry is hashed again only after it was reached through a non-const
// accessor. Const iteration is free; changing entries while iterating goes through
// mutate_each(), which marks them all. Snapshots and dumps hold the entries as a
// std::map does; digest encodings hold (size, digest), as DigestMap's do. DigestMap hashes
// eagerly at insert and take, which is cheaper for tables of entries that come and go
// (packets in flight: serving them from this class cost 12 % of `bench net`).
template <class K, class V>
class CachedMap {
  using Map = std::map<K, V>;

 public:
  using const_iterator = typename Map::const_iterator;
  using iterator = typename Map::iterator;

  // --- Reading ---
  const V& at(const K& key) const { return items_.at(key); }
  const_iterator find(const K& key) const { return items_.find(key); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  const_iterator lower_bound(const K& key) const { return items_.lower_bound(key); }
  size_t count(const K& key) const { return items_.count(key); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  // --- Changing (each marks what it reaches) ---
  V& at(const K& key) {
    touch(key);
    return items_.at(key);
  }
  V& operator[](const K& key) {
    touch(key);
    return items_[key];
  }
  // nullptr when absent.
  V* find_mutable(const K& key) {
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    touch(key);
    return &it->second;
  }
  bool emplace(const K& key, V value) {
    touch(key);
    return items_.emplace(key, std::move(value)).second;
  }
  size_t erase(const K& key) {
    touch(key);
    return items_.erase(key);
  }
  // Removes every entry for which pred(key, value) holds; returns how many.
  template <class Predicate>
  size_t erase_if(Predicate pred) {
    size_t erased = 0;
    for (auto it = items_.begin(); it != items_.end();) {
      if (pred(it->first, it->second)) {
        touch(it->first);
        it = items_.erase(it);
        ++erased;
      } else {
        ++it;
      }
    }
    return erased;
  }
  template <class F>
  void mutate_each(F&& f) {
    all_dirty_ = true;
    for (auto& [key, value] : items_) f(key, value);
  }
  void clear() {
    items_.clear();
    digests_.clear();
    dirty_.clear();
    all_dirty_ = false;
    sum_ = 0;
  }

  uint64_t digest() const {
    refresh();
    return table_digest(sum_, items_.size());
  }
  uint64_t digest_uncached() const {
    uint64_t sum = 0;
    for (const auto& [key, value] : items_) sum += entry_digest(key, value, Encoding::kDigestFromScratch);
    return table_digest(sum, items_.size());
  }

  void save(Writer& out) const {
    switch (out.encoding()) {
      case Encoding::kSnapshot:
        if (!out.shares_pieces()) {
          out.write(items_);
          return;
        }
        save_as_pieces(out);
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
    clear();
    in.read(items_);
    all_dirty_ = true;
  }
  void dump(JsonWriter& out) const { out.write(items_); }
  // Reseeding reaches every value.
  template <class F>
  void for_each_value(F&& f) {
    all_dirty_ = true;
    for (auto& [key, value] : items_) f(value);
  }

 private:
  // Cheap on the hot path: consecutive touches of one entry (a connection taking segment
  // after segment) record it once; refresh() removes the remaining repeats.
  void touch(const K& key) {
    if (all_dirty_ || (!dirty_.empty() && dirty_.back() == key)) return;
    dirty_.push_back(key);
  }
  // Brings the cached digests up to date (a cache: the entries are the state).
  void refresh() const {
    if (all_dirty_) {
      digests_.clear();
      sum_ = 0;
      for (const auto& [key, value] : items_) {
        sum_ += (digests_[key] = Cached{entry_digest(key, value, Encoding::kDigest), {}}).digest;
      }
      all_dirty_ = false;
      dirty_.clear();
      return;
    }
    std::sort(dirty_.begin(), dirty_.end());
    dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
    for (const K& key : dirty_) {
      if (auto cached = digests_.find(key); cached != digests_.end()) {
        sum_ -= cached->second.digest;
        digests_.erase(cached);
      }
      if (auto it = items_.find(key); it != items_.end()) {
        sum_ += (digests_[key] = Cached{entry_digest(key, it->second, Encoding::kDigest), {}}).digest;
      }
    }
    dirty_.clear();
  }

  // For the snapshot store each entry is a piece of its own, named by an id cached beside
  // its digest and dropped with it when the entry is reached: a big table of which a tick
  // touches an entry or two is not encoded again whole. After refresh() the caches hold
  // exactly the entries' keys.
  void save_as_pieces(Writer& out) const {
    refresh();
    SIM_ASSERT_EQ(digests_.size(), items_.size());
    out.write(static_cast<uint64_t>(items_.size()));
    auto cached = digests_.begin();
    for (const auto& item : items_) {  // not a structured binding: Clang 14 cannot capture one
      SIM_ASSERT(cached->first == item.first);
      out.write_cached_piece(cached->second.piece, [&](Writer& piece) {
        piece.write(item.first);
        piece.write(item.second);
      });
      ++cached;
    }
  }

  struct Cached {
    uint64_t digest = 0;  // of (key, value) in the digest encoding
    CachedPieceId piece;  // of (key, value) in the snapshot encoding
  };
  Map items_;
  mutable std::map<K, Cached> digests_;
  mutable std::vector<K> dirty_;    // reached through a non-const accessor since
  mutable bool all_dirty_ = false;  // ... the last digest, or everything
  mutable uint64_t sum_ = 0;
};

}  // namespace sim
