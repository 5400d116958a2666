// The scripts of the six fault scenarios, one step function each.
#pragma once

#include "scenarios/fault/conductor.h"

namespace scenarios {

struct ScriptSteps {
  // Runs the conductor's current step of its scenario.
  static void step(Conductor& c, sim::Context& ctx);

  static void failed_accepts(Conductor& c, sim::Context& ctx);
  static void capped_stream_buffer(Conductor& c, sim::Context& ctx);
  static void reconnect(Conductor& c, sim::Context& ctx);
  static void disconnect(Conductor& c, sim::Context& ctx, bool while_busy);
  static void self_dial(Conductor& c, sim::Context& ctx);

  // After a session was lost to links that do not keep sessions: the network heals, both
  // clients must reconnect within the calm bound, and a new stream between them must open
  // and carry a message within calm bounds. The scenario's own steps are not resumed.
  static void epilogue(Conductor& c, sim::Context& ctx);

  // Shared pieces.
  static bool setup(Conductor& c, sim::Context& ctx, bool both);
  // 100 rounds: x writes a message on stream xs, y reads it on ys and answers, x reads the
  // answer; every byte verified. True once done (false while going, or failed).
  static bool ping_pong(Conductor& c, sim::Context& ctx, sim::ActorId x, int64_t xs, sim::ActorId y, int64_t ys);
  // One dial at a time from a step: its index and the acceptor's accepts before it are kept,
  // so that a dial made again after a heal is the one awaited.
  static void dial_again(Conductor& c, sim::Context& ctx, sim::ActorId dialer, ScriptCommand command,
                         sim::ActorId acceptor, uint16_t port);
  static const ScriptDial* latest_dial(Conductor& c, const ScriptClient& dialer);
  static bool newly_accepted(Conductor& c, const ScriptClient& acceptor);
  static int64_t first_accepted(Conductor& c, const ScriptClient& acceptor);
  // A dial that did not succeed on links that may fail it (a lookup or the dial itself
  // timing out) is owed no outcome there: the network heals and the caller dials again,
  // owed from then on. False when it is the run's failure (a 401, or links already calm).
  static bool excused(Conductor& c, sim::Context& ctx, const ScriptDial& dial);
  // Every dial of both clients resolved: nothing hangs.
  static void check_no_dial_hangs(Conductor& c, sim::Context& ctx);
};

}  // namespace scenarios
