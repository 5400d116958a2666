// A FIFO byte buffer whose digest is cached per fixed chunk, for transport and stream buffers.
#pragma once

#include "sim/serial.h"

#include <cstdint>
#include <deque>

namespace sim {

class Writer;
class Reader;
class JsonWriter;

// Bytes appended at the back and consumed from the front, addressed by absolute stream
// offsets (like TCP sequence numbers). Storage is split into chunks aligned to absolute
// offsets that are multiples of kChunkBytes, and each chunk caches its digest, so after an
// append or a consume only the chunks at the ends are rehashed. The digest is a function
// of (head offset, content) alone: two queues holding the same bytes at the same offsets
// have the same digest whatever their history.
class ByteQueue {
 public:
  static constexpr size_t kChunkBytes = 4096;

  ByteQueue() = default;
  explicit ByteQueue(uint64_t head_offset) : head_offset_(head_offset) {}

  // Absolute offset of the first byte held (or of the next byte to append, when empty).
  uint64_t head_offset() const { return head_offset_; }
  uint64_t tail_offset() const { return head_offset_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void append(const uint8_t* data, size_t size);
  void append(const Bytes& data) { append(data.data(), data.size()); }
  // Drops `count` bytes from the front; count <= size().
  void consume(size_t count);
  // For an empty queue: moves its offsets past `count` bytes, leaving exactly the state that
  // appending and consuming them would, for bytes a reader took without queueing them.
  void skip(size_t count);
  // Copies up to `count` bytes starting `offset` bytes after the head; returns how many.
  size_t copy_out(size_t offset, uint8_t* out, size_t count) const;
  Bytes read(size_t offset, size_t count) const;
  // Appends up to `count` bytes starting `offset` bytes after the head to `out`.
  void append_to(size_t offset, size_t count, Bytes& out) const;

  // XXH3 of (head offset, size, chunk digests), using and refreshing the chunk cache.
  uint64_t digest() const;
  // The same value computed from the bytes alone, bypassing every cache (for checks).
  uint64_t digest_uncached() const;

  // Calls f(data, size) for each contiguous run of held bytes, front to back.
  template <class F>
  void for_each_span(F&& f) const {
    for (const Chunk& chunk : chunks_) f(chunk.data.data() + chunk.skip, chunk.data.size() - chunk.skip);
  }

  friend bool operator==(const ByteQueue& a, const ByteQueue& b);

  // Snapshots hold the bytes; digest encodings hold (head offset, size, digest) only, so
  // an append does not rehash the whole buffer.
  void save(Writer& out) const;
  void load(Reader& in);
  void dump(JsonWriter& out) const;

 private:
  struct Chunk {
    uint64_t index = 0;  // covers absolute offsets [index * kChunkBytes, (index + 1) * kChunkBytes)
    size_t skip = 0;     // bytes of the chunk already consumed
    Bytes data;          // data[0] is the byte at index * kChunkBytes
    mutable uint64_t digest = 0;
    mutable bool digest_valid = false;
    // XXH3-128 of a full chunk's bytes, for the snapshot store (a cache, like the digest).
    mutable uint64_t id_low = 0;
    mutable uint64_t id_high = 0;
    mutable bool id_valid = false;

    // After its bytes or its skip changed: both caches are stale.
    void invalidate() {
      digest_valid = false;
      id_valid = false;
    }
  };

  uint64_t chunk_digest(const Chunk& chunk) const;
  // Calls f(data, size) for each contiguous run of the `count` bytes (at most) that start
  // `offset` bytes after the head.
  template <class F>
  void for_each_span_in(size_t offset, size_t count, F&& f) const;

  std::deque<Chunk> chunks_;
  uint64_t head_offset_ = 0;
  size_t size_ = 0;
};

}  // namespace sim
