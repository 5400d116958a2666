// Golden hash chains: the GCC debug and Clang release builds must reproduce them exactly.
#include "tests/sim/world_fixture.h"
#include "tests/support/test_main.h"

#include "sim/file_io.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <string>

namespace {

constexpr uint64_t kGoldenTicks = 2000;
constexpr uint64_t kGoldenEvery = 250;

// The chain at every kGoldenEvery-th tick, one "tick 0xhash" line each.
std::string golden_text(uint64_t seed) {
  const std::vector<uint64_t> chain = test_sim::demo_chain(seed, kGoldenTicks);
  std::string text = fmt::format("# demo world, seed {}, chain hash every {} ticks\n", seed, kGoldenEvery);
  for (uint64_t t = 0; t <= kGoldenTicks; t += kGoldenEvery) text += fmt::format("{} 0x{:016x}\n", t, chain[t]);
  return text;
}

std::string golden_path(uint64_t seed) {
  return fmt::format("{}/tests/golden/demo-seed-{}.chain", DMSGSIM_SOURCE_ROOT, seed);
}

}  // namespace

TEST_CASE("sim: golden: demo chains match the recorded golden files") {
  for (uint64_t seed : {1ULL, 2ULL, 0xdeadbeefULL}) {
    const std::string path = golden_path(seed);
    const std::string actual = golden_text(seed);
    INFO("golden file " << path << " (regenerate with: meson test -C build sim --test-args=--update-golden)");
    if (test_support::update_golden()) {
      REQUIRE(sim::write_file(path, sim::Bytes(actual.begin(), actual.end())).ok());
      WARN("rewrote " << path);
      continue;
    }
    sim::Result<sim::Bytes> recorded = sim::read_file(path);
    REQUIRE(recorded.ok());
    CHECK(std::string(recorded->begin(), recorded->end()) == actual);
  }
}
