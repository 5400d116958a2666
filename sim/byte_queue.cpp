// Chunked storage and cached digests of ByteQueue.
#include "sim/byte_queue.h"

#include "sim/binary.h"
#include "sim/buffer_pool.h"
#include "sim/hasher.h"
#include "sim/json_writer.h"

#include "sim/fmt.h"
#include "sim/xxh3.h"

#include <algorithm>
#include <cstring>

namespace sim {
namespace {

uint64_t hash_span(const uint8_t* data, size_t size) { return XXH3_64bits(data, size); }

// Folds the queue's identity and its chunk digests in order.
class DigestBuilder {
 public:
  DigestBuilder(uint64_t head_offset, uint64_t size) {
    add(head_offset);
    add(size);
  }
  void add(uint64_t value) {
    uint8_t bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);  // host order, as the digest always was
    hasher_.add(bytes, sizeof bytes);
  }
  uint64_t finish() { return hasher_.finish(); }

 private:
  Hasher hasher_;
};

}  // namespace

void ByteQueue::append(const uint8_t* data, size_t size) {
  while (size > 0) {
    const uint64_t tail = tail_offset();
    const uint64_t index = tail / kChunkBytes;
    if (chunks_.empty() || chunks_.back().index != index) {
      SIM_ASSERT(chunks_.empty() || chunks_.back().index + 1 == index);
      Chunk chunk;
      chunk.index = index;
      chunk.skip = static_cast<size_t>(tail % kChunkBytes);
      chunk.data = buffer_pool::take(kChunkBytes);
      chunk.data.resize(chunk.skip);
      chunks_.push_back(std::move(chunk));
    }
    Chunk& chunk = chunks_.back();
    SIM_ASSERT_EQ(chunk.index * kChunkBytes + chunk.data.size(), tail);
    const size_t room = kChunkBytes - chunk.data.size();
    const size_t take = std::min(room, size);
    chunk.data.insert(chunk.data.end(), data, data + take);
    chunk.invalidate();
    data += take;
    size -= take;
    size_ += take;
  }
}

void ByteQueue::consume(size_t count) {
  SIM_ASSERT_LE(count, size_);
  while (count > 0) {
    SIM_ASSERT(!chunks_.empty());
    Chunk& chunk = chunks_.front();
    const size_t held = chunk.data.size() - chunk.skip;
    const size_t take = std::min(held, count);
    chunk.skip += take;
    chunk.invalidate();
    count -= take;
    size_ -= take;
    head_offset_ += take;
    if (chunk.skip == chunk.data.size()) {
      buffer_pool::give(std::move(chunk.data));
      chunks_.pop_front();
    }
  }
  // An emptied queue keeps no chunk, so its next append starts a chunk at the tail.
  SIM_ASSERT(size_ != 0 || chunks_.empty());
}

void ByteQueue::skip(size_t count) {
  SIM_ASSERT_MSG(empty(), "skip() passes bytes by an empty queue only");
  head_offset_ += count;
}

template <class F>
void ByteQueue::for_each_span_in(size_t offset, size_t count, F&& f) const {
  if (offset >= size_) return;
  count = std::min(count, size_ - offset);
  uint64_t position = head_offset_ + offset;
  // Chunks are aligned, so the chunk holding `position` is found by arithmetic.
  size_t chunk_at = static_cast<size_t>(position / kChunkBytes - chunks_.front().index);
  while (count > 0) {
    SIM_ASSERT_LT(chunk_at, chunks_.size());
    const Chunk& chunk = chunks_[chunk_at];
    const size_t within = static_cast<size_t>(position - chunk.index * kChunkBytes);
    SIM_ASSERT_GE(within, chunk.skip);
    const size_t take = std::min(chunk.data.size() - within, count);
    f(chunk.data.data() + within, take);
    count -= take;
    position += take;
    ++chunk_at;
  }
}

size_t ByteQueue::copy_out(size_t offset, uint8_t* out, size_t count) const {
  size_t copied = 0;
  for_each_span_in(offset, count, [&](const uint8_t* data, size_t size) {
    std::memcpy(out + copied, data, size);
    copied += size;
  });
  return copied;
}

Bytes ByteQueue::read(size_t offset, size_t count) const {
  Bytes out;
  append_to(offset, count, out);
  return out;
}

void ByteQueue::append_to(size_t offset, size_t count, Bytes& out) const {
  if (offset < size_) out.reserve(out.size() + std::min(count, size_ - offset));
  // Inserting spans, not resizing and copying: a resize would first zero every byte.
  for_each_span_in(offset, count, [&](const uint8_t* data, size_t size) { out.insert(out.end(), data, data + size); });
}

uint64_t ByteQueue::chunk_digest(const Chunk& chunk) const {
  if (!chunk.digest_valid) {
    chunk.digest = hash_span(chunk.data.data() + chunk.skip, chunk.data.size() - chunk.skip);
    chunk.digest_valid = true;
  }
  return chunk.digest;
}

uint64_t ByteQueue::digest() const {
  DigestBuilder builder(head_offset_, size_);
  for (const Chunk& chunk : chunks_) builder.add(chunk_digest(chunk));
  return builder.finish();
}

uint64_t ByteQueue::digest_uncached() const {
  DigestBuilder builder(head_offset_, size_);
  for (const Chunk& chunk : chunks_)
    builder.add(hash_span(chunk.data.data() + chunk.skip, chunk.data.size() - chunk.skip));
  return builder.finish();
}

bool operator==(const ByteQueue& a, const ByteQueue& b) {
  if (a.head_offset_ != b.head_offset_ || a.size_ != b.size_) return false;
  return a.read(0, a.size_) == b.read(0, b.size_);
}

void ByteQueue::save(Writer& out) const {
  out.write(head_offset_);
  out.write(static_cast<uint64_t>(size_));
  switch (out.encoding()) {
    case Encoding::kDigest:
      out.write(digest());
      return;
    case Encoding::kDigestFromScratch:
      out.write(digest_uncached());
      return;
    case Encoding::kSnapshot:
      for (const Chunk& chunk : chunks_) {
        const uint8_t* data = chunk.data.data() + chunk.skip;
        const size_t size = chunk.data.size() - chunk.skip;
        // A full chunk no longer changes until it is consumed: the store keeps it as one
        // piece, by an id computed once. Partial chunks change with every append or read.
        if (out.shares_pieces() && chunk.skip == 0 && size == kChunkBytes) {
          if (!chunk.id_valid) {
            const XXH128_hash_t id = XXH3_128bits(data, size);
            chunk.id_low = id.low64;
            chunk.id_high = id.high64;
            chunk.id_valid = true;
          }
          out.write_known_piece(data, size, chunk.id_low, chunk.id_high);
        } else {
          out.write_bytes(data, size);
        }
      }
      return;
  }
}

void ByteQueue::load(Reader& in) {
  uint64_t head_offset = 0;
  uint64_t size = 0;
  in.read(head_offset);
  in.read(size);
  if (size > in.remaining()) {
    in.fail(fmt::format("a byte queue of {} bytes exceeds the {} bytes that remain", size, in.remaining()));
  }
  if (head_offset > UINT64_MAX - size) in.fail("a byte queue's offsets run past 2^64");
  Bytes content(static_cast<size_t>(size));
  in.read_bytes(content.data(), content.size());
  *this = ByteQueue(head_offset);
  append(content.data(), content.size());
}

void ByteQueue::dump(JsonWriter& out) const {
  out.begin_object();
  out.key("head_offset");
  out.hex(head_offset_);
  out.key("buffer");
  out.buffer_summary(size_, digest(), read(0, JsonWriter::kPrefixBytes));
  out.end_object();
}

}  // namespace sim
