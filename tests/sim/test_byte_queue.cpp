// ByteQueue: FIFO behaviour across chunks and digests that depend on content alone.
#include "sim/binary.h"
#include "sim/byte_queue.h"
#include "sim/rng.h"

#include <catch2/catch.hpp>

namespace {

sim::Bytes pattern(size_t size, uint8_t salt) {
  sim::Bytes bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i * 31 + salt);
  return bytes;
}

}  // namespace

TEST_CASE("sim: byte queue: bytes come out in order across chunk boundaries") {
  sim::ByteQueue q(100);
  const sim::Bytes data = pattern(10'000, 1);
  q.append(data.data(), 3'000);
  q.append(data.data() + 3'000, 7'000);
  CHECK(q.size() == 10'000);
  CHECK(q.read(0, 10'000) == data);
  q.consume(4'500);
  CHECK(q.head_offset() == 4'600);
  CHECK(q.read(0, 5'500) == sim::Bytes(data.begin() + 4'500, data.end()));
  CHECK(q.read(5'000, 100) == sim::Bytes(data.begin() + 9'500, data.begin() + 9'600));
  CHECK(q.read(5'400, 1'000).size() == 100);
  q.consume(5'500);
  CHECK(q.empty());
  q.append(data.data(), 10);
  CHECK(q.read(0, 10) == sim::Bytes(data.begin(), data.begin() + 10));
}

TEST_CASE("sim: byte queue: the digest depends on offsets and content, not on history") {
  const sim::Bytes data = pattern(20'000, 7);
  sim::ByteQueue a(0);
  a.append(data.data(), data.size());
  a.consume(5'000);
  sim::ByteQueue b(5'000);
  for (size_t at = 5'000; at < data.size(); at += 777) {
    b.append(data.data() + at, std::min<size_t>(777, data.size() - at));
  }
  CHECK(a == b);
  CHECK(a.digest() == b.digest());
  sim::ByteQueue c(5'001);
  c.append(data.data() + 5'000, data.size() - 5'000);
  CHECK(c.digest() != a.digest());
}

TEST_CASE("sim: byte queue: the cached digest always equals a recomputation") {
  sim::ByteQueue q;
  sim::Rng rng = sim::Rng::stream(3, "queue");
  for (int step = 0; step < 500; ++step) {
    if (rng.chance(sim::Ratio(3, 5))) {
      const sim::Bytes data = pattern(static_cast<size_t>(rng.below(9'000)), static_cast<uint8_t>(step));
      q.append(data.data(), data.size());
    } else {
      q.consume(static_cast<size_t>(rng.below(q.size() + 1)));
    }
    REQUIRE(q.digest() == q.digest_uncached());
  }
}

TEST_CASE("sim: byte queue: snapshot encoding round-trips, digest encoding stays small") {
  sim::ByteQueue q(12);
  const sim::Bytes data = pattern(50'000, 9);
  q.append(data.data(), data.size());
  q.consume(123);
  const sim::Bytes snapshot = sim::encode(q, sim::Encoding::kSnapshot);
  const sim::Bytes digest = sim::encode(q, sim::Encoding::kDigest);
  CHECK(digest.size() < 64);
  CHECK(digest == sim::encode(q, sim::Encoding::kDigestFromScratch));
  sim::ByteQueue restored;
  sim::Reader reader(snapshot);
  reader.read(restored);
  CHECK(restored == q);
  CHECK(restored.digest() == q.digest());
}
