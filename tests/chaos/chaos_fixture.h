// Chaos runs for the tests: the small world the suite uses, and one run's outcome.
#pragma once

#include "scenarios/chaos/panel.h"
#include "sim/fmt.h"

#include <catch2/catch.hpp>

#include <string>

namespace chaos_test {

// The suite's world: 3 servers, 8 clients, at most 30 streams, a 200 s fault phase (about
// 320 batches of 1 s with the settle phase); the default event probabilities.
inline scenarios::chaos::ChaosConfig small_config() {
  scenarios::chaos::ChaosConfig config;
  config.servers = 3;
  config.clients = 8;
  config.streams = 30;
  config.duration = sim::Duration::seconds(200);
  return config;
}

inline scenarios::chaos::ChaosResult run_chaos(const scenarios::chaos::ChaosConfig& config, uint64_t seed,
                                               dmsg::PlantedBug bug = dmsg::PlantedBug::kNone) {
  auto panel = scenarios::chaos::ControlPanel::create(config, seed, bug);
  REQUIRE(panel.ok());
  return panel.value()->run();
}

// The mismatches of a failed run, one a line, for failure messages.
inline std::string describe(const scenarios::chaos::ChaosResult& result) {
  std::string out;
  for (const scenarios::chaos::Mismatch& m : result.mismatches) out += "  " + m.describe() + "\n";
  return out;
}

}  // namespace chaos_test
