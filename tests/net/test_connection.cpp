// One connection pair driven by hand, segment by segment (connection_pair.h): selective
// acknowledgements, the scoreboard's bounds and hostile blocks, TIME-WAIT.
#include "tests/support/test_main.h"

#include "net/reorder_buffer.h"
#include "net/sack.h"
#include "tests/net/connection_pair.h"

#include <catch2/catch.hpp>

using net::Segment;
using test_net::Pair;

TEST_CASE("net: sack: both ends offer selective acknowledgements and timestamps, or neither uses them") {
  Pair both;
  both.open();
  CHECK(both.a.uses_sack());
  CHECK(both.b.uses_sack());
  CHECK(both.a.uses_timestamps());
  CHECK(both.b.uses_timestamps());
  net::TransportOptions off;
  off.sack = false;
  off.timestamps = false;
  Pair one(off);
  one.open();
  CHECK_FALSE(one.a.uses_sack());
  CHECK_FALSE(one.b.uses_sack());
  CHECK_FALSE(one.a.uses_timestamps());
  CHECK_FALSE(one.b.uses_timestamps());
}

TEST_CASE("net: sack: several segments lost from one window are repaired without a timeout") {
  for (const bool sack : {true, false}) {
    INFO("sack " << sack);
    net::TransportOptions options;
    options.sack = sack;
    Pair p(options);
    p.open();
    // The initial window is 10 segments: lose the 2nd, 4th and 6th of the first one.
    p.wire = [&](Segment& s, bool to_b) {
      if (!to_b || s.payload.empty()) return true;
      const uint64_t index = s.seq / options.mss_bytes;
      const bool first_send = p.a.repairs().retransmissions == 0 || s.seq >= 10 * options.mss_bytes;
      return !(first_send && p.data_segments_to_b <= 10 && (index == 1 || index == 3 || index == 5));
    };
    p.send(40 * options.mss_bytes);
    if (sack) {
      // Every hole of the window went again in the first recovery, and no timeout came.
      CHECK(p.a.repairs().timeouts == 0);
      CHECK(p.a.repairs().fast_recoveries == 1);
      CHECK(p.a.repairs().retransmissions == 3);
    } else {
      // NewReno repairs one hole a round trip; it needs no timeout either, but more time.
      CHECK(p.a.repairs().retransmissions >= 3);
    }
  }
}

TEST_CASE("net: sack: the scoreboard merges blocks, ignores lies and never passes its bound") {
  net::SackScoreboard board;
  // Reversed, empty, beyond what was sent, wholly below the cumulative ack: ignored.
  CHECK(board.add({{500, 400}, {600, 600}, {900, 1200}, {10, 90}}, 100, 1000).empty());
  CHECK(board.empty());
  // Overlapping and touching blocks become one range; a block reaching below the
  // cumulative ack is clipped to it. What was taken comes back, clipped, in order.
  CHECK(board.add({{300, 400}, {350, 500}, {500, 600}, {50, 150}}, 100, 1000) ==
        net::SackList{{300, 400}, {350, 500}, {500, 600}, {100, 150}});
  CHECK(board.ranges() == std::vector<net::SackBlock>{{100, 150}, {300, 600}});
  CHECK(board.held_above(0) == 350);
  CHECK(board.held() == 350);
  CHECK(board.range_holding(320) == net::SackBlock{300, 600});
  CHECK_FALSE(board.range_holding(200).has_value());
  board.trim(320);
  CHECK(board.ranges() == std::vector<net::SackBlock>{{320, 600}});
  CHECK(board.held() == 280);  // the running sum follows merges and trims
  // A peer reporting every other byte cannot grow it past its bound.
  net::SackScoreboard flooded;
  for (uint64_t i = 0; i < 4 * net::SackScoreboard::kMaxRanges; i += 2) {
    flooded.add({{1000 + i, 1001 + i}}, 1000, 1'000'000);
    REQUIRE(flooded.size() <= net::SackScoreboard::kMaxRanges);
  }
  CHECK(flooded.size() == net::SackScoreboard::kMaxRanges);
  CHECK(flooded.add({{5000, 5001}}, 1000, 1'000'000).empty());  // refused: not taken
}

TEST_CASE("net: sack: the receiver reports the newest block first, then the highest, at most four") {
  net::ReorderBuffer held;
  for (uint64_t start : {100, 110, 300, 500, 700, 900}) held.insert(start, sim::Bytes(10));
  held.arrived(300);
  CHECK(held.sack_blocks() == net::SackList{{300, 310}, {900, 910}, {700, 710}, {500, 510}});
  held.arrived(110);
  CHECK(held.sack_blocks() == net::SackList{{100, 120}, {900, 910}, {700, 710}, {500, 510}});
  // Pulled in order up to 120: that range is no longer reported.
  while (held.take_first_at_or_below(120)) {
  }
  held.received_up_to(120);
  CHECK(held.sack_blocks() == net::SackList{{900, 910}, {700, 710}, {500, 510}, {300, 310}});
}

TEST_CASE("net: sack: blocks from a lying peer never corrupt the stream") {
  Pair p;
  p.open();
  uint64_t lies = 0;
  // Every ack to the writer claims a block beyond what was sent, a reversed one, and the
  // next 20 KB as held although they were dropped on the way: the writer must still
  // deliver every byte, in order, by timing out and forgetting the false claims.
  p.wire = [&](Segment& s, bool to_b) {
    if (to_b) return !(s.payload.size() > 0 && s.seq >= 30'000 && s.seq < 50'000 && p.a.repairs().timeouts == 0);
    s.sack = {{s.ack + 1'000'000, s.ack + 1'001'000}, {s.ack + 10, s.ack + 5}};
    if (s.ack >= 30'000 && s.ack < 50'000) s.sack.push_back({s.ack + 1, 50'000});
    ++lies;
    return true;
  };
  p.send(100'000, 5000);
  CHECK(lies > 0);
  CHECK(p.a.repairs().timeouts >= 1);
  CHECK(p.a.scoreboard().size() <= net::SackScoreboard::kMaxRanges);
}

TEST_CASE("net: close: the last ack lost, the peer's repeated FIN is acknowledged from TIME-WAIT") {
  Pair p;
  p.open();
  p.send(5000);
  net::ConnEffects fx;
  p.b.shutdown(p.options, p.now, fx);
  p.take(fx, false);
  p.round();  // b's FIN reaches a, a acks it
  p.a.shutdown(p.options, p.now, fx);
  p.take(fx, true);
  // a's FIN reaches b; b's ack of it is lost once.
  bool dropped = false;
  p.wire = [&](Segment& s, bool to_b) {
    if (!to_b && !dropped && s.payload.empty() && !s.has(net::kFin)) return !(dropped = true);
    return true;
  };
  for (int i = 0; i < 400 && p.a.state() != net::ConnState::kClosed; ++i) p.round();
  CHECK(dropped);
  CHECK(p.b.state() == net::ConnState::kClosed);  // b closed first and waits in TIME-WAIT
  CHECK(p.a.state() == net::ConnState::kClosed);  // a's FIN went again and was acknowledged
  CHECK(p.a.failure() == net::FailReason::kNone);
  // TIME-WAIT ends after its time, and then the connection may be forgotten.
  p.b.close(p.options, p.now, fx);
  CHECK_FALSE(p.b.is_finished());
  const sim::Instant end = *p.b.deadline(p.options);
  CHECK(end - p.now <= p.options.time_wait);
  p.b.on_timer(p.options, end, fx);
  CHECK(p.b.is_finished());
}
