// Snapshots that share structure: each keeps only what changed since the one before it.
//
// A world's encoding is a sequence of parts (its own fields, the scheduler, one part per
// actor slot), each with a digest that changes exactly when its bytes do. A snapshot is
// the list of its parts; an unchanged part is the previous snapshot's, and is not even
// encoded. A changed part is cut into content-defined pieces (sim/piece_store.h), which
// are kept once however many snapshots hold them; the list of a part's piece ids is cut
// and kept the same way, so an append to a 256 KiB buffer in an actor adds the piece it
// landed in and a node or two of its list, not the buffer. A run of ticks over which
// nothing changed but the clock is one entry.
//
// Entries keep only the parts that changed since the entry before, and every
// kKeyframeSpacing-th entry keeps them all (a keyframe), so rebuilding any snapshot reads
// at most that many entries and never re-executes anything.
#pragma once

#include "sim/binary.h"
#include "sim/piece_store.h"
#include "sim/result.h"
#include "sim/snapshot.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace sim {

// What the store needs of a world at a tick boundary (World implements it).
class StateParts {
 public:
  virtual ~StateParts() = default;
  virtual uint64_t tick() const = 0;
  virtual uint64_t state_hash() const = 0;
  virtual size_t part_count() const = 0;
  // Equal digests, equal bytes (the world's own per-entity digests).
  virtual uint64_t part_digest(size_t part) const = 0;
  // Appends the part's bytes (a piece of World::snapshot()'s state encoding) to `out`,
  // through a writer with `sink` (Writer::set_piece_sink), which takes what it can name.
  virtual void encode_part(size_t part, Bytes& out, PieceSink* sink) const = 0;
};

// A kept tick's parts, as World::assemble_snapshot() puts them together again.
struct StoredState {
  uint64_t tick = 0;
  uint64_t state_hash = 0;
  std::vector<Bytes> parts;
};

// Entries between keyframes: rebuilding a snapshot applies at most this many.
constexpr uint32_t kKeyframeSpacing = 64;

struct SnapshotStoreStats {
  uint64_t snapshots = 0;        // ticks that can be restored
  uint64_t thinning_passes = 0;  // times the budget made the store drop older snapshots
  uint64_t thinned_ticks = 0;    // kept ticks dropped by them
  uint64_t entries = 0;          // runs of ticks that share a state
  uint64_t keyframes = 0;
  uint64_t pieces = 0;
  uint64_t piece_raw_bytes = 0;
  uint64_t piece_stored_bytes = 0;  // compressed
  uint64_t index_bytes = 0;         // the entries' own encoding
};

class SnapshotStore {
 public:
  // Keeps the world's state at its current boundary (a tick after the last one kept).
  void keep(const StateParts& world);
  // The most the store may hold, in stored bytes (0: no limit). Past it, older snapshots
  // are thinned like rr's checkpoints: the newest quarter of the entries stays, and further
  // back ever fewer (every 2nd, 4th, 8th, ...), until the store is under three quarters of
  // the budget; the first and the last tick always stay (so a budget smaller than one
  // snapshot leaves those two, over it). A seek between kept ticks re-executes from the one
  // before. A store over a budget it is given thins at once.
  void set_budget(uint64_t bytes);
  // What the budget counts: the stored pieces and the entries.
  uint64_t stored_bytes() const;

  bool empty() const { return entries_.empty(); }
  bool has(uint64_t tick) const;
  uint64_t first_tick() const;
  uint64_t last_tick() const;
  // The latest kept tick at or before `tick`, and the first one after it.
  std::optional<uint64_t> at_or_before(uint64_t tick) const;
  std::optional<uint64_t> after(uint64_t tick) const;
  // The kept ticks as maximal runs [first, last], increasing (for people: `info`).
  std::vector<std::pair<uint64_t, uint64_t>> ranges() const;

  // The parts of a kept tick; an error for a piece of a file that turns out corrupt.
  Result<StoredState> parts_at(uint64_t tick) const;
  // One part of a kept tick.
  Result<Bytes> part_at(uint64_t tick, size_t part) const;

  // The change index, for watch: the kept ticks in (from, to] at which `part` differs from
  // the kept tick before (an entry that changed it; the first tick with the part at all).
  // Between two kept ticks that follow each other, a part cannot change unseen.
  std::vector<uint64_t> part_changes(size_t part, uint64_t from, uint64_t to) const;
  // Whether every tick in [from, to] is kept (no change can hide between kept ticks).
  bool keeps_every_tick(uint64_t from, uint64_t to) const;

  SnapshotStoreStats stats() const;

  // File form: the entries, in one or more entry sections, and the pieces in chunks of
  // about `chunk_bytes` given to `emit` one by one; the thinning figures go with them.
  // decode() checks every count, reference and tick order before use. encode() puts all
  // of it in one buffer, for tests.
  void encode_entries(Bytes& out) const;
  template <class Emit>
  void encode_pieces(size_t chunk_bytes, Emit&& emit) const {
    pieces_.encode_chunks(chunk_bytes, emit);
  }
  struct Span {
    const uint8_t* data = nullptr;
    size_t size = 0;
  };
  struct Thinning {
    uint64_t passes = 0;
    uint64_t ticks = 0;
  };
  Thinning thinning() const { return Thinning{thinning_passes_, thinned_ticks_}; }
  static Result<SnapshotStore> decode(const std::vector<Span>& entry_sections, const std::vector<Span>& piece_chunks,
                                      Thinning thinning);
  void encode(Bytes& out) const;
  static Result<SnapshotStore> decode(const uint8_t* data, size_t size);

  // Streaming to a file as the run goes (sim::TraceRecorder). From now on the store keeps
  // a journal of what it gains, as it gained it, whatever the budget then drops: the
  // journal is a file form of its own (entries in order, keyframes within their spacing,
  // every piece they name), handed out piecemeal by take_journal(). What the store holds
  // already is the journal's start.
  void start_journal();
  bool journaling() const { return journal_.on; }
  // Stored bytes of the pieces the journal holds (what the next take writes, nearly).
  uint64_t journal_bytes() const { return pieces_.unwritten_stored_bytes(); }
  // Gives `emit_pieces` the journal's pieces in chunks, then puts its entries into
  // `entries` (an entry section: what decode() reads after the sections before it), and
  // empties the journal. Pieces come first: the entries name them.
  template <class Emit>
  void take_journal(size_t chunk_bytes, Emit&& emit_pieces, Bytes& entries) {
    SIM_ASSERT(journal_.on);
    pieces_.take_unwritten(chunk_bytes, emit_pieces);
    take_journal_entries(entries);
  }

 private:
  // A part's bytes as a tree of pieces: at depth 0 the root is the bytes' one piece; at
  // depth d the root holds level d, the ids of the pieces that make level d-1 (see
  // walk_tree).
  struct Tree {
    PieceId root;
    uint8_t depth = 0;
    friend bool operator==(const Tree&, const Tree&) = default;
    friend auto operator<=>(const Tree&, const Tree&) = default;
    template <class Visitor>
    void visit(Visitor& v) {
      v("root", root);
      v("depth", depth);
    }
  };
  struct Change {
    uint32_t part = 0;
    Tree tree;
    template <class Visitor>
    void visit(Visitor& v) {
      v("part", part);
      v("tree", tree);
    }
  };
  struct Entry {
    uint64_t first_tick = 0;
    uint64_t last_tick = 0;  // the same state through these ticks (but for the clock)
    uint64_t state_hash = 0;
    uint32_t part_count = 0;
    bool keyframe = false;
    std::vector<Change> changes;  // every part for a keyframe
    template <class Visitor>
    void visit(Visitor& v) {
      v("first_tick", first_tick);
      v("last_tick", last_tick);
      v("state_hash", state_hash);
      v("part_count", part_count);
      v("keyframe", keyframe);
      v("changes", changes);
    }
  };
  class PartBuilder;
  // How each part was cut last time (outside the file form: a cache of the latest entry's
  // pieces, so the next change to the part cuts only around what changed).
  struct PartMemo {
    std::vector<CutMemo> runs;    // the bytes between the pieces the writer named
    std::vector<CutMemo> levels;  // the id lists of the tree, level 1 first
  };
  // The tree over a part's level-0 pieces.
  Tree store_tree(std::vector<PieceId> ids, std::vector<CutMemo>& levels);
  Status load_tree(const Tree& tree, Bytes& out) const;
  template <class Visit>
  Status walk_tree(const Tree& tree, Bytes* leaves, Visit&& visit) const;
  // The entry holding `tick`, if any (by index).
  std::optional<size_t> entry_of(uint64_t tick) const;
  std::vector<Tree> trees_at(size_t entry) const;
  // For decode: ticks in order, keyframes close enough, every part known, every tree
  // complete and of a bounded size.
  Status check() const;
  Result<uint64_t> checked_size(const Tree& tree, std::map<Tree, uint64_t>& sizes) const;

  // An entry section: the new last tick of the entry written before it, if that grew (an
  // idle tick extends the latest entry), then entries.
  static void encode_entry_section(std::optional<uint64_t> extends_last_tick, const std::vector<Entry>& entries,
                                   Bytes& out);
  static Status decode_entry_section(Span section, std::vector<Entry>& entries);
  // The journal's copy of a new entry: a keyframe where the journal's own spacing needs
  // one (the budget's thinning resets the store's count, not the file's).
  void journal_entry(const Entry& entry);
  void take_journal_entries(Bytes& out);

  void thin();
  // Rebuilds the entries as `kept` (indices into entries_, increasing), each a keyframe or
  // a delta against the one before it, and drops the pieces no kept entry reaches.
  void keep_only(const std::vector<size_t>& kept);

  PieceStore pieces_;
  std::vector<Entry> entries_;
  uint64_t budget_ = 0;
  uint64_t change_count_ = 0;  // changes in all entries, for stored_bytes()
  uint64_t thinning_passes_ = 0;
  uint64_t thinned_ticks_ = 0;
  // The parts of the last entry, and their digests, so an unchanged part is not encoded.
  std::vector<Tree> current_trees_;
  std::vector<uint64_t> current_digests_;
  std::vector<PartMemo> memos_;
  uint32_t since_keyframe_ = 0;
  struct Journal {
    bool on = false;
    std::vector<Entry> entries;  // kept since the last take, as kept
    bool wrote_any = false;      // an entry went out already: the last one may grow
    uint64_t written_last_tick = 0;
    bool written_last_grew = false;
    uint32_t since_keyframe = 0;  // entries since the journal's own last keyframe
  };
  Journal journal_;
};

}  // namespace sim
