// The conductor of a fault scenario: a step machine that tells the clients what to do,
// asks for server faults, waits with deadlines, and records the checks.
#pragma once

#include "net/network.h"
#include "net/profile.h"
#include "scenarios/fault/script_client.h"
#include "scenarios/world/check_kind.h"
#include "scenarios/world/predictions.h"
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

// The time limits a scenario holds the system to: formulas of the protocol's timers and
// the knobs of the network in force (README, "Bounds"), never of the profile's name.
struct ScenarioBounds {
  sim::Duration dial;              // a dial resolves: its exchange, or the client's own timeout
  sim::Duration stall;             // the longest stall of a continuous loop: a message's transfer
  sim::Duration close_on_loss;     // streams close after a killed or stopped server: the news's exchange
  sim::Duration close_on_crash;    // after a crash only keepalives tell: ping interval + timeout + exchange
  sim::Duration reconnect_margin;  // beyond the downtime: the largest backoff step + a session's setup
  sim::Duration setup;             // sessions and entries at the start: backoff steps + setup
  sim::Duration fill;              // a writer fills what a stream's path holds (1 MiB at most): its transfer

  static ScenarioBounds for_network(const net::FaultProfile& profile);

  template <class Visitor>
  void visit(Visitor& v) {
    v("dial", dial);
    v("stall", stall);
    v("close_on_loss", close_on_loss);
    v("close_on_crash", close_on_crash);
    v("reconnect_margin", reconnect_margin);
    v("setup", setup);
    v("fill", fill);
  }
};

// What a scenario's run is held to, from its network's knobs before it starts.
struct ScenarioTerms {
  ScenarioBounds drawn;             // on the network as drawn
  ScenarioBounds calm;              // once its background faults stop
  bool can_heal = false;            // it has background faults to stop
  bool links_keep_sessions = true;  // DeliveryBounds::links_keep_sessions for its knobs
  Predictions predicted;            // for the server s0 (predict())
  Predictions calm_predicted;       // the same, once the links are calmed (after a heal)

  static ScenarioTerms for_network(const net::Network& network);
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
  Conductor(FaultScenario scenario, sim::ActorId a, sim::ActorId b, ScenarioTerms terms, sim::Rng rng)
      : scenario_(scenario),
        a_(a),
        b_(b),
        drawn_bounds_(terms.drawn),
        calm_bounds_(terms.calm),
        can_heal_(terms.can_heal),
        links_keep_sessions_(terms.links_keep_sessions),
        drawn_listing_(terms.predicted.listings.at(0)),
        calm_listing_(terms.calm_predicted.listings.at(0)),
        drawn_predictions_(std::move(terms.predicted.made)),
        calm_predictions_(std::move(terms.calm_predicted.made)),
        rng_(rng) {}

  void on_start(sim::Context& ctx) override;
  void on_event(sim::Context& ctx, const sim::Event& event) override;

  FaultScenario scenario() const { return scenario_; }
  bool is_done() const { return done_; }
  const std::vector<ScriptCheck>& checks() const { return checks_; }
  // The predictions in force: the drawn links', or the calmed ones' after a heal.
  const std::vector<Prediction>& predictions() const { return healed_at_ ? calm_predictions_ : drawn_predictions_; }
  // Faults the script asked for since the last call, for the runner to apply.
  std::vector<std::string> take_fault_requests() { return std::exchange(fault_requests_, {}); }
  bool has_fault_requests() const { return !fault_requests_.empty(); }

  template <class Visitor>
  void visit(Visitor& v) {
    v("scenario", scenario_);
    v("a", a_);
    v("b", b_);
    v("drawn_bounds", drawn_bounds_);
    v("calm_bounds", calm_bounds_);
    v("can_heal", can_heal_);
    v("links_keep_sessions", links_keep_sessions_);
    v("healed_at", healed_at_);
    v("losses_expected", losses_expected_);
    v("epilogue_step", epilogue_step_);
    v("drawn_listing", drawn_listing_);
    v("calm_listing", calm_listing_);
    v("drawn_predictions", drawn_predictions_);
    v("calm_predictions", calm_predictions_);
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
  // A fault for the runner to apply at the next boundary; a stop of s0 ends the session of
  // each client holding one, as expected.
  void request_fault(sim::Context& ctx, const std::string& text);
  // A client's session ended while no requested fault accounts for it, on links that can
  // end sessions by themselves: the scenario's premise is gone, and its epilogue begins.
  bool session_lost_to_links(sim::Context& ctx) const;
  void next_step(sim::Context& ctx, uint32_t step);
  // True once `ready`. When `limit` passed since the step began: on links with background
  // faults not yet calmed, the network heals (the input `calm`), bounds() become the calm
  // ones and the step starts over, so the obligation is owed within its calm bound from
  // the heal; otherwise the run fails.
  bool await(sim::Context& ctx, bool ready, std::string_view id, std::string_view what, sim::Duration limit);
  // An await whose obligation needs discovery to list s0 anew (the setup, a reconnect):
  // when the limit passes and s0's listing is not certain (predictions.h), the obligation
  // is not owed: recorded, and the run ends there.
  bool await_listed(sim::Context& ctx, bool ready, std::string_view id, std::string_view what, sim::Duration limit);
  // Heals the network now, if it can and has not: the harsh phase ends.
  bool heal(sim::Context& ctx, std::string_view why);
  // The bounds and s0's listing in force: the drawn links', or the calmed ones' after a heal.
  const ScenarioBounds& bounds() const { return healed_at_ ? calm_bounds_ : drawn_bounds_; }
  ServerListing listing() const { return healed_at_ ? calm_listing_ : drawn_listing_; }
  void check(CheckKind kind, std::string name, bool passed, std::string measured, std::string expected,
             int64_t value = 0);
  void finish() { done_ = true; }
  int64_t& var(const std::string& name) { return vars_[name]; }
  sim::Duration since_step(sim::Context& ctx) const;

  FaultScenario scenario_ = FaultScenario::kSelfDial;
  sim::ActorId a_{};
  sim::ActorId b_{};
  ScenarioBounds drawn_bounds_;  // in force until a heal, and for durations measured over the run
  ScenarioBounds calm_bounds_;
  bool can_heal_ = false;  // the links have background faults to stop
  bool links_keep_sessions_ = true;
  std::optional<sim::Instant> healed_at_;
  uint32_t losses_expected_ = 0;  // sessions the requested server faults end
  // The steps after a session was lost to links that do not keep sessions (0: not begun).
  uint32_t epilogue_step_ = 0;
  ServerListing drawn_listing_ = ServerListing::kListed;
  ServerListing calm_listing_ = ServerListing::kListed;
  std::vector<Prediction> drawn_predictions_;
  std::vector<Prediction> calm_predictions_;
  sim::Rng rng_;
  uint32_t step_ = 0;
  sim::Instant step_started_;
  std::map<std::string, int64_t> vars_;  // the script's own numbers: handles, marks, counts
  std::vector<ScriptCheck> checks_;
  bool done_ = false;
  std::vector<std::string> fault_requests_;
};

}  // namespace scenarios
