// The catalog of named scenarios that `dmsgsim run` builds, runs and judges.
#pragma once

#include "dmsg/planted_bug.h"
#include "scenarios/world/check_kind.h"
#include "scenarios/world/predictions.h"
#include "sim/result.h"
#include "sim/world.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace scenarios {

class RunJudge;  // scenarios/run/verdict.h

// What a run is built from, besides its external inputs.
struct RunConfig {
  uint64_t seed = 1;
  sim::Duration tick = sim::Duration::milliseconds(1);
  /// Fault profile of the network (scenarios without a network ignore it).
  std::string profile = "calm";
  /// Sized scenarios (chaos): how many servers and clients; the others ignore them.
  uint32_t servers = 0;
  uint32_t clients = 0;
  /// A checker self-test (`chaos --plant-bug`): the bug every dmsg node is built with.
  dmsg::PlantedBug planted_bug = dmsg::PlantedBug::kNone;
  /// The scenario's own configuration as JSON text (chaos: its config file with every key
  /// filled in), recorded so a trace says what its run was; empty where there is none.
  std::string scenario_config;

  template <class Visitor>
  void visit(Visitor& v) {
    v("seed", seed);
    v("tick", tick);
    v("profile", profile);
    v("servers", servers);
    v("clients", clients);
    v("planted_bug", planted_bug);
    v("scenario_config", scenario_config);
  }
};

// One named check of a scenario's outcome, with what it measured.
struct Check {
  CheckKind kind = CheckKind::kSafety;
  std::string name;  // a stable id: scripts and the README refer to it
  bool passed = false;
  std::string measured;  // a person-readable value, e.g. "20 dials" or "3.2s"
  std::string expected;  // what would have passed, shown on failure
  int64_t value = 0;     // the measured value as a number (times in ns), for --json
};

// A figure a scenario reports (a JSON number under `figures` in --json output).
struct Figure {
  std::string name;
  int64_t value = 0;
};

struct ScenarioOutcome {
  bool passed = true;
  std::vector<Check> checks;
  std::vector<Figure> figures;
  // Outcomes the drawn knobs fixed before the run began (each checked by one of `checks`).
  std::vector<Prediction> predictions;

  void add(Check check);
};

struct ScenarioInfo {
  std::string_view name;
  std::string_view description;
  /// Virtual time a run lasts at most when --ticks is not given, whatever the tick length.
  sim::Duration max_duration;
  /// Whether the scenario has a network (and so takes --profile and --fault).
  bool has_network;
  /// Spawns the scenario's actors into an empty world.
  sim::Status (*build)(sim::World& world, const RunConfig& config);
  /// True once the scenario has nothing more to do; nullptr: it runs for max_duration.
  bool (*is_finished)(const sim::World& world);
  /// Judges the world after the run.
  ScenarioOutcome (*judge)(const sim::World& world);
  /// Faults the scenario's own script asks for (e.g. "restart s0"), taken at each tick
  /// boundary and applied like external inputs; nullptr: none.
  std::vector<std::string> (*scripted_faults)(sim::World& world) = nullptr;
  /// Tables of the scenario's entities for a person (chaos: servers, clients, streams);
  /// nullptr: the actor table says it all.
  std::string (*state_tables)(const sim::World& world) = nullptr;
  /// The scenario's own parameters as JSON, derived from the configuration (the bounds its
  /// checks hold, its sizes): what `info` shows and failure.json records; nullptr: none.
  std::string (*parameters)(const RunConfig& config) = nullptr;
  /// The judge of a run checked as it goes (chaos, with its panel's configuration); an
  /// error for a configuration it cannot judge. nullptr, or no judge: `judge` at the end.
  sim::Result<std::unique_ptr<RunJudge>> (*make_judge)(const RunConfig& config, const sim::World& world) = nullptr;
};

// The state at the world's current boundary as text: clock, hashes, every actor by name,
// then the scenario's own tables. What `seek --text` prints and failure folders keep.
std::string state_text(const ScenarioInfo& scenario, sim::World& world);

const std::vector<ScenarioInfo>& scenario_catalog();
// nullptr for an unknown name.
const ScenarioInfo* find_scenario(std::string_view name);

}  // namespace scenarios
