// Runs a scenario: builds its world, applies external inputs at their ticks, judges it.
#pragma once

#include "scenarios/run/scenario.h"
#include "scenarios/world/inputs.h"
#include "sim/log.h"
#include "sim/world.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scenarios {

// The longest a run may last in virtual time: a quarter of the nanosecond clock's range
// (about 146 years), so that timers set near a run's end still fit in it.
inline constexpr sim::Duration kMaxRunLength = sim::Duration::nanoseconds(int64_t{1} << 62);

// How many ticks of `tick_length` fit in kMaxRunLength.
uint64_t max_run_ticks(sim::Duration tick_length);
// The ticks a run of `scenario` lasts at most when it is not given a number of ticks.
uint64_t max_run_ticks_of(const ScenarioInfo& scenario, sim::Duration tick_length);

// An input that changed nothing: due after the run ended, or with nothing to act on.
struct InputNotApplied {
  std::string input;  // as given
  std::string reason;
};

struct RunReport {
  uint64_t ticks = 0;
  uint64_t events = 0;
  uint64_t state_hash = 0;
  uint64_t chain_hash = 0;
  std::string profile;  // described, for scenarios with a network
  ScenarioOutcome outcome;
  std::vector<InputNotApplied> inputs_not_applied;  // in the order they were due
  // Stopped early when asked (a signal): the outcome judges a run cut short, and is never a
  // pass.
  bool interrupted = false;
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
  // The inputs the next run_tick() applies first, in order.
  std::vector<const FaultInput*> inputs_due() const;
  // Applies the inputs due at the current tick, then runs the tick.
  void run_tick();
  bool is_finished() const;
  // Runs `ticks` ticks, or (when nullopt) until the scenario finishes or its limit ran;
  // `after_tick`, if given, sees each tick number as it ends (for progress lines) and
  // returns false to stop there (the report then says the run was interrupted).
  RunReport run(std::optional<uint64_t> ticks, const std::function<bool(uint64_t)>& after_tick = {});
  RunReport report();

 private:
  ScenarioRunner() = default;
  sim::Status adopt_inputs(std::vector<FaultInput> inputs);
  void apply_scripted_faults();

  const ScenarioInfo* scenario_ = nullptr;
  RunConfig config_;
  std::vector<FaultInput> inputs_;  // sorted by tick, stable
  size_t next_input_ = 0;
  // Observed, never part of the world: inputs that were due but had nothing to act on.
  std::vector<InputNotApplied> without_effect_;
  std::unique_ptr<sim::World> world_;
  std::optional<sim::ActorId> network_;
  std::string drawn_profile_;  // the network's profile when the run began, for its report
};

}  // namespace scenarios
