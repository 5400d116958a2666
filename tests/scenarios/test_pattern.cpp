// The verifiable byte pattern: bulk fills agree with byte-at-a-time fills at any offset,
// and the verifier counts exactly the bytes that differ, however the input is split.
#include "scenarios/workloads/pattern.h"

#include <catch2/catch.hpp>

#include <vector>

namespace scenarios {
namespace {

std::vector<uint8_t> fill_bytewise(uint64_t seed, uint64_t offset, size_t size) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) pattern_fill(seed, offset + i, &out[i], 1);
  return out;
}

TEST_CASE("pattern: the first bytes of a seed are pinned", "[pattern]") {
  // splitmix64 of seed 1, block 0, little-endian: a change here changes every golden chain.
  uint8_t out[8];
  pattern_fill(1, 0, out, sizeof out);
  uint64_t value = 0;
  for (int b = 7; b >= 0; --b) value = (value << 8) | out[b];
  CHECK(value == 0x910a2dec89025cc1ULL);
}

TEST_CASE("pattern: a fill at any offset and size equals the bytes filled one at a time", "[pattern]") {
  for (uint64_t offset : {0, 1, 7, 8, 9, 4093, 4096}) {
    for (size_t size : {0, 1, 7, 8, 9, 15, 16, 17, 100, 4070}) {
      std::vector<uint8_t> bulk(size);
      pattern_fill(42, offset, bulk.data(), size);
      INFO("offset " << offset << " size " << size);
      CHECK(bulk == fill_bytewise(42, offset, size));
    }
  }
}

TEST_CASE("pattern: the verifier counts every wrong byte, however the bytes are split", "[pattern]") {
  constexpr size_t kSize = 1000;
  std::vector<uint8_t> data(kSize);
  pattern_fill(7, 0, data.data(), kSize);
  const std::vector<size_t> flipped = {3, 8, 9, 15, 500, 999};  // ragged ends, whole blocks
  for (size_t at : flipped) data[at] ^= 0x5a;
  for (size_t piece : {1, 3, 8, 13, 1000}) {
    PatternVerifier verifier;
    verifier.seed = 7;
    for (size_t done = 0; done < kSize; done += piece) {
      verifier.check(data.data() + done, std::min(piece, kSize - done));
    }
    INFO("pieces of " << piece);
    CHECK(verifier.verified == kSize);
    CHECK(verifier.mismatches == flipped.size());
    CHECK(verifier.first_mismatch == 3);
  }
}

TEST_CASE("pattern: a stream reader learns the seed from the header and verifies the rest", "[pattern]") {
  std::vector<uint8_t> stream(kPatternHeaderBytes + 50);
  pattern_stream_fill(0x0102030405060708ULL, 0, stream.data(), stream.size());
  PatternStreamReader reader;
  CHECK(reader.feed(stream.data(), 5) == 0);
  CHECK(reader.feed(stream.data() + 5, stream.size() - 5) == 50);
  CHECK(reader.verifier.seed == 0x0102030405060708ULL);
  CHECK(reader.verifier.is_clean());
  stream.back() ^= 1;
  PatternStreamReader tampered;
  tampered.feed(stream.data(), stream.size());
  CHECK(tampered.verifier.mismatches == 1);
  CHECK(tampered.verifier.first_mismatch == 49);
}

}  // namespace
}  // namespace scenarios
