// Content-addressed pieces of encoded state, each kept once and compressed: what the
// snapshot store shares between snapshots.
#pragma once

#include "sim/binary.h"
#include "sim/result.h"
#include "sim/serial.h"

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace sim {

// A piece by its bytes: XXH3-128 of them. Two different pieces share an id with
// probability about n^2 / 2^129 for n pieces, so ids stand for the bytes.
struct PieceId {
  uint64_t low = 0;
  uint64_t high = 0;

  static PieceId of(const uint8_t* data, size_t size);
  friend auto operator<=>(const PieceId&, const PieceId&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("low", low);
    v("high", high);
  }
};

constexpr size_t kPieceIdBytes = 16;

// Where to cut `size` bytes into pieces (end offsets, increasing, the last one `size`):
// at content-defined boundaries (a gear hash of the last bytes), 64 to 8192 bytes apart
// and about 320 on average (at most kMaxPieceBytes). Bytes inserted or removed move only the boundaries near
// them, so an append to a buffer in the middle of an actor's state leaves the pieces
// before and after it as they were.
std::vector<size_t> cut_pieces(const uint8_t* data, size_t size);

// What a place in a state (a run of a part's bytes, a level of its tree) was cut into last
// time: its bytes, the ends of their pieces and the pieces' ids.
struct CutMemo {
  Bytes bytes;
  std::vector<size_t> ends;
  std::vector<PieceId> ids;
  uint64_t store_drops = 0;  // PieceStore::drops() when it was made: its pieces are held if unchanged
};

class PieceStore;

// Cuts `bytes` exactly as cut_pieces() does, keeps the pieces in `store` and appends their
// ids to `ids`, but cuts and hashes only around what changed since `memo`: the pieces
// before the first changed byte are the memo's, and once a cut past the last changed byte
// falls on one of the memo's boundaries the rest are too. A busy actor's state changes in
// a few places a tick, so this is what keeps a snapshot's cost near the bytes that changed.
// `memo` then describes `bytes`, which it takes (`bytes` is left empty).
void cut_and_keep(PieceStore& store, Bytes& bytes, bool compress, CutMemo& memo, std::vector<PieceId>& ids);

// The pieces, by id, each zstd-compressed (kept raw when that does not make it smaller).
class PieceStore {
 public:
  PieceStore();
  ~PieceStore();
  PieceStore(PieceStore&&) noexcept;
  PieceStore& operator=(PieceStore&&) noexcept;
  // A copy holds the same pieces (a trace recorded from a world that goes on).
  PieceStore(const PieceStore& other);
  PieceStore& operator=(const PieceStore& other);

  // Adds the piece if it is new; its id either way. `compress` false: kept as it is,
  // without trying (lists of ids, which do not compress).
  PieceId put(const uint8_t* data, size_t size, bool compress = true);
  // A piece whose id its owner computed already (a ByteQueue's full chunk): no hashing.
  void put_known(const PieceId& id, const uint8_t* data, size_t size);
  bool contains(const PieceId& id) const { return find(id) != nullptr; }
  // The piece's size in bytes, if it is here.
  std::optional<size_t> size_of(const PieceId& id) const {
    const Stored* stored = find(id);
    if (stored == nullptr) return std::nullopt;
    return stored->raw_size;
  }
  // Appends the piece's bytes to `out`; an error for an unknown id, or for a piece read from
  // a file whose bytes do not decompress to its size or do not hash to its id (checked at
  // the first read, so that opening a big trace does not unpack every piece).
  Status append_to(const PieceId& id, Bytes& out) const;

  size_t count() const { return pieces_.size(); }
  // Drops every piece `reached` does not hold (the store's garbage collection), but for
  // pieces not yet written out while writing is tracked (a file that streams them names
  // them already, or will).
  void retain(const std::set<PieceId>& reached);
  // How many times retain() dropped pieces: while it stays the same, a piece once held still is.
  uint64_t drops() const { return drops_; }

  // Writing out as a run goes (a trace streamed to its file): from now on, every piece is
  // "unwritten" until take_unwritten() hands it out, and retain() keeps it until then.
  // The pieces held already count as unwritten.
  void track_unwritten() { tracking_unwritten_ = true; }
  uint64_t unwritten_stored_bytes() const { return unwritten_stored_bytes_; }
  // Gives `emit` the unwritten pieces in chunks of about `chunk_bytes` (the file form), and
  // counts them written.
  template <class Emit>
  void take_unwritten(size_t chunk_bytes, Emit&& emit);
  uint64_t raw_bytes() const { return raw_bytes_; }
  uint64_t stored_bytes() const { return stored_bytes_; }

  // The file form: chunks of pieces, each (id, raw size, compressed flag, stored bytes),
  // in the order they were added (a run adds them in the same order every time); `emit`
  // gets each chunk as it is full (about `chunk_bytes`). decode_chunk() checks every size
  // against its bound and every id against the bytes it names, so a corrupt file is an
  // error, never a crash or a forged allocation. A piece a file holds twice (a streamed
  // trace writes a piece again when the budget dropped it and the run made it again) is
  // kept once.
  void encode(Bytes& out) const;
  template <class Emit>
  void encode_chunks(size_t chunk_bytes, Emit&& emit) const;
  Status decode_chunk(const uint8_t* data, size_t size);
  static Result<PieceStore> decode(const uint8_t* data, size_t size);

 private:
  struct Stored {
    PieceId id;
    uint32_t raw_size = 0;
    bool compressed = false;
    Bytes bytes;
    mutable bool verified = true;  // false until a piece from a file was read once
  };
  struct Codec;  // zstd contexts, reused

  void add_new(const PieceId& id, const uint8_t* data, size_t size, bool try_compress);
  Status add_stored(Stored stored);
  const Stored* find(const PieceId& id) const;
  // Appends a piece (its sizes counted) and indexes it.
  void push(Stored stored);
  // The table for pieces_, sized to keep it at most half full; one entry into it.
  void rebuild_table();
  void place(uint32_t position);
  // One chunk's encoding of the pieces in [from, to).
  Bytes encode_range(size_t from, size_t to) const;
  // Chunks of about `chunk_bytes` over the pieces in [from, to).
  template <class Emit>
  void encode_chunks_of(size_t from, size_t to, size_t chunk_bytes, Emit&& emit) const;

  // The pieces in the order they came, and an open-addressing table of their positions
  // (+1; 0 is empty) by the id's low bits: ids are hashes already, and a tree of a
  // million 128-bit keys cost a third of a recording's time in lookups. Never iterated.
  std::vector<Stored> pieces_;
  std::vector<uint32_t> table_;
  uint64_t raw_bytes_ = 0;
  uint64_t stored_bytes_ = 0;
  uint64_t drops_ = 0;
  // Pieces at positions from unwritten_from_ on are not written out yet (when tracked).
  bool tracking_unwritten_ = false;
  size_t unwritten_from_ = 0;
  uint64_t unwritten_stored_bytes_ = 0;
  // Made at the first compression or decompression: every world has a store, and most
  // (restored, re-run) never keep a snapshot.
  Codec& codec() const;
  mutable std::unique_ptr<Codec> codec_;
};

template <class Emit>
void PieceStore::encode_chunks_of(size_t from, size_t to, size_t chunk_bytes, Emit&& emit) const {
  size_t bytes = 0;
  for (size_t i = from; i < to; ++i) {
    bytes += pieces_[i].bytes.size() + kPieceIdBytes + 13;
    if (bytes >= chunk_bytes) {
      emit(encode_range(from, i + 1));
      from = i + 1;
      bytes = 0;
    }
  }
  if (from < to) emit(encode_range(from, to));
}

template <class Emit>
void PieceStore::encode_chunks(size_t chunk_bytes, Emit&& emit) const {
  encode_chunks_of(0, pieces_.size(), chunk_bytes, emit);
}

template <class Emit>
void PieceStore::take_unwritten(size_t chunk_bytes, Emit&& emit) {
  SIM_ASSERT(tracking_unwritten_);
  encode_chunks_of(unwritten_from_, pieces_.size(), chunk_bytes, emit);
  unwritten_from_ = pieces_.size();
  unwritten_stored_bytes_ = 0;
}

}  // namespace sim
