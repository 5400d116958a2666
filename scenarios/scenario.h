// The catalog of named scenarios that `dmsgsim run` can build and check.
#pragma once

#include "sim/world.h"

#include <string>
#include <string_view>
#include <vector>

namespace scenarios {

// One named check of a scenario's outcome, with what it measured.
struct Check {
  std::string name;
  bool passed = false;
  std::string measured;  // a person-readable value, e.g. "20 dials" or "3.2s"
  std::string expected;  // what would have passed, shown on failure
};

struct ScenarioOutcome {
  bool passed = true;
  std::vector<Check> checks;
};

struct ScenarioInfo {
  std::string_view name;
  std::string_view description;
  /// Ticks a run lasts when --ticks is not given.
  uint64_t default_ticks;
  /// Spawns the scenario's actors into an empty world.
  void (*build)(sim::World& world);
  /// Judges the world after the run.
  ScenarioOutcome (*judge)(const sim::World& world);
};

const std::vector<ScenarioInfo>& scenario_catalog();
// nullptr for an unknown name.
const ScenarioInfo* find_scenario(std::string_view name);
std::string_view default_scenario_name();

}  // namespace scenarios
