// The scenario runner.
#include "scenarios/run/runner.h"

#include "net/network.h"
#include "scenarios/run/actor_types.h"
#include "scenarios/world/actor_names.h"
#include "scenarios/world/net_assembly.h"
#include "sim/fmt.h"

#include <algorithm>

namespace scenarios {

sim::Result<std::unique_ptr<ScenarioRunner>> ScenarioRunner::create(const ScenarioInfo& scenario,
                                                                    const RunConfig& config,
                                                                    std::vector<FaultInput> inputs, sim::Log* log) {
  std::unique_ptr<ScenarioRunner> runner(new ScenarioRunner());
  runner->scenario_ = &scenario;
  runner->config_ = config;
  runner->world_ = std::make_unique<sim::World>(sim::WorldOptions{config.seed, config.tick}, all_actor_types(), log);
  if (sim::Status built = scenario.build(*runner->world_, config); !built) return built.error();
  runner->world_->set_actor_names(name_actors(*runner->world_));
  if (sim::Status adopted = runner->adopt_inputs(std::move(inputs)); !adopted) return adopted.error();
  return runner;
}

sim::Result<std::unique_ptr<ScenarioRunner>> ScenarioRunner::resume(const ScenarioInfo& scenario,
                                                                    const RunConfig& config,
                                                                    std::vector<FaultInput> inputs,
                                                                    const sim::Snapshot& snapshot, sim::Log* log) {
  std::unique_ptr<ScenarioRunner> runner(new ScenarioRunner());
  runner->scenario_ = &scenario;
  runner->config_ = config;
  sim::Result<std::unique_ptr<sim::World>> world = sim::World::restore(snapshot, all_actor_types(), log);
  if (!world) return world.error();
  runner->world_ = std::move(world).value();
  runner->world_->set_actor_names(name_actors(*runner->world_));
  if (runner->world_->tick_length() != config.tick) {
    return sim::Error{"the snapshot's tick length differs from the run's configuration"};
  }
  if (sim::Status adopted = runner->adopt_inputs(std::move(inputs)); !adopted) return adopted.error();
  while (runner->next_input_ < runner->inputs_.size() &&
         input_tick(runner->inputs_[runner->next_input_], config.tick) < snapshot.tick) {
    ++runner->next_input_;
  }
  return runner;
}

sim::Status ScenarioRunner::adopt_inputs(std::vector<FaultInput> inputs) {
  network_ = find_network(*world_);
  // As drawn: a heal phase (the input `calm`) changes the network's profile later.
  if (network_) drawn_profile_ = net::describe_profile(world_->actor_as<net::Network>(*network_).profile());
  if (!inputs.empty() && !network_) {
    return sim::Error{fmt::format("scenario {} has no network, so it takes no --fault inputs", scenario_->name)};
  }
  for (const FaultInput& input : inputs) {
    if (sim::Status valid = validate_fault(*world_, *network_, input); !valid) return valid.error();
  }
  // Inputs for the same tick keep the order they were given in.
  std::stable_sort(inputs.begin(), inputs.end(), [&](const FaultInput& a, const FaultInput& b) {
    return input_tick(a, config_.tick) < input_tick(b, config_.tick);
  });
  inputs_ = std::move(inputs);
  return sim::Ok{};
}

sim::Status ScenarioRunner::add_input(FaultInput input) {
  if (!network_) return sim::Error{fmt::format("scenario {} has no network, so it takes no inputs", scenario_->name)};
  if (sim::Status valid = validate_fault(*world_, *network_, input); !valid) return valid.error();
  const uint64_t tick = input_tick(input, config_.tick);
  SIM_ASSERT_GE(tick, world_->tick());
  SIM_ASSERT(inputs_.empty() || input_tick(inputs_.back(), config_.tick) <= tick);
  inputs_.push_back(std::move(input));
  return sim::Ok{};
}

std::vector<const FaultInput*> ScenarioRunner::inputs_due() const {
  std::vector<const FaultInput*> due;
  for (size_t i = next_input_; i < inputs_.size() && input_tick(inputs_[i], config_.tick) <= world_->tick(); ++i) {
    due.push_back(&inputs_[i]);
  }
  return due;
}

void ScenarioRunner::run_tick() {
  const uint64_t tick = world_->tick();
  while (next_input_ < inputs_.size() && input_tick(inputs_[next_input_], config_.tick) <= tick) {
    // The boundary hash of this tick is taken before the input: it shows in tick + 1.
    world_->start();
    const FaultInput& input = inputs_[next_input_];
    if (std::optional<std::string> why = why_fault_has_no_effect(*world_, *network_, input)) {
      without_effect_.push_back({input.text, *why});
    }
    apply_fault(*world_, *network_, input);
    ++next_input_;
  }
  apply_scripted_faults();
  world_->run_tick();
}

// What the scenario's own script asked for during the last tick, applied at this boundary
// (replays re-derive them from the state, so traces need not record them).
void ScenarioRunner::apply_scripted_faults() {
  if (scenario_->scripted_faults == nullptr) return;
  for (const std::string& text : scenario_->scripted_faults(*world_)) {
    const sim::Result<FaultInput> input = parse_fault("0s " + text);
    SIM_ASSERT_MSG(input.ok(), "scenario {} asked for a malformed fault '{}'", scenario_->name, text);
    world_->start();
    apply_fault(*world_, *network_, input.value());
  }
}

bool ScenarioRunner::is_finished() const {
  return scenario_->is_finished != nullptr && scenario_->is_finished(*world_);
}

uint64_t max_run_ticks(sim::Duration tick_length) {
  SIM_ASSERT_GT(tick_length, sim::Duration::zero());
  return static_cast<uint64_t>(kMaxRunLength.count_of(tick_length));
}

uint64_t max_run_ticks_of(const ScenarioInfo& scenario, sim::Duration tick_length) {
  SIM_ASSERT_GT(tick_length, sim::Duration::zero());
  SIM_ASSERT_LE(scenario.max_duration, kMaxRunLength);
  // Rounded up, so a tick length that does not divide the limit still covers all of it.
  const int64_t whole = scenario.max_duration.count_of(tick_length);
  const bool partial = tick_length * whole < scenario.max_duration;
  return static_cast<uint64_t>(whole) + (partial ? 1 : 0);
}

RunReport ScenarioRunner::run(std::optional<uint64_t> ticks, const std::function<bool(uint64_t)>& after_tick) {
  if (ticks) SIM_ASSERT_LE(*ticks, max_run_ticks(config_.tick) - world_->tick());
  const uint64_t stop = ticks ? world_->tick() + *ticks : max_run_ticks_of(*scenario_, config_.tick);
  bool interrupted = false;
  while (world_->tick() < stop && (ticks || !is_finished())) {
    run_tick();
    if (after_tick && !after_tick(world_->tick())) {
      interrupted = world_->tick() < stop && (ticks || !is_finished());
      break;
    }
  }
  RunReport r = report();
  if (interrupted) {
    r.interrupted = true;
    r.outcome.passed = false;
  }
  return r;
}

RunReport ScenarioRunner::report() {
  RunReport r;
  r.ticks = world_->tick();
  r.events = world_->events_processed();
  r.state_hash = world_->state_hash();
  r.chain_hash = world_->chain_hash();
  r.profile = drawn_profile_;
  r.outcome = scenario_->judge(*world_);
  r.inputs_not_applied = without_effect_;
  for (size_t i = next_input_; i < inputs_.size(); ++i) {
    const uint64_t due = input_tick(inputs_[i], config_.tick);
    r.inputs_not_applied.push_back(
        {inputs_[i].text, fmt::format("due at tick {}, after the run ended at tick {}", due, world_->tick())});
  }
  return r;
}

}  // namespace scenarios
