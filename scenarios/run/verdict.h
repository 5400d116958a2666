// A run's verdict as everything that compares failures sees it (the replay, the shrinker, a
// sweep): pass or fail, the broken checks, and the fingerprint of the first of them. A
// verdict is derived from the world and the inputs it receives alone, by the same judge
// in the live run and on replay, so a trace re-evaluates its own checks.
#pragma once

#include "dmsg/planted_bug.h"
#include "scenarios/run/scenario.h"
#include "scenarios/world/inputs.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scenarios {

// One broken promise.
struct Failure {
  std::string check_id;  // a stable name: "exact.delivered", "awaited.dial_resolves"
  std::string entity;    // what it was found on: "streams/26/acceptor"; empty for a whole run
  std::string field;     // the field itself: "streams/26/acceptor/delivered"; empty for a whole run
  std::string expected;
  std::string actual;
  uint64_t tick = 0;  // the boundary at which the check found it
  // For a check of a stream's bytes: the stream (its dial number), the end, and the offset
  // of the first byte that is wrong or missing.
  std::optional<uint64_t> stream;
  std::string stream_end;
  std::optional<uint64_t> byte_offset;
  // Whether the check can be evaluated at any boundary (a safety condition, a model check
  // against the last view); a liveness obligation is judged at its deadline only.
  bool time_free = false;

  std::string describe() const;
};

// The fingerprint grammar, one for every run kind (README, "Failure fingerprints"):
//
//   RUN-KIND[/SCENARIO]:CHECK-ID:FIELD-PATTERN[:BUG-OR-QUIRK]
//
// RUN-KIND is "chaos" (the panel's run) or "scenario" with the scenario's name after a
// slash; CHECK-ID is the check's stable id; FIELD-PATTERN is the entity with its ids and
// indices replaced by "*" (which end of a stream and which kind of node stay), "-" when
// the check is about the whole run; the last part names the planted bug, if any.
std::string field_pattern(std::string_view entity);
std::string fingerprint(std::string_view run_kind, const Failure& failure, dmsg::PlantedBug bug);

struct Verdict {
  bool passed = true;
  bool interrupted = false;        // stopped on request: neither a pass nor a failure
  std::vector<Failure> failures;   // the primary failure first
  std::string fingerprint;         // of failures.front(); empty on a pass
  uint64_t last_passing_tick = 0;  // the boundary of the last check that passed (0: the start)
};

// Derives a run's verdict as it goes. Every tick boundary, before the inputs due at it are
// applied, at_boundary() sees the world; then take() gets those inputs, in order.
class RunJudge {
 public:
  virtual ~RunJudge() = default;
  virtual void at_boundary(const sim::World& world) = 0;
  // An error: an input this judge cannot account for (its verdict would mean nothing).
  virtual sim::Status take(const FaultInput& input, const sim::World& world) = 0;
  // True once the verdict is final (a check failed, or the run's checks are all done).
  virtual bool done() const = 0;
  virtual Verdict verdict(const sim::World& world) const = 0;
  // The time-free checks' failures as they would be found at this boundary, without
  // changing the judge (for finding the first tick at which a failure's condition held).
  virtual std::vector<Failure> probe(const sim::World& world) const = 0;
  // A judge in this one's state, for a run that resumes from a snapshot of this boundary's
  // world (the shrinker starts candidates from the original's snapshots this way).
  virtual std::unique_ptr<RunJudge> clone() const = 0;
};

// The judge of scenarios judged once, at the end (ScenarioInfo::judge): the fault scenarios,
// transfer, and the chaos world run without its panel.
std::unique_ptr<RunJudge> final_state_judge(const ScenarioInfo& scenario, const RunConfig& config);
// The judge a run of `scenario` with `config` has: the scenario's own, or the final-state one.
sim::Result<std::unique_ptr<RunJudge>> make_run_judge(const ScenarioInfo& scenario, const RunConfig& config,
                                                      const sim::World& world);
// A scenario outcome as a verdict (failing checks in their order, the first primary).
Verdict verdict_of(const ScenarioInfo& scenario, const ScenarioOutcome& outcome, const RunConfig& config,
                   uint64_t tick);

}  // namespace scenarios
