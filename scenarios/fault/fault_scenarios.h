// The dmsg test plan's six fault scenarios, as entries of the scenario catalog.
#pragma once

#include "scenarios/run/scenario.h"

#include <vector>

namespace scenarios {

// The six, in the test plan's order.
std::vector<ScenarioInfo> fault_scenarios();
void register_fault_scenario_actors(sim::ActorRegistry& registry);

}  // namespace scenarios
