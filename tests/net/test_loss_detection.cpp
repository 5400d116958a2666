// Loss detection with selective acknowledgements, on one hand-driven connection pair
// (connection_pair.h): RACK finds a lost retransmission, a tail loss probe replaces the
// timeout, a delayed segment's recovery is undone (by timestamps or by D-SACK), the send
// log keeps its invariants.
#include "tests/support/test_main.h"

#include "tests/net/connection_pair.h"

#include <catch2/catch.hpp>

namespace {

using net::Segment;
using test_net::Pair;

// Every run of the log inside what is outstanding, non-empty, disjoint, in order, and
// apart from every range the scoreboard holds.
void check_send_log(const net::Connection& c, uint64_t bytes_written) {
  const net::SendLog& log = c.send_log();
  REQUIRE(log.size() <= net::SendLog::kMaxRuns);
  uint64_t previous_end = c.bytes_acked();
  const std::vector<net::SackBlock>& held = c.scoreboard().ranges();
  for (const net::SentRun& run : log.runs()) {
    REQUIRE(run.start >= previous_end);
    REQUIRE(run.end > run.start);
    for (const net::SackBlock& range : held) REQUIRE((range.end <= run.start || range.start >= run.end));
    previous_end = run.end;
  }
  REQUIRE(previous_end <= bytes_written);
}

bool is_data_to_b(const Segment& s, bool to_b) { return to_b && !s.payload.empty(); }

// Removes a D-SACK block (the first block, below the cumulative ack) from an ack.
void strip_dsack(Segment& s) {
  if (!s.sack.empty() && s.sack.front().end <= s.ack) s.sack.erase_front();
}

}  // namespace

TEST_CASE("net: rack: a lost retransmission is found by time, not by a timeout") {
  Pair p;
  p.open();
  const uint64_t mss = p.options.mss_bytes;
  int copies_of_second = 0;
  // The second segment is lost, and so is its first retransmission.
  p.wire = [&](Segment& s, bool to_b) {
    if (!is_data_to_b(s, to_b) || s.seq != mss) return true;
    return ++copies_of_second > 2;
  };
  p.send(40 * mss);
  CHECK(copies_of_second == 3);
  CHECK(p.a.repairs().timeouts == 0);
  CHECK(p.a.repairs().tail_probes == 0);
  CHECK(p.a.repairs().retransmissions == 2);
}

TEST_CASE("net: tlp: a lost last segment is probed after two round trips, not timed out") {
  Pair p;
  p.open();
  const uint64_t mss = p.options.mss_bytes;
  const uint64_t bytes = 5 * mss;
  bool dropped = false;
  p.wire = [&](Segment& s, bool to_b) {
    if (is_data_to_b(s, to_b) && s.seq == bytes - mss && !dropped) return !(dropped = true);
    return true;
  };
  p.send(bytes);
  CHECK(dropped);
  CHECK(p.a.repairs().tail_probes == 1);
  CHECK(p.a.repairs().timeouts == 0);
  CHECK(p.a.repairs().retransmissions == 1);
  // The probe's ack repaired the loss: no fast recovery was needed.
  CHECK(p.a.repairs().fast_recoveries == 0);
}

TEST_CASE("net: undo: a delayed segment's recovery is undone by its timestamp, or by the D-SACK") {
  struct Case {
    bool timestamps;
    bool dsack_reaches_sender;
    uint64_t undone;
  };
  for (const Case c : {Case{true, true, 1}, Case{true, false, 1}, Case{false, true, 1}, Case{false, false, 0}}) {
    INFO("timestamps " << c.timestamps << ", D-SACK reaches the sender " << c.dsack_reaches_sender);
    net::TransportOptions options;
    options.timestamps = c.timestamps;
    Pair p(options);
    p.open();
    CHECK(p.a.uses_timestamps() == c.timestamps);
    const uint64_t mss = options.mss_bytes;
    bool delayed = false;
    // The second segment of the first window arrives two rounds late: after RACK has
    // marked it lost and retransmitted it, just before the retransmission arrives (so
    // its ack comes a whole round trip after the retransmission: timing alone cannot
    // tell).
    p.wire = [&](Segment& s, bool to_b) {
      if (is_data_to_b(s, to_b) && s.seq == mss && !delayed) {
        delayed = true;
        p.delay_to_b(s, 2);
        return false;
      }
      if (!to_b && !c.dsack_reaches_sender) strip_dsack(s);
      return true;
    };
    p.send(30 * mss);
    CHECK(delayed);
    CHECK(p.a.repairs().fast_recoveries == 1);
    CHECK(p.a.repairs().recoveries_undone == c.undone);
    // Without timestamps the ack of the delayed original reads as the retransmission's,
    // whose round trip makes the segments sent just before it look lost too (RFC 8985's
    // ambiguity, which its step 2 resolves with timestamps only).
    if (c.timestamps) CHECK(p.a.repairs().retransmissions == 1);
    CHECK(p.a.repairs().timeouts == 0);
  }
}

TEST_CASE("net: rack: the send log stays inside what is outstanding through losses and timeouts") {
  Pair p;
  p.open();
  uint64_t data_segments = 0;
  uint64_t acks = 0;
  // Every seventh data segment lost, and 15 in a row once (a timeout); every fifth ack lost.
  p.wire = [&](Segment& s, bool to_b) {
    if (!to_b) return ++acks % 5 != 1;
    if (s.payload.empty()) return true;
    ++data_segments;
    return data_segments % 7 != 3 && !(data_segments >= 200 && data_segments < 215);
  };
  const uint64_t bytes = 300'000;
  std::vector<uint8_t> data(bytes);
  scenarios::pattern_fill(5, 0, data.data(), data.size());
  net::ConnEffects fx;
  size_t written = p.a.write(data.data(), data.size(), p.options, p.now, fx);
  p.take(fx, true);
  for (int i = 0; i < 5000 && p.received.size() < bytes; ++i) {
    p.round();
    written += p.a.write(data.data() + written, data.size() - written, p.options, p.now, fx);
    p.take(fx, true);
    check_send_log(p.a, written);
  }
  REQUIRE(p.received == data);
  for (int i = 0; i < 1000 && p.a.bytes_acked() < bytes; ++i) p.round();
  CHECK(p.a.send_log().empty());
  CHECK(p.a.repairs().fast_recoveries > 0);
}
