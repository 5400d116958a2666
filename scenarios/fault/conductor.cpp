// The conductor's machinery: polling, commands, deadlines, checks.
#include "scenarios/fault/conductor.h"

#include "net/host.h"
#include "scenarios/fault/scripts.h"
#include "sim/context.h"
#include "sim/fmt.h"
#include "sim/world.h"

namespace scenarios {

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

ScenarioBounds ScenarioBounds::for_profile(std::string_view profile) {
  ScenarioBounds bounds;
  const sim::Duration base = profile == "calm" ? sim::Duration::seconds(1) : sim::Duration::seconds(5);
  bounds.dial = base;
  bounds.stall = base;
  bounds.close_on_loss = base;
  return bounds;
}

void Conductor::on_start(sim::Context& ctx) {
  step_started_ = ctx.now();
  ctx.schedule_self(kPoll, kPollEvent);
}

void Conductor::on_event(sim::Context& ctx, const sim::Event& event) {
  SIM_ASSERT_EQ(event.kind, kPollEvent);
  if (done_) return;
  ScriptSteps::step(*this, ctx);
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

bool Conductor::await(sim::Context& ctx, bool ready, std::string_view id, std::string_view what, sim::Duration limit) {
  if (ready) return true;
  if (since_step(ctx) <= limit) return false;
  // A deadline that passes is a failure with a stable id ("awaited.dial_resolves"); what
  // exactly was awaited, numbers and all, goes in its text.
  check(CheckKind::kLiveness, fmt::format("awaited.{}", id), false, fmt::format("{}: not within {}", what, limit),
        fmt::format("{} within {}", what, limit), limit.ns());
  finish();
  return false;
}

void Conductor::check(CheckKind kind, std::string name, bool passed, std::string measured, std::string expected,
                      int64_t value) {
  checks_.push_back(ScriptCheck{std::move(name), kind, passed, std::move(measured), std::move(expected), value});
}

}  // namespace scenarios
