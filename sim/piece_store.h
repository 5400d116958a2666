// Content-addressed pieces of encoded state, each kept once and compressed: what the
// snapshot store shares between snapshots.
#pragma once

#include "sim/binary.h"
#include "sim/result.h"
#include "sim/serial.h"

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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
// The longest piece cut_pieces() makes; a stored piece claiming more is corrupt.
constexpr size_t kMaxPieceBytes = 8192;

// Where to cut `size` bytes into pieces (end offsets, increasing, the last one `size`):
// at content-defined boundaries (a gear hash of the last bytes), 256 to 8192 bytes apart
// and about 1 KiB on average. Bytes inserted or removed move only the boundaries near
// them, so an append to a buffer in the middle of an actor's state leaves the pieces
// before and after it as they were.
std::vector<size_t> cut_pieces(const uint8_t* data, size_t size);

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

  // Adds the piece if it is new; its id either way.
  PieceId put(const uint8_t* data, size_t size);
  bool contains(const PieceId& id) const { return pieces_.count(id) != 0; }
  // The piece's size in bytes, if it is here.
  std::optional<size_t> size_of(const PieceId& id) const {
    auto it = pieces_.find(id);
    if (it == pieces_.end()) return std::nullopt;
    return it->second.raw_size;
  }
  // Appends the piece's bytes to `out`; an error for an unknown id, or for a piece read from
  // a file whose bytes do not decompress to its size or do not hash to its id (checked at
  // the first read, so that opening a big trace does not unpack every piece).
  Status append_to(const PieceId& id, Bytes& out) const;

  size_t count() const { return pieces_.size(); }
  uint64_t raw_bytes() const { return raw_bytes_; }
  uint64_t stored_bytes() const { return stored_bytes_; }

  // The file form: chunks of pieces, each (id, raw size, compressed flag, stored bytes),
  // in id order; `emit` gets each chunk as it is full (about `chunk_bytes`). decode_chunk()
  // checks every size against its bound and every id against the bytes it names, so a
  // corrupt file is an error, never a crash or a forged allocation.
  void encode(Bytes& out) const;
  template <class Emit>
  void encode_chunks(size_t chunk_bytes, Emit&& emit) const;
  Status decode_chunk(const uint8_t* data, size_t size);
  static Result<PieceStore> decode(const uint8_t* data, size_t size);

 private:
  struct Stored {
    uint32_t raw_size = 0;
    bool compressed = false;
    Bytes bytes;
    mutable bool verified = true;  // false until a piece from a file was read once
  };
  struct Codec;  // zstd contexts, reused

  Status add_stored(const PieceId& id, Stored stored);
  // One chunk's encoding of the pieces in [from, to).
  template <class It>
  static Bytes encode_range(It from, It to, size_t count);

  std::map<PieceId, Stored> pieces_;
  uint64_t raw_bytes_ = 0;
  uint64_t stored_bytes_ = 0;
  std::unique_ptr<Codec> codec_;
};

template <class It>
Bytes PieceStore::encode_range(It from, It to, size_t count) {
  Bytes out;
  Writer writer(out, Encoding::kSnapshot);
  writer.write(static_cast<uint64_t>(count));
  for (It it = from; it != to; ++it) {
    writer.write(it->first);
    writer.write(it->second.raw_size);
    writer.write(it->second.compressed);
    writer.write(it->second.bytes);
  }
  return out;
}

template <class Emit>
void PieceStore::encode_chunks(size_t chunk_bytes, Emit&& emit) const {
  auto from = pieces_.begin();
  size_t bytes = 0;
  size_t count = 0;
  for (auto it = pieces_.begin(); it != pieces_.end(); ++it) {
    bytes += it->second.bytes.size() + kPieceIdBytes + 13;
    ++count;
    if (bytes >= chunk_bytes) {
      emit(encode_range(from, std::next(it), count));
      from = std::next(it);
      bytes = 0;
      count = 0;
    }
  }
  if (count > 0) emit(encode_range(from, pieces_.end(), count));
}

}  // namespace sim
