// The canonical encoding: round trips, bounded decoding of hostile input, the JSON dump.
#include "sim/binary.h"
#include "sim/bounded_vector.h"
#include "sim/json_writer.h"
#include "sim/rng.h"
#include "sim/sliding_vector.h"

#include <catch2/catch.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <map>
#include <optional>
#include <sstream>
#include <string>

namespace {

enum class Color : uint8_t { kRed, kBlue };
std::string_view enum_name(Color c) { return c == Color::kRed ? "red" : "blue"; }

struct Inner {
  uint32_t count = 0;
  std::string label;
  template <class V>
  void visit(V& v) {
    v("count", count);
    v("label", label);
  }
  friend bool operator==(const Inner&, const Inner&) = default;
};

struct Point {
  uint32_t x = 0;
  uint16_t y = 0;
  template <class V>
  void visit(V& v) {
    v("x", x);
    v("y", y);
  }
  friend bool operator==(const Point&, const Point&) = default;
};

struct Sample {
  bool flag = false;
  int64_t signed_value = 0;
  uint64_t big = 0;
  Color color = Color::kRed;
  sim::Bytes payload;
  std::array<uint8_t, 4> key{};
  std::vector<Inner> items;
  std::map<uint32_t, Inner> by_id;
  std::optional<uint16_t> maybe;
  sim::Rng rng;
  sim::BoundedVector<Point, 3> bounded;
  sim::SlidingVector<Inner> sliding;
  template <class V>
  void visit(V& v) {
    v("flag", flag);
    v("signed_value", signed_value);
    v("big", big);
    v("color", color);
    v("payload", payload);
    v("key", key);
    v("items", items);
    v("by_id", by_id);
    v("maybe", maybe);
    v("rng", rng);
    v("bounded", bounded);
    v("sliding", sliding);
  }
  friend bool operator==(const Sample&, const Sample&) = default;
};

Sample make_sample() {
  Sample s;
  s.flag = true;
  s.signed_value = -42;
  s.big = 0xfedcba9876543210ULL;
  s.color = Color::kBlue;
  s.payload = {1, 2, 3, 4, 5};
  s.key = {0xde, 0xad, 0xbe, 0xef};
  s.items = {{1, "one"}, {2, "two"}};
  s.by_id = {{7, {7, "seven"}}, {3, {3, "three"}}};
  s.maybe = 9;
  s.rng = sim::Rng::stream(1, "sample");
  s.bounded = {{1, 2}, {3, 4}};
  for (uint32_t i = 0; i < 5; ++i) s.sliding.push_back({i, "run"});
  s.sliding.drop_front(2);  // only the live items are state
  return s;
}

// Decodes like the world's restore does: errors become values.
std::optional<std::string> decode_error(const sim::Bytes& bytes) {
  try {
    Sample s;
    sim::Reader reader(bytes);
    reader.read(s);
    if (reader.remaining() != 0) return "trailing bytes";
    return std::nullopt;
  } catch (const sim::DecodeError& e) {
    return std::string(e.what());
  }
}

}  // namespace

TEST_CASE("sim: encoding: every supported field type round-trips") {
  const Sample original = make_sample();
  const sim::Bytes bytes = sim::encode(original);
  Sample decoded;
  sim::Reader reader(bytes);
  reader.read(decoded);
  CHECK(reader.remaining() == 0);
  CHECK(decoded == original);
  CHECK(sim::encode(decoded) == bytes);
}

TEST_CASE("sim: encoding: truncation anywhere is an error, never a crash") {
  const sim::Bytes bytes = sim::encode(make_sample());
  for (size_t size = 0; size < bytes.size(); ++size) {
    const sim::Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    INFO("truncated to " << size << " bytes");
    CHECK(decode_error(cut).has_value());
  }
}

TEST_CASE("sim: encoding: a huge length field is refused before any allocation") {
  sim::Bytes bytes = sim::encode(make_sample());
  // The payload's u64 length follows the endianness byte, flag, i64, u64 and enum byte.
  const size_t length_at = 1 + 1 + 8 + 8 + 1;
  REQUIRE(bytes[length_at] == 5);
  for (size_t i = 0; i < 8; ++i) bytes[length_at + i] = 0xff;
  const std::optional<std::string> error = decode_error(bytes);
  REQUIRE(error.has_value());
  CHECK_THAT(*error, Catch::Contains("exceeds"));
  CHECK_THAT(*error, Catch::Contains("payload"));
}

TEST_CASE("sim: encoding: flipped bytes decode to an error or to a different value, never a crash") {
  const Sample original = make_sample();
  const sim::Bytes bytes = sim::encode(original);
  for (size_t at = 0; at < bytes.size(); ++at) {
    sim::Bytes flipped = bytes;
    flipped[at] ^= 0x80;
    Sample decoded;
    bool failed = false;
    try {
      sim::Reader reader(flipped);
      reader.read(decoded);
    } catch (const sim::DecodeError&) {
      failed = true;
    }
    CHECK((failed || !(decoded == original) || at == 0));
  }
}

TEST_CASE("sim: json dump: names every field, keys maps by id, shows 64-bit values as hex") {
  const std::string json = sim::to_json(make_sample());
  CHECK_THAT(json, Catch::Contains("\"big\": \"0xfedcba9876543210\""));
  CHECK_THAT(json, Catch::Contains("\"signed_value\": -42"));
  CHECK_THAT(json, Catch::Contains("\"color\": \"blue\""));
  CHECK_THAT(json, Catch::Contains("\"3\": {"));
  CHECK_THAT(json, Catch::Contains("\"7\": {"));
  CHECK_THAT(json, Catch::Contains("\"key\": \"deadbeef\""));
  CHECK_THAT(json, Catch::Contains("\"length\": 5"));
  CHECK_THAT(json, Catch::Contains("\"prefix\": \"0102030405\""));
  CHECK_THAT(json, Catch::Contains("\"maybe\": 9"));
  CHECK_THAT(json, Catch::Contains("\"label\": \"one\""));
  // Map keys come out in order: 3 before 7.
  CHECK(json.find("\"3\": {") < json.find("\"7\": {"));
}

TEST_CASE("sim: encoding: snapshot and digest encodings write the same bytes") {
  // For types without cached digests (byte queues, digest maps) the encodings must not
  // differ in a single byte.
  const Sample sample = make_sample();
  CHECK(sim::encode(sample, sim::Encoding::kDigest) == sim::encode(sample, sim::Encoding::kSnapshot));
  CHECK(sim::encode(sample, sim::Encoding::kDigestFromScratch) == sim::encode(sample, sim::Encoding::kSnapshot));
  const std::vector<int64_t> negatives = {-1, INT64_MIN, 42};
  CHECK(sim::encode(negatives, sim::Encoding::kDigest) == sim::encode(negatives, sim::Encoding::kSnapshot));
}

TEST_CASE("sim: encoding: the layout is cereal's portable binary archive's, byte for byte") {
  // cereal is the reference: its archive writes the marker and each value; ours must agree.
  std::ostringstream stream;
  {
    cereal::PortableBinaryOutputArchive archive(stream);
    archive(uint8_t{0xab}, int8_t{-3}, uint16_t{0x1234}, int32_t{-100000}, uint64_t{0xfedcba9876543210},
            int64_t{INT64_MIN}, true);
    const std::string text = "bytes";
    archive(uint64_t{text.size()});
    archive(cereal::binary_data(text.data(), text.size()));
  }
  const std::string reference = stream.str();
  sim::Bytes ours;
  {
    sim::Writer writer(ours, sim::Encoding::kSnapshot);
    writer.write(uint8_t{0xab});
    writer.write(int8_t{-3});
    writer.write(uint16_t{0x1234});
    writer.write(int32_t{-100000});
    writer.write(uint64_t{0xfedcba9876543210});
    writer.write(int64_t{INT64_MIN});
    writer.write(true);
    writer.write(std::string("bytes"));
  }
  CHECK(std::string(ours.begin(), ours.end()) == reference);
  // ... and cereal's reader reads ours back.
  std::istringstream in(std::string(ours.begin(), ours.end()));
  cereal::PortableBinaryInputArchive archive(in);
  uint8_t a = 0;
  int8_t b = 0;
  uint16_t c = 0;
  int32_t d = 0;
  uint64_t e = 0;
  int64_t f = 0;
  bool g = false;
  archive(a, b, c, d, e, f, g);
  CHECK((a == 0xab && b == -3 && c == 0x1234 && d == -100000 && e == 0xfedcba9876543210 && f == INT64_MIN && g));
}

TEST_CASE("sim: encoding: bounded and sliding vectors are encoded as std::vector is") {
  const std::vector<Point> points = {{1, 2}, {3, 4}};
  const sim::BoundedVector<Point, 3> bounded = {{1, 2}, {3, 4}};
  CHECK(sim::encode(bounded) == sim::encode(points));
  CHECK(sim::encode(bounded, sim::Encoding::kDigest) == sim::encode(points));
  // Items dropped from the front are gone from the encoding, however the storage holds them.
  sim::SlidingVector<Point> sliding;
  for (const Point& p : {Point{9, 9}, Point{1, 2}, Point{3, 4}}) sliding.push_back(p);
  sliding.drop_front(1);
  CHECK(sim::encode(sliding) == sim::encode(points));
  CHECK(sim::encode(sliding, sim::Encoding::kDigest) == sim::encode(points));
  sim::SlidingVector<Point> decoded;
  const sim::Bytes bytes = sim::encode(points);
  sim::Reader reader(bytes);
  reader.read(decoded);
  CHECK(decoded == sliding);
}

TEST_CASE("sim: encoding: a bounded vector longer than its bound is an error") {
  const std::vector<Point> four = {{1, 1}, {2, 2}, {3, 3}, {4, 4}};
  const sim::Bytes bytes = sim::encode(four);
  sim::BoundedVector<Point, 3> decoded;
  sim::Reader reader(bytes);
  CHECK_THROWS_WITH(reader.read(decoded), Catch::Contains("a list of 4 items exceeds its bound of 3"));
}

TEST_CASE("sim: sliding vector: drops from the front, inserts and erases by index, reclaims its prefix") {
  sim::SlidingVector<uint32_t> v;
  for (uint32_t i = 0; i < 100; ++i) v.push_back(i);
  v.drop_front(60);  // more dead than live: the prefix is reclaimed
  REQUIRE(v.size() == 40);
  CHECK(v.front() == 60);
  v.insert(1, 1000);
  v.erase(2, 4);  // 61 and 62 go
  CHECK(v[0] == 60);
  CHECK(v[1] == 1000);
  CHECK(v[2] == 63);
  CHECK(v.back() == 99);
  v.erase(0, 2);  // from the front: a drop
  CHECK(v.front() == 63);
  v.drop_front(v.size());
  CHECK(v.empty());
  v.push_back(7);
  CHECK(v.front() == 7);
}

TEST_CASE("sim: bounded vector: keeps the newest first when full") {
  sim::BoundedVector<uint32_t, 3> v = {1, 2, 3};
  v.push_front_dropping_last(0);
  CHECK(v == sim::BoundedVector<uint32_t, 3>{0, 1, 2});
  v.erase_front();
  CHECK(v == sim::BoundedVector<uint32_t, 3>{1, 2});
  v.push_front_dropping_last(9);
  CHECK(v == sim::BoundedVector<uint32_t, 3>{9, 1, 2});
}
