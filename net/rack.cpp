// RACK loss detection.
#include "net/rack.h"

#include <algorithm>

namespace net {

using sim::Duration;
using sim::Instant;

void Rack::on_delivered(const SentRun& run, Instant now, Duration min_rtt, std::optional<uint64_t> echoed) {
  // Reordering: a run never sent again arrived below one delivered before it.
  if (run.end > fack_) {
    fack_ = run.end;
  } else if (run.end < fack_ && !run.retransmitted) {
    reordering_seen_ = true;
  }
  // A retransmitted run answered by its original says nothing of timing (RFC 8985 6.2
  // step 2): the ack echoes a time before the retransmission, or came sooner than any
  // round trip could take.
  const bool echoes_original = echoed && *echoed < static_cast<uint64_t>(run.sent_at.ns());
  if (run.retransmitted && (echoes_original || now - run.sent_at < min_rtt)) return;
  if (order_ && !(run.order > *order_ || (run.order == *order_ && run.end > end_seq_))) return;
  order_ = run.order;
  end_seq_ = run.end;
  rtt_ = now - run.sent_at;
}

void Rack::on_ack(bool dsack, uint64_t snd_una, uint64_t snd_max) {
  if (dsack_round_ && snd_una >= *dsack_round_) dsack_round_.reset();
  if (dsack && !dsack_round_) {
    dsack_round_ = snd_max;
    window_multiplier_ = std::min(window_multiplier_ + 1, kMaxWindowMultiplier);
    window_persist_ = kWindowPersistRecoveries;
  }
}

void Rack::on_recovery_end() {
  if (window_persist_ > 0 && --window_persist_ == 0) window_multiplier_ = 1;
}

Duration Rack::window(bool recovering, uint64_t segments_held, Duration min_rtt, Duration srtt) const {
  if (!reordering_seen_ && (recovering || segments_held >= kDupThresh)) return Duration::zero();
  return std::min(min_rtt * window_multiplier_ / 4, srtt);
}

bool Rack::delivered_after(const SentRun& run) const {
  return order_ && (*order_ > run.order || (*order_ == run.order && end_seq_ > run.end));
}

Rack::Detection Rack::detect_loss(SendLog& log, Instant now, Duration window) const {
  Detection result;
  if (!order_) return result;
  log.for_each_until([&](SentRun& run) {
    // Runs sent for the first time leave in sequence order, and a retransmission leaves
    // after every first transmission below it: past the first run sent after the latest
    // delivery, no run can be due.
    if (!delivered_after(run)) return run.retransmitted;
    if (run.lost) return true;  // waiting to be sent again
    const Instant due = run.sent_at + rtt_ + window;
    if (due <= now) {
      run.lost = true;
      result.marked = true;
    } else {
      result.wait = std::max(result.wait.value_or(Duration::zero()), due - now);
    }
    return true;
  });
  return result;
}

void Rack::mark_lost_on_timeout(SendLog& log, Instant now, Duration window) const {
  bool first = true;
  log.for_each_until([&](SentRun& run) {
    if (first || run.sent_at + rtt_ + window <= now) run.lost = true;
    first = false;
    return true;
  });
}

}  // namespace net
