// Keeping changed parts as trees of shared pieces, and rebuilding any kept tick.
#include "sim/snapshot_store.h"

#include "sim/binary.h"
#include "sim/fmt.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <set>

namespace sim {
namespace {

// A part's tree is never deeper than this: with pieces of at least 64 bytes a level covers
// at least 4 times the pieces of the one below (ids are 16 bytes), so 16 levels reach past
// any part (even one whose bytes repeat, which cuts into pieces of the minimum size).
constexpr uint8_t kMaxDepth = 16;
// The largest part a file may describe (a forged tree could otherwise name a huge one).
constexpr uint64_t kMaxPartBytes = uint64_t{1} << 32;

Bytes ids_bytes(const std::vector<PieceId>& ids) {
  Bytes out(ids.size() * kPieceIdBytes);
  uint8_t* at = out.data();
  for (const PieceId& id : ids) {
    for (const uint64_t word : {id.low, id.high}) {
      for (int i = 0; i < 8; ++i) *at++ = static_cast<uint8_t>(word >> (8 * i));
    }
  }
  return out;
}

std::vector<PieceId> ids_of(const Bytes& bytes) {
  SIM_ASSERT_EQ(bytes.size() % kPieceIdBytes, 0u);
  std::vector<PieceId> ids(bytes.size() / kPieceIdBytes);
  for (size_t i = 0; i < ids.size(); ++i) {
    uint64_t words[2] = {0, 0};
    for (int w = 0; w < 2; ++w) {
      for (int b = 0; b < 8; ++b) words[w] |= uint64_t{bytes[i * kPieceIdBytes + 8 * w + b]} << (8 * b);
    }
    ids[i] = PieceId{words[0], words[1]};
  }
  return ids;
}

}  // namespace

// --- Keeping ---------------------------------------------------------------------------------------

// Collects a part's level-0 pieces as its writer goes: what it wrote is cut at content-
// defined boundaries, and what a structure names (a full chunk) is one piece by its id.
class SnapshotStore::PartBuilder final : public PieceSink {
 public:
  PartBuilder(PieceStore& pieces, PartMemo& memo) : pieces_(pieces), memo_(memo) {}

  void known_piece(Bytes& written, const uint8_t* data, size_t size, uint64_t id_low, uint64_t id_high) override {
    cut_and_keep(pieces_, written, /*compress=*/true, next_run(), ids_);
    const PieceId id{id_low, id_high};
    if (data == nullptr) {
      SIM_ASSERT_MSG(pieces_.contains(id), "a piece named without its bytes is not held");
    } else {
      pieces_.put_known(id, data, size);
    }
    ids_.push_back(id);
  }
  bool holds(uint64_t id_low, uint64_t id_high) const override { return pieces_.contains(PieceId{id_low, id_high}); }
  // The rest of the part's bytes; the level-0 ids.
  std::vector<PieceId> finish(Bytes& written) {
    cut_and_keep(pieces_, written, /*compress=*/true, next_run(), ids_);
    memo_.runs.resize(run_);                                           // runs the part no longer has
    if (ids_.empty()) ids_.push_back(pieces_.put(written.data(), 0));  // an empty part
    return std::move(ids_);
  }

 private:
  // The bytes between two named pieces are compared with the same run of the last encoding.
  CutMemo& next_run() {
    if (run_ == memo_.runs.size()) memo_.runs.emplace_back();
    return memo_.runs[run_++];
  }

  PieceStore& pieces_;
  PartMemo& memo_;
  size_t run_ = 0;
  std::vector<PieceId> ids_;
};

SnapshotStore::Tree SnapshotStore::store_tree(std::vector<PieceId> ids, std::vector<CutMemo>& levels) {
  // Each level above 0 is the list of the level below's piece ids, cut the same way (and
  // kept raw: ids do not compress), so a change deep in a big part touches one piece a level.
  for (uint8_t depth = 1;; ++depth) {
    if (ids.size() == 1) {
      levels.resize(depth - 1);
      return Tree{ids.front(), static_cast<uint8_t>(depth - 1)};
    }
    SIM_ASSERT_LE(depth, kMaxDepth);
    Bytes level = ids_bytes(ids);
    ids.clear();
    if (levels.size() < depth) levels.emplace_back();
    cut_and_keep(pieces_, level, /*compress=*/false, levels[depth - 1], ids);
  }
}

void SnapshotStore::keep(const StateParts& world) {
  const uint64_t tick = world.tick();
  SIM_ASSERT_MSG(entries_.empty() || tick > entries_.back().last_tick, "snapshots are kept in tick order");
  const size_t count = world.part_count();
  SIM_ASSERT_GE(count, current_trees_.size());  // a world's parts only grow (actors are never removed)
  std::vector<uint32_t> changed;
  for (size_t i = 0; i < count; ++i) {
    if (i >= current_digests_.size() || world.part_digest(i) != current_digests_[i]) changed.push_back(i);
  }
  // Nothing but the clock moved since the last tick kept: the same entry holds this one.
  if (changed.empty() && !entries_.empty() && entries_.back().last_tick + 1 == tick) {
    SIM_ASSERT_EQ(entries_.back().state_hash, world.state_hash());
    entries_.back().last_tick = tick;
    if (journal_.on && !journal_.entries.empty()) {
      journal_.entries.back().last_tick = tick;
    } else if (journal_.on) {
      journal_.written_last_tick = tick;
      journal_.written_last_grew = true;
    }
    return;
  }
  current_trees_.resize(count);
  current_digests_.resize(count);
  memos_.resize(count);
  Bytes scratch;
  for (const uint32_t i : changed) {
    scratch.clear();
    PartBuilder builder(pieces_, memos_[i]);
    world.encode_part(i, scratch, &builder);
    current_trees_[i] = store_tree(builder.finish(scratch), memos_[i].levels);
    current_digests_[i] = world.part_digest(i);
  }
  Entry entry;
  entry.first_tick = tick;
  entry.last_tick = tick;
  entry.state_hash = world.state_hash();
  entry.part_count = static_cast<uint32_t>(count);
  entry.keyframe = entries_.empty() || since_keyframe_ + 1 >= kKeyframeSpacing;
  if (entry.keyframe) {
    for (uint32_t i = 0; i < count; ++i) entry.changes.push_back(Change{i, current_trees_[i]});
    since_keyframe_ = 0;
  } else {
    for (const uint32_t i : changed) entry.changes.push_back(Change{i, current_trees_[i]});
    ++since_keyframe_;
  }
  change_count_ += entry.changes.size();
  if (journal_.on) journal_entry(entry);
  entries_.push_back(std::move(entry));
  if (budget_ != 0 && stored_bytes() > budget_) thin();
}

// --- The journal -----------------------------------------------------------------------------------

void SnapshotStore::start_journal() {
  SIM_ASSERT_MSG(!journal_.on, "the store's journal is started once");
  journal_ = Journal{};
  journal_.on = true;
  journal_.entries = entries_;  // a valid sequence, thinned or not
  journal_.since_keyframe = since_keyframe_;
  pieces_.track_unwritten();
}

void SnapshotStore::journal_entry(const Entry& entry) {
  const bool needs_keyframe =
      (!journal_.wrote_any && journal_.entries.empty()) || journal_.since_keyframe + 1 >= kKeyframeSpacing;
  if (entry.keyframe || !needs_keyframe) {
    journal_.entries.push_back(entry);
  } else {
    Entry full = entry;
    full.keyframe = true;
    full.changes.clear();
    for (uint32_t i = 0; i < current_trees_.size(); ++i) full.changes.push_back(Change{i, current_trees_[i]});
    journal_.entries.push_back(std::move(full));
  }
  journal_.since_keyframe = journal_.entries.back().keyframe ? 0 : journal_.since_keyframe + 1;
}

void SnapshotStore::take_journal_entries(Bytes& out) {
  std::optional<uint64_t> extends;
  if (journal_.written_last_grew) extends = journal_.written_last_tick;
  encode_entry_section(extends, journal_.entries, out);
  if (!journal_.entries.empty()) {
    journal_.wrote_any = true;
    journal_.written_last_tick = journal_.entries.back().last_tick;
  }
  journal_.written_last_grew = false;
  journal_.entries.clear();
}

// --- The budget ------------------------------------------------------------------------------------

void SnapshotStore::set_budget(uint64_t bytes) {
  budget_ = bytes;
  if (budget_ != 0 && stored_bytes() > budget_) thin();
}

uint64_t SnapshotStore::stored_bytes() const {
  // An entry's own fields, and 21 bytes a change (a part index and a tree), as encoded.
  return pieces_.stored_bytes() + entries_.size() * 41 + change_count_ * 21;
}

void SnapshotStore::thin() {
  ++thinning_passes_;
  while (stored_bytes() > budget_ / 4 * 3 && entries_.size() > 2) {
    const size_t n = entries_.size();
    const size_t dense = std::max<size_t>(1, n / 4);
    std::vector<size_t> kept;
    for (size_t i = 0; i < n; ++i) {
      const size_t age = n - 1 - i;
      if (i == 0 || age < dense) {
        kept.push_back(i);
        continue;
      }
      // Ages in [dense * 2^(L-1), dense * 2^L) keep one entry in 2^L.
      const size_t level = std::bit_width(age / dense);
      if (age % (size_t{1} << level) == 0) kept.push_back(i);
    }
    if (kept.size() == n) break;  // nothing more to drop: the newest entries alone are over
    keep_only(kept);
  }
}

void SnapshotStore::keep_only(const std::vector<size_t>& kept) {
  std::vector<std::vector<Tree>> trees;
  trees.reserve(kept.size());
  for (const size_t i : kept) trees.push_back(trees_at(i));
  std::vector<Entry> entries;
  entries.reserve(kept.size());
  change_count_ = 0;
  uint32_t since_keyframe = 0;
  for (size_t k = 0; k < kept.size(); ++k) {
    Entry e = entries_[kept[k]];
    e.changes.clear();
    e.keyframe = k == 0 || since_keyframe + 1 >= kKeyframeSpacing;
    since_keyframe = e.keyframe ? 0 : since_keyframe + 1;
    for (uint32_t part = 0; part < trees[k].size(); ++part) {
      const bool changed = e.keyframe || part >= trees[k - 1].size() || trees[k - 1][part] != trees[k][part];
      if (changed) e.changes.push_back(Change{part, trees[k][part]});
    }
    change_count_ += e.changes.size();
    entries.push_back(std::move(e));
  }
  for (size_t i = 0, k = 0; i < entries_.size(); ++i) {
    if (k < kept.size() && kept[k] == i) {
      ++k;
    } else {
      thinned_ticks_ += entries_[i].last_tick - entries_[i].first_tick + 1;
    }
  }
  entries_ = std::move(entries);
  since_keyframe_ = since_keyframe;
  // What the kept entries reach: every tree's root and its lists' ids, level by level.
  std::set<PieceId> reached;
  std::set<Tree> visited;
  for (const std::vector<Tree>& list : trees) {
    for (const Tree& tree : list) {
      if (!visited.insert(tree).second) continue;
      const Status read = walk_tree(tree, nullptr, [&](const PieceId& id, uint8_t) {
        reached.insert(id);
        return Status(Ok{});
      });
      // The store made these lists itself (or checked them on decode): they read back.
      SIM_ASSERT_MSG(read.ok(), "a kept tree's list cannot be read: {}", read.ok() ? "" : read.error().message);
    }
  }
  pieces_.retain(reached);
}

// --- Finding ticks --------------------------------------------------------------------------------

std::optional<size_t> SnapshotStore::entry_of(uint64_t tick) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), tick,
                             [](uint64_t t, const Entry& e) { return t < e.first_tick; });
  if (it == entries_.begin()) return std::nullopt;
  --it;
  if (tick > it->last_tick) return std::nullopt;
  return static_cast<size_t>(it - entries_.begin());
}

bool SnapshotStore::has(uint64_t tick) const { return entry_of(tick).has_value(); }

uint64_t SnapshotStore::first_tick() const {
  SIM_ASSERT(!entries_.empty());
  return entries_.front().first_tick;
}

uint64_t SnapshotStore::last_tick() const {
  SIM_ASSERT(!entries_.empty());
  return entries_.back().last_tick;
}

std::optional<uint64_t> SnapshotStore::at_or_before(uint64_t tick) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), tick,
                             [](uint64_t t, const Entry& e) { return t < e.first_tick; });
  if (it == entries_.begin()) return std::nullopt;
  --it;
  return std::min(tick, it->last_tick);
}

std::optional<uint64_t> SnapshotStore::after(uint64_t tick) const {
  if (std::optional<size_t> e = entry_of(tick); e && entries_[*e].last_tick > tick) return tick + 1;
  auto it = std::upper_bound(entries_.begin(), entries_.end(), tick,
                             [](uint64_t t, const Entry& e) { return t < e.first_tick; });
  if (it == entries_.end()) return std::nullopt;
  return it->first_tick;
}

std::vector<std::pair<uint64_t, uint64_t>> SnapshotStore::ranges() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const Entry& e : entries_) {
    if (!out.empty() && out.back().second + 1 == e.first_tick) {
      out.back().second = e.last_tick;
    } else {
      out.emplace_back(e.first_tick, e.last_tick);
    }
  }
  return out;
}

// --- Rebuilding -----------------------------------------------------------------------------------

std::vector<SnapshotStore::Tree> SnapshotStore::trees_at(size_t index) const {
  size_t keyframe = index;
  while (!entries_[keyframe].keyframe) {
    SIM_ASSERT_GT(keyframe, 0u);  // the first entry is a keyframe (checked on decode)
    --keyframe;
  }
  std::vector<Tree> trees(entries_[index].part_count);
  for (size_t e = keyframe; e <= index; ++e) {
    for (const Change& c : entries_[e].changes) {
      if (c.part < trees.size()) trees[c.part] = c.tree;
    }
  }
  return trees;
}

// Level d of a part's tree is the byte list of level d-1's piece ids (level 0: the part's
// bytes). The root is the one piece of the top level; each step down reads the ids of the
// level below and puts their pieces together. `visit(id, level)` sees every id on the way
// (the root first); level 0's pieces are read only into `leaves`, when given.
template <class Visit>
Status SnapshotStore::walk_tree(const Tree& tree, Bytes* leaves, Visit&& visit) const {
  if (Status seen = visit(tree.root, tree.depth); !seen) return seen;
  if (tree.depth == 0) return leaves == nullptr ? Status(Ok{}) : pieces_.append_to(tree.root, *leaves);
  Bytes level;
  if (Status read = pieces_.append_to(tree.root, level); !read) return read;
  for (uint8_t depth = tree.depth; depth > 0; --depth) {
    if (level.size() % kPieceIdBytes != 0) return Error{"a piece list is not a whole number of ids"};
    const auto below_level = static_cast<uint8_t>(depth - 1);
    Bytes below;
    for (const PieceId& id : ids_of(level)) {
      if (Status seen = visit(id, below_level); !seen) return seen;
      Bytes* into = below_level > 0 ? &below : leaves;
      if (into == nullptr) continue;
      if (Status read = pieces_.append_to(id, *into); !read) return read;
    }
    level = std::move(below);
  }
  return Ok{};
}

Status SnapshotStore::load_tree(const Tree& tree, Bytes& out) const {
  return walk_tree(tree, &out, [](const PieceId&, uint8_t) { return Status(Ok{}); });
}

Result<StoredState> SnapshotStore::parts_at(uint64_t tick) const {
  const std::optional<size_t> index = entry_of(tick);
  SIM_ASSERT_MSG(index.has_value(), "no snapshot is kept at tick {}", tick);
  StoredState state;
  state.tick = tick;
  state.state_hash = entries_[*index].state_hash;
  for (const Tree& tree : trees_at(*index)) {
    if (Status loaded = load_tree(tree, state.parts.emplace_back()); !loaded) {
      return Error{fmt::format("the snapshot of tick {}: {}", tick, loaded.error().message)};
    }
  }
  return state;
}

Result<Bytes> SnapshotStore::part_at(uint64_t tick, size_t part) const {
  const std::optional<size_t> index = entry_of(tick);
  SIM_ASSERT_MSG(index.has_value(), "no snapshot is kept at tick {}", tick);
  const std::vector<Tree> trees = trees_at(*index);
  SIM_ASSERT_LT(part, trees.size());
  Bytes bytes;
  if (Status loaded = load_tree(trees[part], bytes); !loaded) return loaded.error();
  return bytes;
}

std::vector<uint64_t> SnapshotStore::part_changes(size_t part, uint64_t from, uint64_t to) const {
  std::vector<uint64_t> ticks;
  const std::optional<size_t> start = entry_of(from);
  SIM_ASSERT_MSG(start.has_value(), "part changes are read from a kept tick");
  std::optional<Tree> current;
  if (part < entries_[*start].part_count) current = trees_at(*start)[part];
  for (size_t e = *start + 1; e < entries_.size() && entries_[e].first_tick <= to; ++e) {
    const std::vector<Change>& changes = entries_[e].changes;
    auto it =
        std::lower_bound(changes.begin(), changes.end(), part, [](const Change& c, size_t p) { return c.part < p; });
    if (it == changes.end() || it->part != part || (current && it->tree == *current)) continue;
    current = it->tree;
    ticks.push_back(entries_[e].first_tick);
  }
  return ticks;
}

bool SnapshotStore::keeps_every_tick(uint64_t from, uint64_t to) const {
  std::optional<size_t> e = entry_of(from);
  if (!e) return false;
  while (entries_[*e].last_tick < to) {
    if (*e + 1 >= entries_.size() || entries_[*e + 1].first_tick != entries_[*e].last_tick + 1) return false;
    ++*e;
  }
  return true;
}

SnapshotStoreStats SnapshotStore::stats() const {
  SnapshotStoreStats s;
  for (const Entry& e : entries_) {
    s.snapshots += e.last_tick - e.first_tick + 1;
    s.keyframes += e.keyframe ? 1 : 0;
  }
  s.entries = entries_.size();
  s.thinning_passes = thinning_passes_;
  s.thinned_ticks = thinned_ticks_;
  s.pieces = pieces_.count();
  s.piece_raw_bytes = pieces_.raw_bytes();
  s.piece_stored_bytes = pieces_.stored_bytes();
  s.index_bytes = sim::encode(entries_).size();
  return s;
}

// --- The file form --------------------------------------------------------------------------------

void SnapshotStore::encode_entry_section(std::optional<uint64_t> extends_last_tick, const std::vector<Entry>& entries,
                                         Bytes& out) {
  Writer writer(out, Encoding::kSnapshot);
  writer.write(extends_last_tick);
  writer.write(entries);
}

Status SnapshotStore::decode_entry_section(Span section, std::vector<Entry>& entries) {
  try {
    Reader reader(section.data, section.size);
    std::optional<uint64_t> extends;
    reader.read(extends);
    std::vector<Entry> more;
    reader.read(more);
    if (reader.remaining() != 0) return Error{"unexpected bytes after the snapshot entries"};
    if (extends) {
      if (entries.empty() || *extends < entries.back().last_tick) {
        return Error{"an entry section extends an entry that is not there, or shortens it"};
      }
      entries.back().last_tick = *extends;
    }
    entries.insert(entries.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  } catch (const DecodeError& e) {
    return Error{fmt::format("the snapshot entries: {}", e.what())};
  }
  return Ok{};
}

void SnapshotStore::encode_entries(Bytes& out) const { encode_entry_section(std::nullopt, entries_, out); }

void SnapshotStore::encode(Bytes& out) const {
  Bytes entries;
  encode_entries(entries);
  Bytes pieces;
  pieces_.encode(pieces);
  Writer writer(out, Encoding::kSnapshot);
  writer.write(entries);
  writer.write(pieces);
  writer.write(thinning_passes_);
  writer.write(thinned_ticks_);
}

Result<uint64_t> SnapshotStore::checked_size(const Tree& tree, std::map<Tree, uint64_t>& sizes) const {
  if (auto known = sizes.find(tree); known != sizes.end()) return known->second;
  if (tree.depth > kMaxDepth) return Error{fmt::format("a part's tree is {} levels deep", tree.depth)};
  // Every id present; level 0's size from its pieces' sizes alone (lists are read).
  uint64_t size = 0;
  const Status walked = walk_tree(tree, nullptr, [&](const PieceId& id, uint8_t level) -> Status {
    const std::optional<size_t> piece = pieces_.size_of(id);
    if (!piece) return Error{"a part names a piece the file does not hold"};
    if (level == 0) size += *piece;
    if (size > kMaxPartBytes) return Error{"a part's tree describes more than 4 GiB"};
    return Ok{};
  });
  if (!walked) return walked.error();
  sizes[tree] = size;
  return size;
}

Status SnapshotStore::check() const {
  if (!entries_.empty() && !entries_.front().keyframe) return Error{"the first snapshot is not a keyframe"};
  std::vector<bool> known;
  std::map<Tree, uint64_t> sizes;
  uint32_t since_keyframe = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (e.first_tick > e.last_tick || (i > 0 && e.first_tick <= entries_[i - 1].last_tick)) {
      return Error{fmt::format("snapshot entry {} is out of tick order", i)};
    }
    since_keyframe = e.keyframe ? 0 : since_keyframe + 1;
    if (since_keyframe >= kKeyframeSpacing) return Error{"keyframes are further apart than their spacing"};
    if (e.keyframe) known.assign(e.part_count, false);
    if (e.part_count < known.size()) return Error{fmt::format("snapshot entry {} has fewer parts than before", i)};
    known.resize(e.part_count, false);
    for (size_t c = 0; c < e.changes.size(); ++c) {
      const Change& change = e.changes[c];
      if (change.part >= e.part_count || (c > 0 && change.part <= e.changes[c - 1].part)) {
        return Error{fmt::format("snapshot entry {} names its parts out of order", i)};
      }
      known[change.part] = true;
      if (Result<uint64_t> size = checked_size(change.tree, sizes); !size) {
        return Error{fmt::format("snapshot entry {}: {}", i, size.error().message)};
      }
    }
    if (std::find(known.begin(), known.end(), false) != known.end()) {
      return Error{fmt::format("snapshot entry {} leaves a part without its bytes", i)};
    }
  }
  return Ok{};
}

Result<SnapshotStore> SnapshotStore::decode(const std::vector<Span>& entry_sections,
                                            const std::vector<Span>& piece_chunks, Thinning thinning) {
  SnapshotStore store;
  for (size_t i = 0; i < entry_sections.size(); ++i) {
    if (Status ok = decode_entry_section(entry_sections[i], store.entries_); !ok) {
      return Error{fmt::format("entry section {}: {}", i, ok.error().message)};
    }
  }
  store.thinning_passes_ = thinning.passes;
  store.thinned_ticks_ = thinning.ticks;
  for (size_t i = 0; i < piece_chunks.size(); ++i) {
    if (Status ok = store.pieces_.decode_chunk(piece_chunks[i].data, piece_chunks[i].size); !ok) {
      return Error{fmt::format("the snapshot pieces, chunk {}: {}", i, ok.error().message)};
    }
  }
  if (Status ok = store.check(); !ok) return Error{fmt::format("the snapshot store: {}", ok.error().message)};
  for (const Entry& e : store.entries_) store.change_count_ += e.changes.size();
  return store;
}

Result<SnapshotStore> SnapshotStore::decode(const uint8_t* data, size_t size) {
  Bytes entries;
  Bytes pieces;
  Thinning thinning;
  try {
    Reader reader(data, size);
    reader.read(entries);
    reader.read(pieces);
    reader.read(thinning.passes);
    reader.read(thinning.ticks);
    if (reader.remaining() != 0) return Error{"unexpected bytes after the snapshot store"};
  } catch (const DecodeError& e) {
    return Error{fmt::format("the snapshot store: {}", e.what())};
  }
  return decode({Span{entries.data(), entries.size()}}, {Span{pieces.data(), pieces.size()}}, thinning);
}

}  // namespace sim
