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

  // Shared pieces.
  static bool setup(Conductor& c, sim::Context& ctx, bool both);
  // 100 rounds: x writes a message on stream xs, y reads it on ys and answers, x reads the
  // answer; every byte verified. True once done (false while going, or failed).
  static bool ping_pong(Conductor& c, sim::Context& ctx, sim::ActorId x, int64_t xs, sim::ActorId y, int64_t ys);
  // Every dial of both clients resolved: nothing hangs.
  static void check_no_dial_hangs(Conductor& c, sim::Context& ctx);
};

}  // namespace scenarios
