// The connection's loss recovery: acknowledgements in, round-trip timing, fast recovery
// (NewReno; with selective acknowledgements, see connection_sack.cpp), limited transmit
// (RFC 3042) and the retransmission timeout.
#include "net/connection.h"

#include "sim/assert.h"

#include <algorithm>

namespace net {

using sim::Duration;
using sim::Instant;

// --- Acknowledgements in -------------------------------------------------------------------------

void Connection::on_ack(const Segment& segment, const TransportOptions& options, Instant now, ConnEffects& fx) {
  const uint64_t highest = snd_max_ + (fin_sent_ ? 1 : 0);
  if (segment.ack > highest) return;    // acknowledges what was never sent
  if (segment.ack < snd_una()) return;  // older than what we know
  const uint64_t in_flight = snd_max_ - snd_una();
  const bool was_recovering = is_recovering();
  const uint64_t una_before = snd_una();
  const uint64_t held_before = scoreboard_.held();
  const bool dsack = sack_ok_ && on_dsack(segment.sack, segment.ack, options, fx);
  const uint64_t newly_held = sack_ok_ ? take_sack_blocks(segment, now) : 0;
  const bool duplicate =
      segment.payload.empty() && !segment.has(kFin) && in_flight > 0 && segment.ack + segment.window == peer_edge_;
  peer_edge_ = segment.ack + segment.window;
  bool progress = false;
  if (segment.ack > snd_una() || (fin_sent_ && !fin_acked_ && segment.ack == data_end() + 1)) {
    on_cumulative_ack(segment.ack, echoed_time(segment), options, now, fx);
    progress = true;
    if (was_recovering) undo_if_original_arrived(segment, options, fx);
  } else if (newly_held > 0 || duplicate) {
    // A duplicate ack (or, with SACK, one that says more is held). Without SACK the oldest
    // segment was most likely lost once dupthresh of them came; once per window of data,
    // so duplicated segments cannot halve the window again and again. With SACK, RACK
    // decides below.
    ++dup_acks_;
    if (!sack_ok_ && !is_recovering() && dup_acks_ >= dupthresh_) {
      enter_fast_recovery(in_flight, options, now, fx);
    } else if (!is_recovering() && options.limited_transmit && dup_acks_ <= 2) {
      send_limited_transmit(options, now, fx);
    }
  }
  // Bytes that reached the peer for the first time with this ack: newly acknowledged and
  // not held before, or newly held.
  const uint64_t held_after = scoreboard_.held();
  grow_window(snd_una() - una_before + held_after - held_before, options);
  if (!has_outstanding() && !is_window_closed()) {
    rto_deadline_.reset();
  } else if (progress) {
    restart_rto(now);
  }
  if (sack_ok_) on_sack_ack(segment, dsack, progress, newly_held, in_flight, options, now, fx);
}

void Connection::on_cumulative_ack(uint64_t ack, std::optional<uint64_t> echoed, const TransportOptions& options,
                                   Instant now, ConnEffects& fx) {
  const uint64_t acked_to = std::min(ack, data_end());
  const uint64_t newly = acked_to - snd_una();
  const bool was_recovering = is_recovering();
  send_buffer_.consume(static_cast<size_t>(newly));
  scoreboard_.trim(snd_una());
  send_log_.acknowledge(snd_una(), [&](const SentRun& run) { rack_.on_delivered(run, now, min_rtt_, echoed); });
  if (was_recovering && !is_recovering() && sack_ok_) rack_.on_recovery_end();
  if (fin_sent_ && ack == data_end() + 1) fin_acked_ = true;
  if (rtt_sample_ && ack >= rtt_sample_->end) {
    update_rtt(now - rtt_sample_->sent_at, options);
    rtt_sample_.reset();
  }
  // Progress ends any timeout backoff (as Linux does), even without a fresh sample.
  rto_ = computed_rto(options);
  undo_if_spurious(ack, options, now, fx);
  // A partial ack: the next hole is lost too; repair it now (with SACK, RACK decides).
  if (is_recovering() && !sack_ok_) retransmit_oldest(options, now, fx);
  dup_acks_ = 0;
  if (snd_nxt_ < snd_una()) snd_nxt_ = snd_una();
  notify_if_writable(options, fx);
}

// Reno with byte counting (RFC 3465, as Linux counts delivered segments): below ssthresh
// the window grows by what was delivered, at most two segments an ack; above it by one
// segment for each window's worth delivered. Acks that only report held blocks count,
// so reordering does not slow the growth. Not while a loss is repaired, except after a
// timeout with SACK, which repairs in slow start.
void Connection::grow_window(uint64_t delivered, const TransportOptions& options) {
  if (delivered == 0 || (is_recovering() && !(sack_ok_ && is_after_timeout()))) return;
  const uint64_t mss = options.mss_bytes;
  if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(delivered, 2 * mss);
    return;
  }
  window_bytes_acked_ += delivered;
  if (window_bytes_acked_ >= cwnd_) {
    window_bytes_acked_ -= cwnd_;
    cwnd_ += mss;
  }
}

void Connection::enter_fast_recovery(uint64_t in_flight, const TransportOptions& options, Instant now,
                                     ConnEffects& fx) {
  undo_cwnd_ = cwnd_;
  undo_ssthresh_ = ssthresh_;
  fast_retransmit_at_ = now;
  fast_retransmit_seq_ = snd_una();
  ssthresh_ = halved_threshold(in_flight, options);
  cwnd_ = ssthresh_;
  recover_ = snd_max_;
  recovering_from_timeout_ = false;
  first_retransmit_at_.reset();
  count(&RepairCounts::fast_recoveries, fx);
  undo_retransmissions_ = 0;
  dsack_undo_armed_ = sack_ok_;
  if (!sack_ok_) return retransmit_oldest(options, now, fx);
  // A probe's retransmission in flight will come back as a D-SACK that is not this
  // recovery's (Linux's tcp_init_undo): one more is needed before an undo.
  if (probe_high_seq_ && probe_retransmitted_) ++undo_retransmissions_;
  probe_high_seq_.reset();
  probe_deadline_.reset();
  resend_first_lost(options, now, fx);
  sack_recover(options, now, fx);
}

// An ack past the fast-retransmitted segment that arrives sooner than any round trip could
// take was sent for the original segment: it was reordered, not lost.
void Connection::undo_if_spurious(uint64_t ack, const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (!fast_retransmit_at_ || ack <= fast_retransmit_seq_) return;
  // With timestamps the echo tells exactly (undo_if_original_arrived).
  const bool spurious = !ts_ok_ && has_rtt_ && now - *fast_retransmit_at_ < min_rtt_;
  fast_retransmit_at_.reset();
  if (spurious) undo_recovery(options, fx);
}

// Eifel (RFC 3522), as Linux's tcp_packet_delayed: an ack during recovery that moves the
// cumulative ack and echoes a time before the recovery's first retransmission was sent
// for the original segment, which had been delayed, not lost.
void Connection::undo_if_original_arrived(const Segment& ack, const TransportOptions& options, ConnEffects& fx) {
  const std::optional<uint64_t> echoed = echoed_time(ack);
  if (echoed && first_retransmit_at_ && *echoed < static_cast<uint64_t>(first_retransmit_at_->ns())) {
    undo_recovery(options, fx);
  }
}

// The window the recovery took is given back, and reordering raises the threshold. What
// RACK had marked lost is unmarked: it finds what is really missing again.
void Connection::undo_recovery(const TransportOptions& options, ConnEffects& fx) {
  count(&RepairCounts::recoveries_undone, fx);
  dsack_undo_armed_ = false;
  first_retransmit_at_.reset();
  send_log_.clear_lost_marks();
  cwnd_ = std::max(cwnd_, undo_cwnd_);
  ssthresh_ = std::max(ssthresh_, undo_ssthresh_);
  recover_ = std::min(recover_, snd_una());
  const uint32_t window_segments = options.send_buffer_bytes / options.mss_bytes;
  dupthresh_ = std::min(dupthresh_ * 2, std::max(kStandardDupthresh, window_segments));
}

// A D-SACK block (RFC 2883: the first block, below the cumulative ack or inside the second
// block) reports a duplicate the peer received. Once every retransmission of the last fast
// recovery came back that way, none was needed (RFC 3708): undo it. Returns whether the
// ack carried one.
bool Connection::on_dsack(const SackList& blocks, uint64_t ack, const TransportOptions& options, ConnEffects& fx) {
  if (blocks.empty()) return false;
  const SackBlock& first = blocks.front();
  const bool below_ack = first.end <= ack;
  const bool inside_second = blocks.size() > 1 && first.start >= blocks[1].start && first.end <= blocks[1].end;
  if (!(below_ack || inside_second) || first.start >= first.end) return false;
  if (!dsack_undo_armed_ || first.start < fast_retransmit_seq_ || first.end > high_rxt_) return true;  // not ours
  if (undo_retransmissions_ > 0 && --undo_retransmissions_ == 0) undo_recovery(options, fx);
  return true;
}

// RFC 3042: each of the first two duplicate acks lets one new segment out beyond the
// congestion window (but within the peer's), so a small window still produces the
// duplicate acks that fast retransmit needs.
void Connection::send_limited_transmit(const TransportOptions& options, Instant now, ConnEffects& fx) {
  const uint64_t mss = options.mss_bytes;
  if (snd_max_ - snd_una() + mss > cwnd_ + 2 * mss) return;
  if (const uint64_t length = new_data_room(options); length > 0) send_new_data(length, options, now, fx);
}

// How much new data one segment may carry now that the peer's window allows (0 when none
// waits, or while snd_nxt is held back behind a window probe).
uint64_t Connection::new_data_room(const TransportOptions& options) const {
  if (snd_nxt_ != snd_max_ || snd_max_ >= data_end()) return 0;
  const uint64_t window_room = peer_edge_ > snd_max_ ? peer_edge_ - snd_max_ : 0;
  return std::min({uint64_t{options.mss_bytes}, data_end() - snd_max_, window_room});
}

void Connection::send_new_data(uint64_t length, const TransportOptions& options, Instant now, ConnEffects& fx) {
  SIM_ASSERT_EQ(snd_nxt_, snd_max_);
  send_data(snd_max_, static_cast<size_t>(length), options, now, fx);
  snd_max_ += length;
  snd_nxt_ = snd_max_;
  if (!rtt_sample_) rtt_sample_ = RttSample{snd_max_, now};
  if (!rto_deadline_) rto_deadline_ = now + rto_;
}

// --- Round-trip time -------------------------------------------------------------------------------

void Connection::update_rtt(Duration sample, const TransportOptions& options) {
  // RFC 6298 with integer arithmetic: alpha = 1/8, beta = 1/4.
  if (!has_rtt_) {
    srtt_ = sample;
    rttvar_ = sample / 2;
    min_rtt_ = sample;
    has_rtt_ = true;
  } else {
    min_rtt_ = std::min(min_rtt_, sample);
    const Duration error = srtt_ > sample ? srtt_ - sample : sample - srtt_;
    rttvar_ = (rttvar_ * 3 + error) / 4;
    srtt_ = (srtt_ * 7 + sample) / 8;
  }
  rto_ = computed_rto(options);
}

Duration Connection::computed_rto(const TransportOptions& options) const {
  if (!has_rtt_) return options.rto_initial;
  const Duration variance_term = std::max(Duration::milliseconds(1), rttvar_ * 4);
  return std::clamp(srtt_ + variance_term, options.rto_min, options.rto_max);
}

void Connection::retransmit_oldest(const TransportOptions& options, Instant now, ConnEffects& fx) {
  const uint64_t length = std::min<uint64_t>(options.mss_bytes, snd_max_ - snd_una());
  if (length == 0) return;
  resend(snd_una(), std::min(snd_una() + length, data_end()), options, now, fx);
}

// Sends [start, end) again, and keeps count: the highest byte resent, the resends a
// D-SACK may prove spurious (not a timeout's), and Karn's rule (no sample across it).
void Connection::resend(uint64_t start, uint64_t end, const TransportOptions& options, Instant now, ConnEffects& fx) {
  send_data(start, static_cast<size_t>(end - start), options, now, fx);
  high_rxt_ = std::max(high_rxt_, end);
  if (is_recovering() && !first_retransmit_at_) first_retransmit_at_ = now;
  if (!is_after_timeout()) ++undo_retransmissions_;
  count(&RepairCounts::retransmissions, fx);
  rtt_sample_.reset();
}

// --- The retransmission timeout --------------------------------------------------------------------

void Connection::on_retransmit_timer(const TransportOptions& options, Instant now, ConnEffects& fx) {
  rto_ = std::min(rto_ * 2, options.rto_max);
  rto_deadline_ = now + rto_;
  rtt_sample_.reset();
  probe_deadline_.reset();
  probe_high_seq_.reset();
  reorder_deadline_.reset();
  if (state_ == ConnState::kSynSent || state_ == ConnState::kSynReceived) {
    fx.segments.push_back(make_segment(handshake_flags(options), options, now));
    count(&RepairCounts::retransmissions, fx);
    return;
  }
  if (has_outstanding()) {
    count(&RepairCounts::timeouts, fx);
    const uint64_t in_flight = snd_max_ - snd_una();
    if (!is_recovering()) {
      // What an undo gives back if the timeout proves spurious (Eifel).
      undo_cwnd_ = cwnd_;
      undo_ssthresh_ = ssthresh_;
      first_retransmit_at_ = now;
    }
    ssthresh_ = halved_threshold(in_flight, options);
    cwnd_ = options.mss_bytes;
    dup_acks_ = 0;
    recover_ = snd_max_;
    recovering_from_timeout_ = true;
    fast_retransmit_at_.reset();
    if (fin_sent_ && !fin_acked_) fin_pending_ = true;
    if (sack_ok_) return timeout_with_sack(options, now, fx);
    count(&RepairCounts::retransmissions, fx);  // the go-back below, counted once
    snd_nxt_ = snd_una();
    // pump() sends the oldest segment again (or the FIN) and keeps this deadline; if the
    // window is closed it sends nothing, and the window is probed instead.
    pump(options, now, fx);
    if (is_window_closed()) send_window_probe(options, now, fx);
    return;
  }
  if (is_window_closed()) {
    send_window_probe(options, now, fx);
    return;
  }
  rto_deadline_.reset();
}

}  // namespace net
