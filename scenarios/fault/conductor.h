// The conductor of a fault scenario: a step machine that tells the clients what to do,
// asks for server faults, waits with deadlines, and records the checks.
#pragma once

#include "scenarios/fault/script_client.h"
#include "scenarios/world/check_kind.h"
#include "sim/actor.h"
#include "sim/rng.h"

#include <map>
#include <string>
#include <vector>

namespace scenarios {

enum class FaultScenario : uint8_t {
  kFailedAccepts,
  kCappedStreamBuffer,
  kReconnect,
  kDisconnectClosesStreams,
  kDisconnectWhileBusy,
  kSelfDial,
};
std::string_view enum_name(FaultScenario scenario);

// The time limits a scenario holds the system to, by profile (calm / lossy and worse).
struct ScenarioBounds {
  sim::Duration dial;                                           // a dial resolves
  sim::Duration stall;                                          // the longest stall of a continuous loop
  sim::Duration close_on_loss;                                  // streams close after a killed or stopped server
  sim::Duration close_on_crash = sim::Duration::seconds(45);    // keepalive 30 s + 10 s, plus margin
  sim::Duration reconnect_margin = sim::Duration::seconds(65);  // largest backoff step plus margin
  sim::Duration setup = sim::Duration::seconds(30);             // sessions and entries at the start

  static ScenarioBounds for_profile(std::string_view profile);

  template <class Visitor>
  void visit(Visitor& v) {
    v("dial", dial);
    v("stall", stall);
    v("close_on_loss", close_on_loss);
    v("close_on_crash", close_on_crash);
    v("reconnect_margin", reconnect_margin);
    v("setup", setup);
  }
};

// A check as the conductor recorded it.
struct ScriptCheck {
  std::string name;
  CheckKind kind = CheckKind::kSafety;
  bool passed = false;
  std::string measured;
  std::string expected;
  int64_t value = 0;  // the measured value as a number (ns for times)

  template <class Visitor>
  void visit(Visitor& v) {
    v("name", name);
    v("kind", kind);
    v("passed", passed);
    v("measured", measured);
    v("expected", expected);
    v("value", value);
  }
};

// Not a network node: it sees the clients' recorded state (the test plan, not the system
// under test, looks at both ends) and acts only through command events to them and fault
// requests that the scenario runner applies at the next tick boundary as inputs.
class Conductor : public sim::ActorBase<Conductor> {
 public:
  static constexpr std::string_view kTypeName = "scenarios.conductor";
  static constexpr sim::Duration kPoll = sim::Duration::milliseconds(5);
  static constexpr uint32_t kPollEvent = 1;

  Conductor() = default;
  Conductor(FaultScenario scenario, sim::ActorId a, sim::ActorId b, ScenarioBounds bounds, sim::Rng rng)
      : scenario_(scenario), a_(a), b_(b), bounds_(bounds), rng_(rng) {}

  void on_start(sim::Context& ctx) override;
  void on_event(sim::Context& ctx, const sim::Event& event) override;

  FaultScenario scenario() const { return scenario_; }
  bool is_done() const { return done_; }
  const std::vector<ScriptCheck>& checks() const { return checks_; }
  // Faults the script asked for since the last call, for the runner to apply.
  std::vector<std::string> take_fault_requests() { return std::exchange(fault_requests_, {}); }
  bool has_fault_requests() const { return !fault_requests_.empty(); }

  template <class Visitor>
  void visit(Visitor& v) {
    v("scenario", scenario_);
    v("a", a_);
    v("b", b_);
    v("bounds", bounds_);
    v("rng", rng_);
    v("step", step_);
    v("step_started", step_started_);
    v("vars", vars_);
    v("checks", checks_);
    v("done", done_);
    v("fault_requests", fault_requests_);
  }

 private:
  friend struct ScriptSteps;

  // --- For the scripts (fault/scripts.cpp) ---
  const ScriptClient& client(sim::Context& ctx, sim::ActorId id) const;
  void command(sim::Context& ctx, sim::ActorId client, ScriptCommand command, uint64_t arg = 0);
  void request_fault(const std::string& text) { fault_requests_.push_back(text); }
  void next_step(sim::Context& ctx, uint32_t step);
  // True once `ready`; otherwise fails the run when `limit` passed since the step began.
  bool await(sim::Context& ctx, bool ready, std::string_view id, std::string_view what, sim::Duration limit);
  void check(CheckKind kind, std::string name, bool passed, std::string measured, std::string expected,
             int64_t value = 0);
  void finish() { done_ = true; }
  int64_t& var(const std::string& name) { return vars_[name]; }
  sim::Duration since_step(sim::Context& ctx) const;

  FaultScenario scenario_ = FaultScenario::kSelfDial;
  sim::ActorId a_{};
  sim::ActorId b_{};
  ScenarioBounds bounds_;
  sim::Rng rng_;
  uint32_t step_ = 0;
  sim::Instant step_started_;
  std::map<std::string, int64_t> vars_;  // the script's own numbers: handles, marks, counts
  std::vector<ScriptCheck> checks_;
  bool done_ = false;
  std::vector<std::string> fault_requests_;
};

}  // namespace scenarios
