// Hasher and the buffer pool: the pieces the state digests and the byte paths stand on.
#include "sim/binary.h"
#include "sim/buffer_pool.h"
#include "sim/byte_queue.h"
#include "sim/digest_map.h"
#include "sim/hasher.h"
#include "sim/rng.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

namespace {

sim::Bytes random_bytes(sim::Rng& rng, size_t size) {
  sim::Bytes bytes(size);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.below(256));
  return bytes;
}

struct Carrier {
  uint64_t id = 0;
  std::string name;
  sim::Bytes payload;
  sim::ByteQueue queue;
  std::map<uint32_t, uint64_t> table;
  template <class V>
  void visit(V& v) {
    v("id", id);
    v("name", name);
    v("payload", payload);
    v("queue", queue);
    v("table", table);
  }
};

uint64_t hashed_through_hasher(const Carrier& carrier, sim::Encoding encoding) {
  sim::Hasher hasher;
  {
    sim::Writer writer(hasher, encoding);
    writer.write(carrier);
  }
  return hasher.finish();
}

}  // namespace

TEST_CASE("sim: hasher: pieces of any size hash as their concatenation") {
  sim::Rng rng = sim::Rng::stream(11, "test/hasher");
  for (int round = 0; round < 200; ++round) {
    // Totals from empty to several times the stage, pieces from empty to past it.
    const sim::Bytes all = random_bytes(rng, rng.below(9000));
    sim::Hasher hasher;
    for (size_t done = 0; done < all.size();) {
      const size_t piece = std::min<size_t>(all.size() - done, rng.below(3000));
      hasher.add(all.data() + done, piece);
      done += piece;
    }
    INFO("round " << round << ", " << all.size() << " bytes");
    CHECK(hasher.finish() == sim::hash_bytes(all.data(), all.size()));
  }
}

TEST_CASE("sim: hasher: a writer feeding a hasher digests exactly the bytes it would write") {
  sim::Rng rng = sim::Rng::stream(12, "test/hasher-writer");
  for (size_t payload : {0, 10, 1400, 5000}) {
    Carrier carrier;
    carrier.id = rng.next_u64();
    carrier.name = "carrier";
    carrier.payload = random_bytes(rng, payload);
    const sim::Bytes queued = random_bytes(rng, 3 * payload);
    carrier.queue.append(queued);
    for (uint32_t k = 0; k < 40; ++k) carrier.table[k] = rng.next_u64();
    for (sim::Encoding encoding : {sim::Encoding::kDigest, sim::Encoding::kDigestFromScratch}) {
      const sim::Bytes written = sim::encode(carrier, encoding);
      INFO("payload " << payload);
      CHECK(hashed_through_hasher(carrier, encoding) == sim::hash_bytes(written.data(), written.size()));
    }
  }
}

TEST_CASE("sim: buffer pool: a buffer comes back empty with room, and its storage is reused") {
  sim::Bytes first = sim::buffer_pool::take(1400);
  CHECK(first.empty());
  CHECK(first.capacity() >= 1400);
  first.assign(1400, 0xab);
  const uint8_t* storage = first.data();
  sim::buffer_pool::give(std::move(first));
  // The most recently given buffer of the class serves the next request of that class.
  const sim::Bytes again = sim::buffer_pool::take(1500);
  CHECK(again.empty());
  CHECK(again.capacity() >= 1500);
  CHECK(again.data() == storage);
  // Sizes outside the pooled classes are plain allocations.
  CHECK(sim::buffer_pool::take(10).capacity() >= 10);
  CHECK(sim::buffer_pool::take(1 << 20).capacity() >= (1 << 20));
  sim::Bytes tiny(8);
  sim::buffer_pool::give(std::move(tiny));  // too small to keep: simply freed
}

TEST_CASE("sim: byte queue: append_to copies any range across chunks after what out holds") {
  sim::Rng rng = sim::Rng::stream(13, "test/append-to");
  const sim::Bytes data = random_bytes(rng, 20'000);
  sim::ByteQueue q(777);
  q.append(data);
  q.consume(1'234);
  for (int round = 0; round < 100; ++round) {
    const size_t offset = rng.below(q.size() + 10);
    const size_t count = rng.below(9'000);
    sim::Bytes out = {1, 2, 3};
    q.append_to(offset, count, out);
    sim::Bytes expected = {1, 2, 3};
    // Room first: growing the 3-byte vector inside insert makes GCC 12 at -O3 warn falsely
    // of an out-of-bounds memcpy.
    expected.reserve(expected.size() + count);
    if (offset < q.size()) {
      const size_t n = std::min(count, q.size() - offset);
      expected.insert(expected.end(), data.begin() + static_cast<std::ptrdiff_t>(1'234 + offset),
                      data.begin() + static_cast<std::ptrdiff_t>(1'234 + offset + n));
    }
    CHECK(out == expected);
  }
}

TEST_CASE("sim: digest map: entries changed in place, taken and inserted again keep the digest exact") {
  sim::Rng rng = sim::Rng::stream(14, "test/digest-map");
  sim::DigestMap<uint32_t, std::string> map;
  for (int step = 0; step < 3000; ++step) {
    const auto key = static_cast<uint32_t>(rng.below(30));
    switch (rng.below(5)) {
      case 0:
        if (!map.contains(key)) map.insert(key, "v");
        break;
      case 1:
        (void)map.take(key);
        break;
      case 2:
      case 3:
        // Repeated and alternating changes of the same keys between digests.
        if (std::string* value = map.mutate(key)) value->push_back('m');
        break;
      case 4:
        if (step % 100 == 0) map.mutate_each([](const uint32_t&, std::string& value) { value += "e"; });
        break;
    }
    if (step % 9 == 0) REQUIRE(map.digest() == map.digest_uncached());
  }
  CHECK(map.digest() == map.digest_uncached());
}
