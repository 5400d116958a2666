// Golden hash chains: the GCC debug and Clang release builds must reproduce them exactly.
#include "sim/fmt.h"
#include "tests/sim/world_fixture.h"
#include "tests/support/golden.h"

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

}  // namespace

TEST_CASE("sim: golden: demo chains match the recorded golden files") {
  for (uint64_t seed : {1ULL, 2ULL, 0xdeadbeefULL}) {
    test_support::check_golden(fmt::format("demo-seed-{}.chain", seed), golden_text(seed), "sim");
  }
}
