// CachedMap: the incremental digest always equals a digest from scratch, whatever path
// changed the entries; snapshots hold the entries as a std::map does.
#include "sim/cached_map.h"
#include "sim/rng.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

using Map = sim::CachedMap<uint32_t, std::string>;

uint64_t digest_of(const Map& map) {
  sim::Bytes incremental = sim::encode(map, sim::Encoding::kDigest);
  sim::Bytes scratch = sim::encode(map, sim::Encoding::kDigestFromScratch);
  // Both encodings carry (size, digest); the digests must agree.
  REQUIRE(incremental.size() == scratch.size());
  CHECK(incremental == scratch);
  return map.digest();
}

}  // namespace

TEST_CASE("sim: cached map: random changes through every accessor keep the digest exact") {
  sim::Rng rng = sim::Rng::stream(3, "test/cached_map");
  Map map;
  for (int step = 0; step < 2000; ++step) {
    const auto key = static_cast<uint32_t>(rng.below(40));
    switch (rng.below(6)) {
      case 0:
        map[key] += "x";
        break;
      case 1:
        if (map.count(key) != 0) map.at(key) = std::to_string(step);
        break;
      case 2:
        if (std::string* value = map.find_mutable(key)) value->push_back('y');
        break;
      case 3:
        map.erase(key);
        break;
      case 4:
        map.emplace(key, "new");
        break;
      case 5:
        if (step % 50 == 0) map.mutate_each([](const uint32_t&, std::string& value) { value += "z"; });
        break;
    }
    if (step % 7 == 0) digest_of(map);  // digests taken between changes, as at tick boundaries
  }
  digest_of(map);
}

TEST_CASE("sim: cached map: equal contents, equal digests, however they were reached") {
  Map a;
  Map b;
  a[1] = "one";
  a[2] = "two";
  (void)a.digest();
  a.at(2) = "zwei";
  b.emplace(2, "zwei");
  b.emplace(1, "one");
  CHECK(a.digest() == b.digest());
  b.erase(1);
  CHECK(a.digest() != b.digest());
}

TEST_CASE("sim: cached map: a snapshot is the std::map's encoding and restores the digest") {
  Map map;
  map[5] = "five";
  map[9] = "nine";
  const std::map<uint32_t, std::string> plain = {{5, "five"}, {9, "nine"}};
  CHECK(sim::encode(map) == sim::encode(plain));
  Map restored;
  const sim::Bytes bytes = sim::encode(map);
  sim::Reader reader(bytes);
  reader.read(restored);
  CHECK(restored.digest() == map.digest());
  CHECK(restored.at(9) == "nine");
}
