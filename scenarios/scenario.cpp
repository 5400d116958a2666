// The scenario catalog.
#include "scenarios/scenario.h"

#include "scenarios/demo_world.h"

#include <fmt/format.h>

namespace scenarios {
namespace {

void build_demo(sim::World& world) { build_demo_world(world, DemoOptions{}); }

// The demo has no protocol to fail; it checks that the gossip actually flowed.
ScenarioOutcome judge_demo(const sim::World& world) {
  uint64_t sent = 0;
  uint64_t received = 0;
  for (uint32_t i = 0; i < world.actor_count(); ++i) {
    const auto& gossiper = world.actor_as<Gossiper>(sim::ActorId{i});
    sent += gossiper.sent();
    received += gossiper.received();
  }
  ScenarioOutcome outcome;
  outcome.checks.push_back(Check{"messages_flow", received > 0 && received <= sent,
                                 fmt::format("{} sent, {} received", sent, received),
                                 "some messages received, never more than sent"});
  for (const Check& check : outcome.checks) outcome.passed = outcome.passed && check.passed;
  return outcome;
}

}  // namespace

const std::vector<ScenarioInfo>& scenario_catalog() {
  static const std::vector<ScenarioInfo> catalog = {
      {"demo", "gossiping timer and message actors (the simulation core on its own)", 1000, &build_demo, &judge_demo},
  };
  return catalog;
}

const ScenarioInfo* find_scenario(std::string_view name) {
  for (const ScenarioInfo& info : scenario_catalog()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::string_view default_scenario_name() { return "demo"; }

}  // namespace scenarios
