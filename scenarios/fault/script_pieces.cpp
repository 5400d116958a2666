// The pieces the fault scenarios' steps share: the setup, a ping-pong of messages, dials a
// heal may excuse, and the epilogue after a session lost to the links.
#include "scenarios/fault/script_terms.h"
#include "scenarios/fault/scripts.h"

#include "sim/context.h"

namespace scenarios {

using namespace script;  // the steps' vocabulary (script_terms.h)

// --- Dials that a heal may excuse ------------------------------------------------------------------

void ScriptSteps::dial_again(Conductor& c, sim::Context& ctx, sim::ActorId dialer, ScriptCommand command,
                             sim::ActorId acceptor, uint16_t port) {
  c.var("dial_index") = static_cast<int64_t>(c.client(ctx, dialer).dials().size());
  c.var("accepted_base") = static_cast<int64_t>(c.client(ctx, acceptor).accepted().size());
  c.command(ctx, dialer, command, port);
}

const ScriptDial* ScriptSteps::latest_dial(Conductor& c, const ScriptClient& dialer) {
  return resolved_dial(dialer, static_cast<size_t>(c.var("dial_index")));
}

bool ScriptSteps::newly_accepted(Conductor& c, const ScriptClient& acceptor) {
  return static_cast<int64_t>(acceptor.accepted().size()) > c.var("accepted_base");
}

int64_t ScriptSteps::first_accepted(Conductor& c, const ScriptClient& acceptor) {
  return acceptor.accepted().at(static_cast<size_t>(c.var("accepted_base")));
}

bool ScriptSteps::excused(Conductor& c, sim::Context& ctx, const ScriptDial& dial) {
  if (dial.succeeded() || dial.error == dmsg::ErrorCode::kAcceptBacklogFull) return false;
  return c.heal(ctx, fmt::format("a dial {} on the drawn links", dial.outcome()));
}

// --- After a session lost to the links ------------------------------------------------------------

void ScriptSteps::epilogue(Conductor& c, sim::Context& ctx) {
  const ScriptClient& a = c.client(ctx, c.a_);
  const ScriptClient& b = c.client(ctx, c.b_);
  auto next = [&](uint32_t step) {
    c.epilogue_step_ = step;
    c.step_started_ = ctx.now();
  };
  switch (c.epilogue_step_) {
    case 1:
      c.heal(ctx,
             "a session to s0 was lost to links that do not keep sessions by themselves; the scenario's "
             "steps are not owed after it, a reconnect and a new stream are");
      return next(2);
    case 2:
      if (!c.await_listed(ctx, ready(a) && ready(b), "reconnect_after_heal", "both clients to reconnect after the heal",
                          c.bounds().reconnect_margin)) {
        return;
      }
      c.command(ctx, c.b_, ScriptCommand::kListen, kEpiloguePort);
      dial_again(c, ctx, c.a_, c.a_ == c.b_ ? ScriptCommand::kDialSelf : ScriptCommand::kDial, c.b_, kEpiloguePort);
      return next(3);
    case 3: {
      const ScriptDial* dial = latest_dial(c, a);
      if (!c.await(ctx, dial && (!dial->succeeded() || newly_accepted(c, b)), "stream_after_heal",
                   "a new stream from A to B after the heal", c.bounds().dial)) {
        return;
      }
      c.check(CheckKind::kLiveness, "stream_after_heal", dial->succeeded(),
              dial->succeeded() ? fmt::format("dialed in {}", ms(*dial->resolved - dial->started))
                                : fmt::format("dial {}", dial->outcome()),
              "a new stream from A to B opens after the heal", (*dial->resolved - dial->started).ns());
      if (!dial->succeeded()) return c.finish();
      c.var("epilogue_stream") = first_accepted(c, b);
      c.command(ctx, c.a_, ScriptCommand::kWrite, command_arg(dial->stream, kMessageBytes));
      return next(4);
    }
    default: {
      const ScriptStream& got = stream_of(b, c.var("epilogue_stream"));
      if (!c.await(ctx, got.rx().verified >= kMessageBytes, "bytes_after_heal",
                   "a message on the new stream after the heal", c.bounds().stall)) {
        return;
      }
      c.check(CheckKind::kSafety, "bytes_after_heal", got.rx().is_clean(),
              fmt::format("{} bytes verified", got.rx().verified), "the message arrives, verified");
      return c.finish();
    }
  }
}

// --- Shared pieces ---------------------------------------------------------------------------------

// The clients' sessions and entries. When the server's clock puts it outside discovery's
// window, the prediction is checked instead: no client holds a session to it for the whole
// setup bound, and the run ends there. When its listing is uncertain, the setup is owed
// only if the server got listed (Conductor::await_listed).
bool ScriptSteps::setup(Conductor& c, sim::Context& ctx, bool both) {
  const ScriptClient& a = c.client(ctx, c.a_);
  const ScriptClient& b = c.client(ctx, c.b_);
  if (c.listing() == ServerListing::kUnlisted) {
    const bool any_session = a.has_session() || b.has_session();
    if (any_session || c.since_step(ctx) > c.bounds().setup) {
      c.check(CheckKind::kPrediction, fmt::format("prediction.{}", kServerClockRule), !any_session,
              any_session ? fmt::format("a client opened a session to s0 at {}", ctx.now())
                          : fmt::format("no client held a session to s0 for {}", ms(c.bounds().setup)),
              c.predictions().at(0).outcome);
      c.finish();
    }
    return false;
  }
  const bool done = ready(a) && (!both || ready(b));
  return c.await_listed(ctx, done, "setup", "sessions and published entries of the clients", c.bounds().setup);
}

bool ScriptSteps::ping_pong(Conductor& c, sim::Context& ctx, sim::ActorId x, int64_t xs, sim::ActorId y, int64_t ys) {
  int64_t& round = c.var("round");
  int64_t& phase = c.var("round_phase");  // 0 send, 1 await at y, 2 await at x
  const uint64_t expected = static_cast<uint64_t>(round + 1) * kMessageBytes;
  switch (phase) {
    case 0:
      c.command(ctx, x, ScriptCommand::kWrite, command_arg(static_cast<uint32_t>(xs), kMessageBytes));
      phase = 1;
      c.step_started_ = ctx.now();
      return false;
    case 1:
      if (!c.await(ctx, stream_of(c.client(ctx, y), ys).rx().verified >= expected, "message_arrives",
                   fmt::format("message {} of {}", round + 1, kRounds), c.bounds().stall)) {
        return false;
      }
      c.command(ctx, y, ScriptCommand::kWrite, command_arg(static_cast<uint32_t>(ys), kMessageBytes));
      phase = 2;
      c.step_started_ = ctx.now();
      return false;
    default:
      if (!c.await(ctx, stream_of(c.client(ctx, x), xs).rx().verified >= expected, "answer_arrives",
                   fmt::format("answer {} of {}", round + 1, kRounds), c.bounds().stall)) {
        return false;
      }
      ++round;
      phase = 0;
      return round == kRounds;
  }
}

void ScriptSteps::check_no_dial_hangs(Conductor& c, sim::Context& ctx) {
  size_t pending = 0;
  for (sim::ActorId id : {c.a_, c.b_}) {
    for (const ScriptDial& d : c.client(ctx, id).dials()) pending += d.resolved ? 0 : 1;
  }
  c.check(CheckKind::kLiveness, "no_dial_hangs", pending == 0, fmt::format("{} dials unresolved", pending),
          "every dial resolved", static_cast<int64_t>(pending));
}

}  // namespace scenarios
