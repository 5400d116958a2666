// The chaos run's control panel: outside the world, with RNGs of its own. Every batch it
// looks at the world's abstraction, checks it against the reference model, draws events,
// turns the winners into external inputs (recorded, so a replay needs no panel), and tells
// the model what it did.
#pragma once

#include "scenarios/chaos/config.h"
#include "scenarios/chaos/model.h"
#include "scenarios/chaos/picker.h"
#include "scenarios/run/runner.h"

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace scenarios::chaos {

struct ChaosResult {
  uint64_t seed = 0;
  bool passed = true;
  std::array<uint64_t, kEventKinds> executed{};  // per kind
  uint64_t batches = 0;
  uint64_t exact_checks = 0;
  uint64_t bound_checks = 0;
  uint64_t liveness_checks = 0;
  std::vector<Mismatch> mismatches;  // of the failing check (empty on a pass)
  // On a failure: the boundary ticks of the view before the failing check and of its own.
  std::optional<uint64_t> before_tick;
  std::optional<uint64_t> failed_tick;
  sim::Duration virtual_time;
  // Stopped when asked (a signal) at a tick boundary: neither a pass nor a failure.
  bool interrupted = false;
  uint64_t state_hash = 0;
  uint64_t chain_hash = 0;

  uint64_t events_executed() const;
};

class ControlPanel {
 public:
  // Fails on a bad profile or configuration.
  static sim::Result<std::unique_ptr<ControlPanel>> create(const ChaosConfig& config, uint64_t seed,
                                                           dmsg::PlantedBug bug, sim::Log* log = nullptr);

  // Runs the fault phase, then the settle phase (no faults: liveness, then exact checks),
  // and stops at the first failing check, or at the first tick boundary where
  // `stop_requested` (if given) returns true.
  ChaosResult run(std::function<bool()> stop_requested = {});

  ScenarioRunner& runner() { return *runner_; }
  const ChaosConfig& config() const { return config_; }
  // The run's configuration as a trace records it.
  static RunConfig run_config(const ChaosConfig& config, uint64_t seed, dmsg::PlantedBug bug);

 private:
  ControlPanel(const ChaosConfig& config, uint64_t seed);

  // One batch at the current boundary; false once a check failed.
  bool batch(bool faults_allowed);
  bool check(const WorldView& now);
  // An event with its targets chosen, and the inputs that carry it out.
  struct Decision {
    Action action;
    std::vector<std::string> inputs;  // without their time
  };
  std::optional<Decision> decide(EventKind kind, const WorldView& view, uint32_t dials_so_far);
  std::optional<Decision> decide_write(const WorldView& view);
  std::optional<Decision> decide_network_fault(EventKind kind);
  void input(const std::string& text);
  void run_until(sim::Instant when);
  uint32_t open_streams(const WorldView& view) const;

  ChaosConfig config_;
  uint64_t seed_ = 0;
  std::unique_ptr<ScenarioRunner> runner_;
  std::unique_ptr<Viewer> viewer_;
  std::unique_ptr<Model> model_;
  EventPicker picker_;
  sim::Rng rng_;  // targets, sizes, interleavings
  std::optional<WorldView> last_view_;
  std::function<bool()> stop_requested_;
  uint64_t batches_since_check_ = 0;
  uint64_t next_dial_ = 1;
  bool partitioned_ = false;
  std::set<uint64_t> closing_;  // streams a write of this batch closes
  ChaosResult result_;
};

}  // namespace scenarios::chaos
