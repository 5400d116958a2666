// The chaos run's judge: the reference model fed with the inputs the world receives, and
// the rhythm of its checks (batches, the fault phase, settling, the exact window), all
// derived from the run's configuration. The control panel decides inputs and hands each
// to the judge as it adds it; a replay hands the judge the recorded inputs at their ticks.
// Both see the same verdict, mismatch for mismatch.
#pragma once

#include "scenarios/chaos/model.h"
#include "scenarios/run/verdict.h"
#include "scenarios/world/predictions.h"

#include <array>
#include <memory>
#include <optional>
#include <vector>

namespace scenarios::chaos {

// What the judge counted and found so far.
struct ChaosTally {
  bool passed = true;
  std::array<uint64_t, kEventKinds> executed{};  // per kind, as the inputs carried them out
  uint64_t batches = 0;
  uint64_t exact_checks = 0;
  uint64_t bound_checks = 0;
  uint64_t liveness_checks = 0;
  // Outcomes the run's drawn knobs fix, computed before it starts and checked throughout.
  std::vector<Prediction> predictions;
  // When the heal phase began (the network's background faults stopped), if it did.
  std::optional<sim::Instant> healed_at;
  // Dials made while the links were faulty, and how many opened.
  Model::DialShare harsh_dials;
  // Hostile spans begun, and what the offenders saw of their acts, per kind.
  std::array<uint64_t, kHostileKinds> hostile_spans{};
  HostileTable hostile{};
  std::vector<Mismatch> mismatches;  // of the failing check (empty on a pass)
  // On a failure: the boundary ticks of the view before the failing check and of its own.
  std::optional<uint64_t> before_tick;
  std::optional<uint64_t> failed_tick;

  uint64_t events_executed() const;
};

class ChaosJudge final : public RunJudge {
 public:
  ChaosJudge(const ChaosConfig& config, dmsg::PlantedBug bug, const sim::World& world);
  ChaosJudge(const ChaosJudge& other);
  ChaosJudge& operator=(const ChaosJudge&) = delete;

  // What the panel may do at the boundary just judged.
  struct Turn {
    bool batch = false;              // a batch begins: events may be drawn
    bool faults_allowed = false;     // the fault phase is on
    bool fault_phase_ended = false;  // this boundary ended it: a standing partition is lifted now
    bool calm_network = false;       // ... and the heal phase begins: background faults stop now
  };

  void at_boundary(const sim::World& world) override;
  sim::Status take(const FaultInput& input, const sim::World& world) override;
  bool done() const override { return done_; }
  Verdict verdict(const sim::World& world) const override;
  std::vector<Failure> probe(const sim::World& world) const override;
  std::unique_ptr<RunJudge> clone() const override { return std::make_unique<ChaosJudge>(*this); }

  // The turn at_boundary() gave for the current boundary.
  const Turn& turn() const { return turn_; }
  const Model& model() const { return *model_; }
  const ChaosTally& tally() const { return tally_; }
  // The abstraction of the world at the current boundary (valid after at_boundary()).
  const WorldView& view() const { return *view_; }

 private:
  enum class Phase : uint8_t { kStart, kFaults, kSettling };

  void batch(const sim::World& world, bool faults_allowed);
  void fail(std::vector<Mismatch> mismatches, uint64_t before_tick, uint64_t tick);
  uint64_t tick_of(sim::Instant at) const;
  sim::Status take_command(const FaultInput& input, sim::Instant now);
  void apply(const Action& action, sim::Instant now);
  // Adds what the offenders saw since the last view to the tally.
  void count_hostile(const WorldView& view);

  ChaosConfig config_;
  dmsg::PlantedBug bug_;
  sim::Duration tick_length_;
  // The bounds of the network once its background faults stop, and whether they will.
  ModelBounds calmed_bounds_;
  bool heal_due_ = false;
  std::unique_ptr<Viewer> viewer_;
  std::unique_ptr<Model> model_;
  Phase phase_ = Phase::kStart;
  Turn turn_;
  std::optional<WorldView> view_;
  std::optional<WorldView> last_view_;  // at the last check that passed
  sim::Instant next_batch_;
  sim::Instant next_footprints_;  // the memory bound's next check
  static constexpr sim::Duration kFootprintInterval = sim::Duration::seconds(10);
  sim::Instant fault_phase_end_;
  std::optional<sim::Instant> exact_until_;
  uint64_t batches_since_check_ = 0;
  bool done_ = false;
  ChaosTally tally_;
  std::vector<HostileTable> hostile_seen_;  // per client: its incarnation's counts at the last view
};

// The chaos scenario's hook (ScenarioInfo::make_judge): a judge for a run recorded by the
// panel (its configuration in the trace), none for one run without it.
sim::Result<std::unique_ptr<RunJudge>> make_chaos_judge(const RunConfig& config, const sim::World& world);

// A mismatch as a verdict's failure: check id "KIND.QUANTITY", entity the field's path.
Failure failure_of(const Mismatch& mismatch, uint64_t tick);

}  // namespace scenarios::chaos
