// The six scenarios of the dmsg test plan as step machines. Each step waits for one thing
// with a deadline, then tells the clients what to do next; `vars` hold the handles and
// marks a later step needs. The pieces they share are in script_pieces.cpp.
#include "scenarios/fault/scripts.h"
#include "scenarios/fault/script_terms.h"

#include "sim/context.h"

#include <algorithm>

namespace scenarios {

using namespace script;  // the steps' vocabulary (script_terms.h)

void ScriptSteps::step(Conductor& c, sim::Context& ctx) {
  switch (c.scenario_) {
    case FaultScenario::kFailedAccepts:
      return failed_accepts(c, ctx);
    case FaultScenario::kCappedStreamBuffer:
      return capped_stream_buffer(c, ctx);
    case FaultScenario::kReconnect:
      return reconnect(c, ctx);
    case FaultScenario::kDisconnectClosesStreams:
      return disconnect(c, ctx, false);
    case FaultScenario::kDisconnectWhileBusy:
      return disconnect(c, ctx, true);
    case FaultScenario::kSelfDial:
      return self_dial(c, ctx);
  }
}

// --- 6. self_dial_should_work ----------------------------------------------------------------------

void ScriptSteps::self_dial(Conductor& c, sim::Context& ctx) {
  const ScriptClient& a = c.client(ctx, c.a_);
  switch (c.step_) {
    case 0:
      if (!setup(c, ctx, false)) return;
      c.command(ctx, c.a_, ScriptCommand::kListen, kPort);
      dial_again(c, ctx, c.a_, ScriptCommand::kDialSelf, c.a_, kPort);
      return c.next_step(ctx, 1);
    case 1: {
      const ScriptDial* dial = latest_dial(c, a);
      if (!c.await(ctx, dial && (!dial->succeeded() || newly_accepted(c, a)), "self_dial_accepted",
                   "the self-dial and its accept", c.bounds().dial))
        return;
      if (excused(c, ctx, *dial)) return dial_again(c, ctx, c.a_, ScriptCommand::kDialSelf, c.a_, kPort);
      c.check(CheckKind::kLiveness, "self_dial", dial->succeeded(),
              dial->succeeded() ? fmt::format("dialed in {}", ms(*dial->resolved - dial->started))
                                : fmt::format("dial {}", dial->outcome()),
              "the dial succeeds", (*dial->resolved - dial->started).ns());
      if (!dial->succeeded()) return c.finish();
      c.var("dialed") = dial->stream;
      c.var("accepted") = first_accepted(c, a);
      return c.next_step(ctx, 2);
    }
    default: {
      if (!ping_pong(c, ctx, c.a_, c.var("dialed"), c.a_, c.var("accepted"))) return;
      const ScriptStream& d = stream_of(a, c.var("dialed"));
      const ScriptStream& acc = stream_of(a, c.var("accepted"));
      c.check(CheckKind::kCoverage, "rounds", true, fmt::format("{} rounds of write and read", kRounds), "100 rounds",
              kRounds);
      c.check(CheckKind::kSafety, "bytes_verified", d.rx().is_clean() && acc.rx().is_clean(),
              fmt::format("{} bytes verified, {} mismatched", d.rx().verified + acc.rx().verified,
                          d.rx().mismatches + acc.rx().mismatches),
              "every byte matches its pattern", static_cast<int64_t>(d.rx().verified + acc.rx().verified));
      check_no_dial_hangs(c, ctx);
      return c.finish();
    }
  }
}

// --- 1. failed_accepts_should_not_result_in_hang ---------------------------------------------------

void ScriptSteps::failed_accepts(Conductor& c, sim::Context& ctx) {
  const ScriptClient& a = c.client(ctx, c.a_);
  const ScriptClient& b = c.client(ctx, c.b_);
  switch (c.step_) {
    case 0:
      if (!setup(c, ctx, true)) return;
      c.command(ctx, c.b_, ScriptCommand::kListen, kPort);
      c.command(ctx, c.b_, ScriptCommand::kListenOnly, kNeverAcceptedPort);
      dial_again(c, ctx, c.a_, ScriptCommand::kDial, c.b_, kPort);
      return c.next_step(ctx, 1);
    case 1: {
      const ScriptDial* dial = latest_dial(c, a);
      if (!c.await(ctx, dial && (!dial->succeeded() || newly_accepted(c, b)), "loop_stream_accepted", "the loop stream",
                   c.bounds().dial))
        return;
      if (excused(c, ctx, *dial)) return dial_again(c, ctx, c.a_, ScriptCommand::kDial, c.b_, kPort);
      if (!dial->succeeded()) {
        c.check(CheckKind::kLiveness, "loop_stream", false, fmt::format("dial {}", dial->outcome()), "a stream");
        return c.finish();
      }
      c.var("a_loop") = dial->stream;
      c.var("b_loop") = first_accepted(c, b);
      c.command(ctx, c.a_, ScriptCommand::kLoop, command_arg(static_cast<uint32_t>(c.var("a_loop")), kLoopMessage));
      c.command(ctx, c.b_, ScriptCommand::kLoop, command_arg(static_cast<uint32_t>(c.var("b_loop")), kLoopMessage));
      c.var("first_backlog_dial") = static_cast<int64_t>(a.dials().size());
      c.var("dials_sent") = 0;
      return c.next_step(ctx, 2);
    }
    case 2: {
      // One dial to the port that never accepts at a time, until one fails.
      const auto sent = static_cast<size_t>(c.var("dials_sent"));
      if (a.dials().size() < static_cast<size_t>(c.var("first_backlog_dial")) + sent) return;  // on its way
      if (sent > 0) {
        const ScriptDial& last = a.dials().back();
        if (!c.await(ctx, last.resolved.has_value(), "dial_resolves",
                     fmt::format("dial {} to the listener that never accepts", sent), c.bounds().dial)) {
          return;
        }
        // A dial the drawn links failed (a lookup or the dial timed out) is owed no outcome
        // there: the network heals, and the dial is made again, owed from then on.
        if (excused(c, ctx, last)) {
          c.var(fmt::format("excused_dial_{}", a.dials().size() - 1)) = 1;
        } else if (!last.succeeded() || sent > kBacklog + 5) {
          c.var("after_a") = static_cast<int64_t>(stream_of(a, c.var("a_loop")).rx().verified);
          c.var("after_b") = static_cast<int64_t>(stream_of(b, c.var("b_loop")).rx().verified);
          return c.next_step(ctx, 3);
        }
      }
      c.command(ctx, c.a_, ScriptCommand::kDial, kNeverAcceptedPort);
      ++c.var("dials_sent");
      return c.next_step(ctx, 2);
    }
    default: {
      // The loop keeps going afterwards.
      if (c.since_step(ctx) < c.bounds().stall * 2) return;
      const ScriptStream& la = stream_of(a, c.var("a_loop"));
      const ScriptStream& lb = stream_of(b, c.var("b_loop"));
      size_t ok = 0;
      size_t until_failure = 0;
      std::optional<std::string> failure;
      dmsg::ErrorCode failure_code = dmsg::ErrorCode::kOk;
      sim::Duration slowest;
      for (auto i = static_cast<size_t>(c.var("first_backlog_dial")); i < a.dials().size(); ++i) {
        const ScriptDial& d = a.dials()[i];
        if (c.var(fmt::format("excused_dial_{}", i)) != 0) continue;  // failed by the drawn links, made again
        slowest = std::max(slowest, *d.resolved - d.started);
        if (failure) continue;
        ++until_failure;
        if (d.succeeded()) {
          ++ok;
        } else {
          failure = d.outcome();
          failure_code = d.timed_out ? dmsg::ErrorCode::kOk : d.error;
        }
      }
      c.check(CheckKind::kSafety, "dials_until_failure",
              ok == kBacklog && failure && failure_code == dmsg::ErrorCode::kAcceptBacklogFull,
              fmt::format("{} dials succeeded, then {}", ok, failure.value_or("no failure")),
              "20 dials succeed (the backlog), the 21st fails with 401", static_cast<int64_t>(until_failure));
      c.check(CheckKind::kLiveness, "dial_resolution", slowest <= c.drawn_bounds_.dial,
              fmt::format("slowest dial {}", ms(slowest)),
              fmt::format("every dial resolves within {}", ms(c.drawn_bounds_.dial)), slowest.ns());
      const ScriptStream& worst = la.longest_rx_gap >= lb.longest_rx_gap ? la : lb;
      const sim::Duration stall = worst.longest_rx_gap;
      c.check(CheckKind::kLiveness, "longest_stall", stall <= c.drawn_bounds_.stall,
              fmt::format("longest stall {}, ending at {} ({})", ms(stall), worst.longest_rx_gap_end,
                          &worst == &la ? "at a" : "at b"),
              fmt::format("the loop never stalls longer than {}", ms(c.drawn_bounds_.stall)), stall.ns());
      const bool progressed = static_cast<int64_t>(la.rx().verified) > c.var("after_a") &&
                              static_cast<int64_t>(lb.rx().verified) > c.var("after_b");
      c.check(CheckKind::kLiveness, "loop_progress_afterwards", progressed,
              fmt::format("{} and {} bytes after the dials", static_cast<int64_t>(la.rx().verified) - c.var("after_a"),
                          static_cast<int64_t>(lb.rx().verified) - c.var("after_b")),
              "both directions of the loop keep moving", 0);
      c.check(CheckKind::kSafety, "bytes_verified", la.rx().is_clean() && lb.rx().is_clean(),
              fmt::format("{} bytes verified, {} mismatched", la.rx().verified + lb.rx().verified,
                          la.rx().mismatches + lb.rx().mismatches),
              "every byte matches its pattern", static_cast<int64_t>(la.rx().verified + lb.rx().verified));
      check_no_dial_hangs(c, ctx);
      return c.finish();
    }
  }
}

// --- 2. capped_stream_buffer_should_not_result_in_hang ---------------------------------------------

void ScriptSteps::capped_stream_buffer(Conductor& c, sim::Context& ctx) {
  const ScriptClient& a = c.client(ctx, c.a_);
  const ScriptClient& b = c.client(ctx, c.b_);
  switch (c.step_) {
    case 0:
      if (!setup(c, ctx, true)) return;
      c.command(ctx, c.a_, ScriptCommand::kListen, kPort);
      c.command(ctx, c.b_, ScriptCommand::kListen, kPort);
      dial_again(c, ctx, c.a_, ScriptCommand::kDial, c.b_, kPort);
      return c.next_step(ctx, 1);
    case 1: {
      const ScriptDial* dial = latest_dial(c, a);
      if (!c.await(ctx, dial && (!dial->succeeded() || newly_accepted(c, b)), "first_stream_accepted",
                   "the first stream", c.bounds().dial))
        return;
      if (excused(c, ctx, *dial)) return dial_again(c, ctx, c.a_, ScriptCommand::kDial, c.b_, kPort);
      if (!dial->succeeded()) {
        c.check(CheckKind::kLiveness, "first_stream", false, fmt::format("dial {}", dial->outcome()), "a stream");
        return c.finish();
      }
      c.var("a_first") = dial->stream;
      c.var("b_first") = first_accepted(c, b);
      c.command(ctx, c.b_, ScriptCommand::kReading, command_arg(static_cast<uint32_t>(c.var("b_first")), 0));
      c.command(ctx, c.a_, ScriptCommand::kWrite, command_arg(static_cast<uint32_t>(c.var("a_first")), kCappedTotal));
      return c.next_step(ctx, 2);
    }
    case 2: {
      // A's writes take nothing, and go on taking nothing: B never reads.
      const ScriptStream& first = stream_of(a, c.var("a_first"));
      const bool blocked = first.blocked_since && ctx.now() - *first.blocked_since >= c.bounds().stall;
      if (!c.await(ctx, blocked, "writes_refused", "A's writes to be refused (B never reads)",
                   c.bounds().fill + c.bounds().stall))
        return;
      c.var("blocked_after") = static_cast<int64_t>(first.written);
      dial_again(c, ctx, c.b_, ScriptCommand::kDial, c.a_, kPort);
      return c.next_step(ctx, 3);
    }
    case 3: {
      const ScriptDial* dial = latest_dial(c, b);
      if (!c.await(ctx, dial && (!dial->succeeded() || newly_accepted(c, a)), "second_stream_accepted",
                   "B's dial to A while A is blocked", c.bounds().dial))
        return;
      if (excused(c, ctx, *dial)) return dial_again(c, ctx, c.b_, ScriptCommand::kDial, c.a_, kPort);
      if (!dial->succeeded()) {
        c.check(CheckKind::kLiveness, "second_stream", false, fmt::format("dial {}", dial->outcome()), "a stream");
        return c.finish();
      }
      c.var("b_second") = dial->stream;
      c.var("a_second") = first_accepted(c, a);
      return c.next_step(ctx, 4);
    }
    case 4:
      if (!ping_pong(c, ctx, c.b_, c.var("b_second"), c.a_, c.var("a_second"))) return;
      c.command(ctx, c.b_, ScriptCommand::kReading, command_arg(static_cast<uint32_t>(c.var("b_first")), 1));
      return c.next_step(ctx, 5);
    case 5: {
      // B reads; A's remainder is taken and delivered.
      const bool drained = stream_of(b, c.var("b_first")).rx().verified == kCappedTotal &&
                           stream_of(a, c.var("a_first")).payload_written() == kCappedTotal;
      if (!c.await(ctx, drained, "writes_drained", "everything A wrote to reach B once B reads", c.bounds().fill))
        return;
      c.command(ctx, c.a_, ScriptCommand::kClose, command_arg(static_cast<uint32_t>(c.var("a_first")), 0));
      return c.next_step(ctx, 6);
    }
    default: {
      if (!c.await(ctx, stream_of(b, c.var("b_first")).ended, "end_seen", "B to see the end of the first stream",
                   c.bounds().stall)) {
        return;
      }
      const ScriptStream& first = stream_of(b, c.var("b_first"));
      const ScriptStream& second_a = stream_of(a, c.var("a_second"));
      const ScriptStream& second_b = stream_of(b, c.var("b_second"));
      c.check(CheckKind::kSafety, "blocked_after_bytes",
              c.var("blocked_after") > 0 && c.var("blocked_after") < kCappedTotal,
              fmt::format("A's writes stopped after {} bytes", c.var("blocked_after")),
              "a writer whose reader does not read is held back", c.var("blocked_after"));
      c.check(CheckKind::kCoverage, "messages_exchanged", true,
              fmt::format("{} messages each way on the second stream", kRounds),
              "100 messages while the first stream is blocked", kRounds);
      const bool clean = first.rx().is_clean() && second_a.rx().is_clean() && second_b.rx().is_clean();
      c.check(CheckKind::kSafety, "bytes_verified", clean && first.rx().verified == kCappedTotal,
              fmt::format("{} bytes of the first stream verified", first.rx().verified),
              fmt::format("all {} bytes, every one matching its pattern", kCappedTotal),
              static_cast<int64_t>(first.rx().verified + second_a.rx().verified + second_b.rx().verified));
      check_no_dial_hangs(c, ctx);
      return c.finish();
    }
  }
}

// --- 3. reconnect_to_server_should_succeed ---------------------------------------------------------

void ScriptSteps::reconnect(Conductor& c, sim::Context& ctx) {
  const ScriptClient& a = c.client(ctx, c.a_);
  const ScriptClient& b = c.client(ctx, c.b_);
  const char* kind = c.var("round") == 0 ? "kill" : "crash";
  switch (c.step_) {
    case 0:
      if (!setup(c, ctx, true)) return;
      c.command(ctx, c.b_, ScriptCommand::kListen, kPort);
      return c.next_step(ctx, 1);
    case 1: {
      c.var("opened_a") = a.sessions_opened();
      c.var("opened_b") = b.sessions_opened();
      const sim::Duration downtime = c.rng_.uniform_duration(sim::Duration::seconds(1), sim::Duration::seconds(10));
      c.var("downtime") = downtime.ns();
      c.var("fault_at") = ctx.now().ns();
      c.request_fault(ctx, fmt::format("{} s0", kind));
      return c.next_step(ctx, 2);
    }
    case 2:
      if (c.since_step(ctx).ns() < c.var("downtime")) return;
      c.request_fault(ctx, "restart s0");
      return c.next_step(ctx, 3);
    case 3: {
      // Both clients by themselves: a new session after the restart, B's entry published.
      const bool back = a.sessions_opened() > c.var("opened_a") && b.sessions_opened() > c.var("opened_b") &&
                        a.has_session() && ready(b);
      if (!c.await_listed(ctx, back, "reconnect", fmt::format("both clients to reconnect after the {}", kind),
                          c.bounds().reconnect_margin)) {
        return;
      }
      const sim::Instant fault_at = sim::Instant::from_ns(c.var("fault_at"));
      const sim::Duration took = std::max(*a.last_session_opened(), *b.last_session_opened()) - fault_at;
      // Measured over the drawn links' time too: held to their bound.
      const sim::Duration limit = sim::Duration::nanoseconds(c.var("downtime")) + c.drawn_bounds_.reconnect_margin;
      c.check(CheckKind::kLiveness, fmt::format("reconnect_after_{}", kind), took <= limit,
              fmt::format("reconnected {} after the {} ({} down)", ms(took), kind,
                          ms(sim::Duration::nanoseconds(c.var("downtime")))),
              fmt::format("within the downtime plus {}", ms(c.drawn_bounds_.reconnect_margin)), took.ns());
      dial_again(c, ctx, c.a_, ScriptCommand::kDial, c.b_, kPort);
      return c.next_step(ctx, 4);
    }
    case 4: {
      const ScriptDial* dial = latest_dial(c, a);
      if (!c.await(ctx, dial && (!dial->succeeded() || newly_accepted(c, b)), "new_stream",
                   fmt::format("a new stream after the {}", kind), c.bounds().dial)) {
        return;
      }
      if (excused(c, ctx, *dial)) return dial_again(c, ctx, c.a_, ScriptCommand::kDial, c.b_, kPort);
      if (!dial->succeeded()) {
        c.check(CheckKind::kLiveness, fmt::format("stream_after_{}", kind), false,
                fmt::format("dial {}", dial->outcome()), "a new stream from A to B works");
        return c.finish();
      }
      c.check(CheckKind::kLiveness, fmt::format("stream_after_{}", kind), true,
              fmt::format("dialed in {}", ms(*dial->resolved - dial->started)), "a new stream from A to B works",
              (*dial->resolved - dial->started).ns());
      c.var("a_new") = dial->stream;
      c.var("b_new") = first_accepted(c, b);
      c.command(ctx, c.a_, ScriptCommand::kWrite, command_arg(static_cast<uint32_t>(dial->stream), kMessageBytes));
      return c.next_step(ctx, 5);
    }
    default: {
      const ScriptStream& got = stream_of(b, c.var("b_new"));
      if (!c.await(ctx, got.rx().verified >= kMessageBytes, "new_stream_bytes",
                   fmt::format("bytes on the new stream after the {}", kind), c.bounds().stall)) {
        return;
      }
      c.check(CheckKind::kSafety, fmt::format("bytes_verified_after_{}", kind), got.rx().is_clean(),
              fmt::format("{} bytes verified", got.rx().verified), "every byte on the new stream matches its pattern",
              static_cast<int64_t>(got.rx().verified));
      if (++c.var("round") < 2) return c.next_step(ctx, 1);
      check_no_dial_hangs(c, ctx);
      return c.finish();
    }
  }
}

// --- 4 and 5. server_disconnect_should_close_streams[_while_communication_is_going_on] -------------

namespace {

// The streams of a round: B dialed them, A accepted them (vars b0.., a0..).
std::string key(const char* side, int i) { return fmt::format("{}{}", side, i); }

}  // namespace

void ScriptSteps::disconnect(Conductor& c, sim::Context& ctx, bool while_busy) {
  const ScriptClient& a = c.client(ctx, c.a_);
  const ScriptClient& b = c.client(ctx, c.b_);
  static constexpr const char* kKinds[] = {"kill", "crash", "stop"};
  const char* kind = kKinds[c.var("round")];
  const bool crash = std::string_view(kind) == "crash";
  auto for_each_pair = [&](auto&& f) {
    for (int i = 0; i < kStreamsPerRound; ++i) f(stream_of(a, c.var(key("a", i))), stream_of(b, c.var(key("b", i))));
  };
  switch (c.step_) {
    case 0:
      if (!setup(c, ctx, true)) return;
      c.command(ctx, c.a_, ScriptCommand::kListen, kPort);
      return c.next_step(ctx, 1);
    case 1:
      c.var("dial_index") = static_cast<int64_t>(b.dials().size());
      c.var("accepted_before") = static_cast<int64_t>(a.accepted().size());
      for (int i = 0; i < kStreamsPerRound; ++i) c.command(ctx, c.b_, ScriptCommand::kDial, kPort);
      return c.next_step(ctx, 2);
    case 2: {
      const auto first = static_cast<size_t>(c.var("dial_index"));
      bool resolved = true;
      for (int i = 0; i < kStreamsPerRound; ++i) resolved = resolved && resolved_dial(b, first + i) != nullptr;
      bool all_succeeded = resolved;
      for (int i = 0; resolved && i < kStreamsPerRound; ++i)
        all_succeeded = all_succeeded && b.dials()[first + i].succeeded();
      const bool accepted = static_cast<int64_t>(a.accepted().size()) >= c.var("accepted_before") + kStreamsPerRound;
      if (!c.await(ctx, resolved && (accepted || !all_succeeded), "streams_accepted",
                   fmt::format("{} streams from B to A", kStreamsPerRound), c.bounds().dial)) {
        return;
      }
      for (int i = 0; i < kStreamsPerRound; ++i) {
        // The round's streams are made again when the drawn links failed one of them.
        if (excused(c, ctx, b.dials()[first + i])) return c.next_step(ctx, 1);
      }
      for (int i = 0; i < kStreamsPerRound; ++i) {
        const ScriptDial& d = b.dials()[first + i];
        if (!d.succeeded()) {
          c.check(CheckKind::kLiveness, "streams", false, fmt::format("dial {}", d.outcome()), "every dial succeeds");
          return c.finish();
        }
        c.var(key("b", i)) = d.stream;
        c.var(key("a", i)) = a.accepted()[static_cast<size_t>(c.var("accepted_before")) + i];
        const ScriptCommand write = while_busy ? ScriptCommand::kWriteForever : ScriptCommand::kWrite;
        c.command(ctx, c.b_, write, command_arg(d.stream, kMessageBytes));
        c.command(ctx, c.a_, write, command_arg(static_cast<uint32_t>(c.var(key("a", i))), kMessageBytes));
      }
      return c.next_step(ctx, 3);
    }
    case 3: {
      // Some reads and writes done (and, while busy, more in flight); then the server goes.
      bool moved = true;
      for_each_pair([&](const ScriptStream& sa, const ScriptStream& sb) {
        moved = moved && sa.rx().verified >= (while_busy ? 1 : kMessageBytes) &&
                sb.rx().verified >= (while_busy ? 1 : kMessageBytes);
      });
      if (!c.await(ctx, moved && c.since_step(ctx) >= sim::Duration::milliseconds(while_busy ? 300 : 0), "streams_move",
                   "reads and writes on every stream", c.bounds().stall * 4)) {
        return;
      }
      int64_t in_flight = 0;
      for_each_pair([&](const ScriptStream& sa, const ScriptStream& sb) {
        in_flight += sa.payload_written() > sb.rx().verified ? 1 : 0;
        in_flight += sb.payload_written() > sa.rx().verified ? 1 : 0;
      });
      c.var("in_flight") = in_flight;
      c.var("fault_at") = ctx.now().ns();
      c.request_fault(ctx, fmt::format("{} s0", kind));
      return c.next_step(ctx, 4);
    }
    case 4: {
      bool closed = true;
      for_each_pair([&](const ScriptStream& sa, const ScriptStream& sb) { closed = closed && sa.broken && sb.broken; });
      const sim::Duration bound = crash ? c.bounds().close_on_crash : c.bounds().close_on_loss;
      if (!c.await(ctx, closed, "streams_close", fmt::format("every stream to close at both ends after the {}", kind),
                   bound))
        return;
      const sim::Instant fault_at = sim::Instant::from_ns(c.var("fault_at"));
      sim::Duration latest;
      bool prefixes = true;
      for_each_pair([&](const ScriptStream& sa, const ScriptStream& sb) {
        latest = std::max({latest, *sa.broken_at - fault_at, *sb.broken_at - fault_at});
        // Each end got a clean, non-empty prefix of what its peer wrote.
        prefixes = prefixes && sa.rx().is_clean() && sb.rx().is_clean() && sa.rx().verified > 0 &&
                   sb.rx().verified > 0 && sa.rx().verified <= sb.payload_written() &&
                   sb.rx().verified <= sa.payload_written();
      });
      const sim::Duration drawn = crash ? c.drawn_bounds_.close_on_crash : c.drawn_bounds_.close_on_loss;
      c.check(CheckKind::kLiveness, fmt::format("close_latency_after_{}", kind), latest <= drawn,
              fmt::format("every stream closed at both ends {} after the {}", ms(latest), kind),
              fmt::format("within {}", ms(drawn)), latest.ns());
      c.check(CheckKind::kSafety, fmt::format("bytes_verified_{}", kind), prefixes,
              prefixes ? "each end received a non-empty, verified prefix of what its peer sent"
                       : "an end received nothing, or bytes its peer never sent",
              "a non-empty prefix of the peer's bytes, every byte matching", 0);
      if (while_busy) {
        c.check(CheckKind::kCoverage, fmt::format("in_flight_at_{}", kind), c.var("in_flight") > 0,
                fmt::format("{} directions had bytes in flight", c.var("in_flight")),
                "at least one write partly delivered when the server went away", c.var("in_flight"));
      }
      c.var("opened_a") = a.sessions_opened();
      c.var("opened_b") = b.sessions_opened();
      c.request_fault(ctx, "restart s0");
      return c.next_step(ctx, 5);
    }
    default: {
      const bool back = a.sessions_opened() > c.var("opened_a") && b.sessions_opened() > c.var("opened_b") &&
                        ready(a) && b.has_session();
      if (!c.await_listed(ctx, back, "reconnect", fmt::format("both clients to reconnect after the {}", kind),
                          c.bounds().reconnect_margin)) {
        return;
      }
      if (++c.var("round") < 3) return c.next_step(ctx, 1);
      check_no_dial_hangs(c, ctx);
      return c.finish();
    }
  }
}

}  // namespace scenarios
