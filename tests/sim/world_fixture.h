// Builds and runs demo worlds for the world tests.
#pragma once

#include "scenarios/run/actor_types.h"
#include "scenarios/workloads/demo_world.h"
#include "sim/world.h"

#include <memory>
#include <vector>

namespace test_sim {

inline std::unique_ptr<sim::World> make_demo_world(uint64_t seed, sim::Log* log = nullptr) {
  auto world = std::make_unique<sim::World>(sim::WorldOptions{seed, sim::Duration::milliseconds(1)},
                                            scenarios::all_actor_types(), log);
  scenarios::build_demo_world(*world, scenarios::DemoOptions{});
  return world;
}

// chain[0..ticks] of an uninterrupted demo run.
inline std::vector<uint64_t> demo_chain(uint64_t seed, uint64_t ticks, sim::SnapshotPolicy policy = {}) {
  auto world = make_demo_world(seed);
  world->set_snapshot_policy(policy);
  world->run_ticks(ticks);
  std::vector<uint64_t> chain;
  for (uint64_t t = 0; t <= ticks; ++t) chain.push_back(world->chain_at(t));
  return chain;
}

}  // namespace test_sim
