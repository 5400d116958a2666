// Runs a scenario: builds its world, applies external inputs at their ticks, judges it.
#pragma once

#include "scenarios/run/scenario.h"
#include "scenarios/world/inputs.h"
#include "sim/log.h"
#include "sim/world.h"

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace scenarios {

struct RunReport {
  uint64_t ticks = 0;
  uint64_t events = 0;
  uint64_t state_hash = 0;
  uint64_t chain_hash = 0;
  std::string profile;  // described, for scenarios with a network
  ScenarioOutcome outcome;
};

// Owns the world of one run and the inputs that are applied to it from outside. Inputs
// never live in the world: they enter it at the start of their tick, so a run with a
// changed input diverges exactly at that input's tick.
class ScenarioRunner {
 public:
  // Fails on an unknown profile, or inputs naming unknown nodes or given to a scenario
  // without a network.
  static sim::Result<std::unique_ptr<ScenarioRunner>> create(const ScenarioInfo& scenario, const RunConfig& config,
                                                             std::vector<FaultInput> inputs, sim::Log* log = nullptr);

  // A run continued from a snapshot of it: inputs due before the snapshot's tick are
  // already in its state; the rest are applied as usual.
  static sim::Result<std::unique_ptr<ScenarioRunner>> resume(const ScenarioInfo& scenario, const RunConfig& config,
                                                             std::vector<FaultInput> inputs,
                                                             const sim::Snapshot& snapshot, sim::Log* log = nullptr);

  sim::World& world() { return *world_; }
  const ScenarioInfo& scenario() const { return *scenario_; }
  const RunConfig& config() const { return config_; }
  const std::vector<FaultInput>& inputs() const { return inputs_; }

  // Adds an input decided during the run (the chaos panel's), due at the current tick or
  // later and not before any input already given; it is recorded like the others.
  sim::Status add_input(FaultInput input);
  // Applies the inputs due at the current tick, then runs the tick.
  void run_tick();
  bool is_finished() const;
  // Runs `ticks` ticks, or (when nullopt) until the scenario finishes or max_ticks ran;
  // `after_tick`, if given, sees each tick number as it ends (for progress lines).
  RunReport run(std::optional<uint64_t> ticks, const std::function<void(uint64_t)>& after_tick = {});
  RunReport report();

 private:
  ScenarioRunner() = default;
  sim::Status adopt_inputs(std::vector<FaultInput> inputs);
  void apply_scripted_faults();

  const ScenarioInfo* scenario_ = nullptr;
  RunConfig config_;
  std::vector<FaultInput> inputs_;  // sorted by tick, stable
  size_t next_input_ = 0;
  std::unique_ptr<sim::World> world_;
  std::optional<sim::ActorId> network_;
};

}  // namespace scenarios
