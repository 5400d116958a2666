// One connection pair driven by hand, segment by segment, for the transport's unit tests.
// The wire delivers everything sent in one round 10 ms later, unless the test drops,
// rewrites or delays it.
#pragma once

#include "net/connection.h"
#include "scenarios/workloads/pattern.h"

#include <catch2/catch.hpp>

#include <functional>
#include <utility>
#include <vector>

namespace test_net {

using net::Connection;
using net::ConnEffects;
using net::Segment;

inline constexpr sim::Duration kHop = sim::Duration::milliseconds(10);

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
  // Segments the wire holds back: each reaches b at the start of the round it names,
  // before what was sent in the round just past.
  std::vector<std::pair<sim::Instant, Segment>> delayed_to_b;

  // From a wire callback: b gets `s` `rounds` rounds later than it would have.
  void delay_to_b(const Segment& s, int rounds) { delayed_to_b.emplace_back(now + kHop * rounds, s); }

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
    for (auto it = delayed_to_b.begin(); it != delayed_to_b.end();) {
      if (it->first > now) {
        ++it;
        continue;
      }
      b.on_segment(it->second, options, now, fx);
      drain_b(fx);
      take(fx, false);
      it = delayed_to_b.erase(it);
    }
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

}  // namespace test_net
