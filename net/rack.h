// RACK (RFC 8985): time-based loss detection. A run is lost once a run sent after it was
// delivered and more than that delivery's round trip plus a reordering window has passed
// since it left. The window starts at a quarter of the shortest round trip once reordering
// was seen, grows by a quarter with each round trip that brings D-SACKs (spurious
// retransmissions), at most to the smoothed round trip, and falls back after 16
// recoveries without one.
#pragma once

#include "net/send_log.h"
#include "sim/time.h"

#include <optional>

namespace net {

class Rack {
 public:
  // RFC 8985's DupThresh: with this many segments held above a hole and no reordering
  // seen, the window is 0.
  static constexpr uint64_t kDupThresh = 3;
  static constexpr uint32_t kWindowPersistRecoveries = 16;
  // Linux's bound (an 8-bit count); the window never exceeds the smoothed round trip anyway.
  static constexpr uint32_t kMaxWindowMultiplier = 255;

  // A run the peer acknowledged or reported holding (RFC 8985 6.2, steps 2 and 3), by an
  // ack echoing `echoed` if timestamps are in use.
  void on_delivered(const SentRun& run, sim::Instant now, sim::Duration min_rtt, std::optional<uint64_t> echoed);
  // Called with every ack: `dsack` is whether it carried a D-SACK block (step 4).
  void on_ack(bool dsack, uint64_t snd_una, uint64_t snd_max);
  // A fast or timeout recovery ended.
  void on_recovery_end();

  // The reordering window now.
  sim::Duration window(bool recovering, uint64_t segments_held, sim::Duration min_rtt, sim::Duration srtt) const;

  struct Detection {
    bool marked = false;                // some run was newly marked lost
    std::optional<sim::Duration> wait;  // until the next run could be (the reorder timer)
  };
  // Marks the runs RACK deems lost (step 5).
  Detection detect_loss(SendLog& log, sim::Instant now, sim::Duration window) const;
  // On a retransmission timeout (RFC 8985 6.3): the first run, and every run that has
  // waited a round trip plus the window, is lost.
  void mark_lost_on_timeout(SendLog& log, sim::Instant now, sim::Duration window) const;

  bool reordering_seen() const { return reordering_seen_; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("order", order_);
    v("end_seq", end_seq_);
    v("rtt", rtt_);
    v("fack", fack_);
    v("reordering_seen", reordering_seen_);
    v("window_multiplier", window_multiplier_);
    v("window_persist", window_persist_);
    v("dsack_round", dsack_round_);
  }

 private:
  // Whether the most recently sent delivered run left after this one: a later send, or
  // the same send's higher bytes.
  bool delivered_after(const SentRun& run) const;

  std::optional<uint64_t> order_;  // the send of the most recently sent delivered run
  uint64_t end_seq_ = 0;           // its end
  sim::Duration rtt_;              // and its round trip
  uint64_t fack_ = 0;              // the highest end of any delivered run
  bool reordering_seen_ = false;
  uint32_t window_multiplier_ = 1;
  uint32_t window_persist_ = 0;
  std::optional<uint64_t> dsack_round_;  // a round trip with a D-SACK ends when snd_una passes this
};

}  // namespace net
