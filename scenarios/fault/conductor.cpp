// The conductor's machinery: polling, commands, deadlines, checks.
#include "scenarios/fault/conductor.h"

#include "dmsg/backoff.h"
#include "dmsg/mux.h"
#include "net/host.h"
#include "net/transport_options.h"
#include "scenarios/fault/scripts.h"
#include "scenarios/world/delivery_bounds.h"
#include "sim/context.h"
#include "sim/fmt.h"
#include "sim/world.h"

namespace scenarios {
namespace {

// When a client that found no server at its start looks again for the first time after
// `listed` (the server's first entry reaches discovery by then): the sum of its backoff
// steps, each taken whole (the jitter only shortens them).
sim::Duration first_retry_after(sim::Duration listed) {
  sim::Duration at;
  dmsg::Backoff backoff;
  while (at < listed) {
    at += backoff.step();
    backoff.grow();
  }
  return at;
}

}  // namespace

std::string_view enum_name(FaultScenario scenario) {
  switch (scenario) {
    case FaultScenario::kFailedAccepts:
      return "failed_accepts_should_not_result_in_hang";
    case FaultScenario::kCappedStreamBuffer:
      return "capped_stream_buffer_should_not_result_in_hang";
    case FaultScenario::kReconnect:
      return "reconnect_to_server_should_succeed";
    case FaultScenario::kDisconnectClosesStreams:
      return "server_disconnect_should_close_streams";
    case FaultScenario::kDisconnectWhileBusy:
      return "server_disconnect_should_close_streams_while_communication_is_going_on";
    case FaultScenario::kSelfDial:
      return "self_dial_should_work";
  }
  return "unknown";
}

ScenarioBounds ScenarioBounds::for_network(const net::FaultProfile& profile) {
  const dmsg::MuxOptions mux;
  const net::TransportOptions transport;
  const DeliveryBounds d = DeliveryBounds::of(profile, transport, mux.window_bytes);
  // Frames may wait behind a full send buffer on both hops (a loop or a blocked writer
  // shares the session's connection).
  const sim::Duration queue = d.serialization(transport.send_buffer_bytes) * 2;
  const sim::Duration session_setup = d.session_setup() + queue;
  constexpr uint32_t kDialRoundTrips = 3;  // the request to the server, on to the peer, the answer back
  constexpr uint64_t kLoopMessageBytes = 4096;
  constexpr uint64_t kMostAPathHolds = 1 << 20;  // windows and buffers on both hops, as the capped scenario writes
  ScenarioBounds b;
  b.dial = d.exchange(kDialRoundTrips) + queue;
  b.stall = d.transfer(kLoopMessageBytes) + queue;
  b.close_on_loss = d.exchange(1) + queue;
  b.close_on_crash = mux.ping_interval + mux.ping_timeout + d.exchange(1) + queue;
  b.reconnect_margin = dmsg::Backoff::kCap + session_setup;
  b.fill = d.transfer(kMostAPathHolds) + queue;
  b.setup = first_retry_after(d.exchange(1) + queue) + session_setup;
  return b;
}

ScenarioTerms ScenarioTerms::for_network(const net::Network& network) {
  ScenarioTerms terms;
  const net::FaultProfile& drawn = network.profile();
  const net::FaultProfile calm = net::calmed(drawn);
  terms.drawn = ScenarioBounds::for_network(drawn);
  terms.calm = ScenarioBounds::for_network(calm);
  terms.can_heal = !(calm == drawn);
  terms.links_keep_sessions =
      DeliveryBounds::links_keep_sessions(drawn, net::TransportOptions{}, dmsg::MuxOptions{}.ping_timeout);
  terms.predicted = predict(network, {"s0"});
  terms.calm_predicted = predict(network, {"s0"}, calm);
  return terms;
}

void Conductor::on_start(sim::Context& ctx) {
  step_started_ = ctx.now();
  ctx.schedule_self(kPoll, kPollEvent);
}

void Conductor::on_event(sim::Context& ctx, const sim::Event& event) {
  SIM_ASSERT_EQ(event.kind, kPollEvent);
  if (done_) return;
  if (epilogue_step_ == 0 && session_lost_to_links(ctx)) epilogue_step_ = 1;
  if (epilogue_step_ != 0) {
    ScriptSteps::epilogue(*this, ctx);
  } else {
    ScriptSteps::step(*this, ctx);
  }
  if (!done_) ctx.schedule_self(kPoll, kPollEvent);
}

const ScriptClient& Conductor::client(sim::Context& ctx, sim::ActorId id) const {
  return ctx.world().actor_as<ScriptClient>(id);
}

void Conductor::command(sim::Context& ctx, sim::ActorId client, ScriptCommand command, uint64_t arg) {
  ctx.schedule(sim::Duration::zero(), client, net::Host::kAppTimer,
               ClientNode::kWorkloadTimerBase + static_cast<uint64_t>(command), arg);
}

void Conductor::next_step(sim::Context& ctx, uint32_t step) {
  step_ = step;
  step_started_ = ctx.now();
}

sim::Duration Conductor::since_step(sim::Context& ctx) const { return ctx.now() - step_started_; }

void Conductor::request_fault(sim::Context& ctx, const std::string& text) {
  const bool stops_server = text.starts_with("kill ") || text.starts_with("crash ") || text.starts_with("stop ");
  if (stops_server) {
    for (const sim::ActorId id : {a_, b_}) {
      losses_expected_ += client(ctx, id).has_session() ? 1 : 0;
      if (a_ == b_) break;
    }
  }
  fault_requests_.push_back(text);
}

bool Conductor::session_lost_to_links(sim::Context& ctx) const {
  if (links_keep_sessions_ || !can_heal_ || healed_at_) return false;
  uint32_t lost = client(ctx, a_).sessions_lost();
  if (b_ != a_) lost += client(ctx, b_).sessions_lost();
  return lost > losses_expected_;
}

bool Conductor::heal(sim::Context& ctx, std::string_view why) {
  if (!can_heal_ || healed_at_) return false;
  request_fault(ctx, "calm");
  healed_at_ = ctx.now();
  check(CheckKind::kCoverage, "healed", true, fmt::format("the network healed at {}: {}", ctx.now(), why),
        "obligations missed on the drawn links are met within calm bounds after healing");
  step_started_ = ctx.now();
  return true;
}

bool Conductor::await(sim::Context& ctx, bool ready, std::string_view id, std::string_view what, sim::Duration limit) {
  if (ready) return true;
  if (since_step(ctx) <= limit) return false;
  if (heal(ctx, fmt::format("{} not within {}", what, limit))) return false;
  // A deadline that passes is a failure with a stable id ("awaited.dial_resolves"); what
  // exactly was awaited, numbers and all, goes in its text.
  check(CheckKind::kLiveness, fmt::format("awaited.{}", id), false, fmt::format("{}: not within {}", what, limit),
        fmt::format("{} within {}", what, limit), limit.ns());
  finish();
  return false;
}

bool Conductor::await_listed(sim::Context& ctx, bool ready, std::string_view id, std::string_view what,
                             sim::Duration limit) {
  const bool missed = !ready && since_step(ctx) > limit;
  // On faulty links, healing comes first: the calm links may make the listing certain.
  if (!missed || listing() == ServerListing::kListed || heal(ctx, fmt::format("{} not within {}", what, limit))) {
    return await(ctx, ready, id, what, limit);
  }
  check(CheckKind::kCoverage, fmt::format("not_owed.{}", id), true,
        fmt::format("{}: not within {}, and not owed: s0's clock is {} discovery's window, so its listing is "
                    "uncertain (predictions.h)",
                    what, limit, listing() == ServerListing::kUncertain ? "just outside" : "outside"),
        "owed only while s0's listing is certain");
  finish();
  return false;
}

void Conductor::check(CheckKind kind, std::string name, bool passed, std::string measured, std::string expected,
                      int64_t value) {
  checks_.push_back(ScriptCheck{std::move(name), kind, passed, std::move(measured), std::move(expected), value});
}

}  // namespace scenarios
