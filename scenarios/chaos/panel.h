// The chaos run's control panel: outside the world, with RNGs of its own. Every batch the
// judge checks the world against the reference model; the panel then draws events and
// turns the winners into external inputs (recorded, so a replay needs no panel), each of
// which the judge reads back as the model's action, as it does on replay.
#pragma once

#include "scenarios/chaos/config.h"
#include "scenarios/chaos/judge.h"
#include "scenarios/chaos/model.h"
#include "scenarios/chaos/picker.h"
#include "scenarios/replay/snapshot_check.h"
#include "scenarios/run/runner.h"

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace scenarios::chaos {

struct ChaosResult : ChaosTally {
  uint64_t seed = 0;
  Verdict verdict;
  sim::Duration virtual_time;
  // Stopped when asked (a signal) at a tick boundary: neither a pass nor a failure.
  bool interrupted = false;
  uint64_t state_hash = 0;
  uint64_t chain_hash = 0;
  // With verify_snapshots: the batch intervals checked, and the first that failed (which
  // ends the run; its verdict then names the first differing field).
  uint64_t snapshot_checks = 0;
  std::optional<SnapshotMismatch> snapshot_mismatch;
};

// The verdict of a run stopped by the snapshot check: check "snapshot.restored_state" on the
// first differing field, at the boundary compared.
Verdict snapshot_verdict(const SnapshotMismatch& mismatch, dmsg::PlantedBug bug);

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

  // The panel's part of a batch the judge opened: events drawn and carried out as inputs.
  void batch(bool faults_allowed);
  // An event with its targets chosen: the inputs that carry it out (without their time),
  // which the judge reads back as the model's action.
  using Inputs = std::vector<std::string>;
  std::optional<Inputs> decide(EventKind kind, const WorldView& view, uint32_t dials_so_far);
  std::optional<Inputs> decide_write(const WorldView& view);
  std::optional<Inputs> decide_network_fault(EventKind kind);
  // Hostile spans: each kind drawn with its probability, for a running client not hostile
  // already; and the ends of the spans that are due (all of them when the faults stop).
  void draw_hostile_spans();
  void end_hostile_spans(bool all);
  // Adds an input at the current boundary and hands it to the judge.
  void input(const std::string& text);
  uint32_t open_streams(const WorldView& view) const;
  const Model& model() const { return judge_->model(); }

  // With verify_snapshots, at every batch boundary and the last one: false on a mismatch,
  // which `result` then holds.
  bool snapshot_boundary(ChaosResult& result);

  ChaosConfig config_;
  uint64_t seed_ = 0;
  dmsg::PlantedBug bug_ = dmsg::PlantedBug::kNone;
  std::unique_ptr<ScenarioRunner> runner_;
  std::unique_ptr<ChaosJudge> judge_;
  EventPicker picker_;
  sim::Rng rng_;          // targets, sizes, interleavings
  sim::Rng hostile_rng_;  // hostile spans: kinds, offenders, lengths (apart, so others' draws stay)
  std::map<uint32_t, sim::Instant> hostile_until_;  // offenders by client index, and their spans' ends
  uint64_t next_dial_ = 1;
  std::set<uint64_t> closing_;  // streams a write of this batch closes
  std::optional<SnapshotCheck> snapshot_check_;
};

}  // namespace scenarios::chaos
