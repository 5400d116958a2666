// One connection pair driven by hand, segment by segment: selective acknowledgements, the
// scoreboard's bounds and hostile blocks, TIME-WAIT. The wire delivers everything sent in
// one round 10 ms later, unless the test drops or rewrites it.
#include "tests/support/test_main.h"

#include "net/connection.h"
#include "net/sack.h"
#include "scenarios/workloads/pattern.h"

#include <catch2/catch.hpp>

#include <functional>

namespace {

using net::Connection;
using net::ConnEffects;
using net::Segment;
using sim::Duration;

constexpr Duration kHop = Duration::milliseconds(10);

struct Pair {
  net::TransportOptions options;
  sim::Instant now = sim::Instant::zero();
  Connection a;  // active: the writer in these tests
  Connection b;
  std::vector<Segment> to_a;
  std::vector<Segment> to_b;
  // Returns false to drop a segment; may rewrite it. Index counts data segments a sends.
  std::function<bool(Segment&, bool to_b)> wire = [](Segment&, bool) { return true; };
  uint64_t data_segments_to_b = 0;
  std::vector<uint8_t> received;

  explicit Pair(net::TransportOptions o = {}) : options(o) {}

  void take(ConnEffects& fx, bool from_a) {
    for (Segment& s : fx.segments) (from_a ? to_b : to_a).push_back(std::move(s));
    fx.clear();
  }
  void open() {
    ConnEffects fx;
    a = Connection::open_active(1, 49152, static_cast<net::NodeAddress>(1), 7000, 11, options, now, fx);
    Segment syn = fx.segments.front();
    fx.clear();
    now = now + kHop;
    b = Connection::open_passive(1, 7000, static_cast<net::NodeAddress>(0), syn, 22, options, now, fx);
    take(fx, false);
    round();
    round();
    REQUIRE(a.state() == net::ConnState::kEstablished);
    REQUIRE(b.state() == net::ConnState::kEstablished);
  }
  // Delivers what is in flight, then fires any timer that is due.
  void round() {
    now = now + kHop;
    std::vector<Segment> for_b = std::exchange(to_b, {});
    std::vector<Segment> for_a = std::exchange(to_a, {});
    ConnEffects fx;
    for (Segment& s : for_b) {
      if (!s.payload.empty()) ++data_segments_to_b;
      if (!wire(s, true)) continue;
      b.on_segment(s, options, now, fx);
      drain_b(fx);
      take(fx, false);
    }
    for (Segment& s : for_a) {
      if (!wire(s, false)) continue;
      a.on_segment(s, options, now, fx);
      take(fx, true);
    }
    for (Connection* c : {&a, &b}) {
      if (std::optional<sim::Instant> at = c->deadline(options); at && *at <= now) {
        c->on_timer(options, now, fx);
        take(fx, c == &a);
      }
    }
  }
  void drain_b(ConnEffects& fx) {
    uint8_t buffer[4096];
    while (size_t got = b.read(buffer, sizeof buffer, options, now, fx))
      received.insert(received.end(), buffer, buffer + got);
  }
  // Writes `bytes` of the pattern from a, then runs until b read them all (or `rounds` pass).
  void send(uint64_t bytes, int rounds = 2000) {
    std::vector<uint8_t> data(bytes);
    scenarios::pattern_fill(5, 0, data.data(), data.size());
    ConnEffects fx;
    size_t written = a.write(data.data(), data.size(), options, now, fx);
    take(fx, true);
    for (int i = 0; i < rounds && received.size() < bytes; ++i) {
      round();
      if (written < bytes) {
        written += a.write(data.data() + written, data.size() - written, options, now, fx);
        take(fx, true);
      }
    }
    REQUIRE(received.size() == bytes);
    CHECK(received == data);
  }
};

}  // namespace

TEST_CASE("net: sack: both ends offer selective acknowledgements in the handshake, or neither uses them") {
  Pair both;
  both.open();
  CHECK(both.a.uses_sack());
  CHECK(both.b.uses_sack());
  net::TransportOptions off;
  off.sack = false;
  Pair one(off);
  one.open();
  CHECK_FALSE(one.a.uses_sack());
  CHECK_FALSE(one.b.uses_sack());
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
      const bool first_send = p.a.retransmissions() == 0 || s.seq >= 10 * options.mss_bytes;
      return !(first_send && p.data_segments_to_b <= 10 && (index == 1 || index == 3 || index == 5));
    };
    p.send(40 * options.mss_bytes);
    if (sack) {
      // Every hole of the window went again in the first recovery, and no timeout came.
      CHECK(p.a.timeouts() == 0);
      CHECK(p.a.fast_recoveries() == 1);
      CHECK(p.a.retransmissions() == 3);
    } else {
      // NewReno repairs one hole a round trip; it needs no timeout either, but more time.
      CHECK(p.a.retransmissions() >= 3);
    }
  }
}

TEST_CASE("net: sack: the scoreboard merges blocks, ignores lies and never passes its bound") {
  net::SackScoreboard board;
  // Reversed, empty, beyond what was sent, wholly below the cumulative ack: ignored.
  CHECK(board.add({{500, 400}, {600, 600}, {900, 1200}, {10, 90}}, 100, 1000) == 0);
  CHECK(board.empty());
  // Overlapping and touching blocks become one range; a block reaching below the
  // cumulative ack is clipped to it.
  CHECK(board.add({{300, 400}, {350, 500}, {500, 600}, {50, 150}}, 100, 1000) == 350);
  CHECK(board.ranges() == std::map<uint64_t, uint64_t>{{100, 150}, {300, 600}});
  CHECK(board.held_above(0) == 350);
  CHECK(board.held_until(320) == 600u);
  CHECK_FALSE(board.held_until(200).has_value());
  CHECK(board.next_held_after(150) == 300u);
  board.trim(320);
  CHECK(board.ranges() == std::map<uint64_t, uint64_t>{{320, 600}});
  // A peer reporting every other byte cannot grow it past its bound.
  net::SackScoreboard flooded;
  for (uint64_t i = 0; i < 4 * net::SackScoreboard::kMaxRanges; i += 2) {
    flooded.add({{1000 + i, 1001 + i}}, 1000, 1'000'000);
    REQUIRE(flooded.size() <= net::SackScoreboard::kMaxRanges);
  }
  CHECK(flooded.size() == net::SackScoreboard::kMaxRanges);
}

TEST_CASE("net: sack: the receiver reports the newest block first, then the highest, at most four") {
  sim::DigestMap<uint64_t, sim::Bytes> held;
  for (uint64_t start : {100, 110, 300, 500, 700, 900}) held.insert(start, sim::Bytes(10));
  const std::vector<net::SackBlock> blocks = net::receiver_sack_blocks(held, 300);
  CHECK(blocks == std::vector<net::SackBlock>{{300, 310}, {900, 910}, {700, 710}, {500, 510}});
  CHECK(net::receiver_sack_blocks(held, 105) ==
        std::vector<net::SackBlock>{{100, 120}, {900, 910}, {700, 710}, {500, 510}});
}

TEST_CASE("net: sack: blocks from a lying peer never corrupt the stream") {
  Pair p;
  p.open();
  uint64_t lies = 0;
  // Every ack to the writer claims a block beyond what was sent, a reversed one, and the
  // next 20 KB as held although they were dropped on the way: the writer must still
  // deliver every byte, in order, by timing out and forgetting the false claims.
  p.wire = [&](Segment& s, bool to_b) {
    if (to_b) return !(s.payload.size() > 0 && s.seq >= 30'000 && s.seq < 50'000 && p.a.timeouts() == 0);
    s.sack = {{s.ack + 1'000'000, s.ack + 1'001'000}, {s.ack + 10, s.ack + 5}};
    if (s.ack >= 30'000 && s.ack < 50'000) s.sack.push_back({s.ack + 1, 50'000});
    ++lies;
    return true;
  };
  p.send(100'000, 5000);
  CHECK(lies > 0);
  CHECK(p.a.timeouts() >= 1);
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
