// The connection's loss recovery: acknowledgements in, round-trip timing, fast recovery
// (NewReno, or SACK-based as RFC 6675 describes it when both ends negotiated selective
// acknowledgements), limited transmit (RFC 3042) and the retransmission timeout.
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
  if (sack_ok_) on_dsack(segment.sack, segment.ack, options);
  const uint64_t newly_held = sack_ok_ ? scoreboard_.add(segment.sack, std::min(segment.ack, data_end()), snd_max_) : 0;
  bool progress = false;
  if (segment.ack > snd_una() || (fin_sent_ && !fin_acked_ && segment.ack == data_end() + 1)) {
    on_cumulative_ack(segment.ack, options, now, fx);
    progress = true;
  } else if (newly_held > 0 || (segment.payload.empty() && !segment.has(kFin) && in_flight > 0 &&
                                segment.ack + segment.window == peer_edge_)) {
    // A duplicate ack (or, with SACK, one that says more is held): the oldest segment was
    // most likely lost once dupthresh of them came, or the peer holds enough above it.
    // Once per window of data, so duplicated segments cannot halve the window again and again.
    ++dup_acks_;
    if (is_recovering()) {
      if (sack_ok_) sack_recover(options, now, fx);
    } else if (dup_acks_ >= loss_threshold(options) || (sack_ok_ && is_lost(snd_una(), options))) {
      enter_fast_recovery(in_flight, options, now, fx);
    } else if (options.limited_transmit && dup_acks_ <= 2) {
      send_limited_transmit(options, now, fx);
    }
  }
  peer_edge_ = segment.ack + segment.window;
  if (!has_outstanding() && !is_window_closed()) {
    rto_deadline_.reset();
  } else if (progress) {
    restart_rto(now);
  }
}

void Connection::on_cumulative_ack(uint64_t ack, const TransportOptions& options, Instant now, ConnEffects& fx) {
  const uint64_t acked_to = std::min(ack, data_end());
  const uint64_t newly = acked_to - snd_una();
  send_buffer_.consume(static_cast<size_t>(newly));
  scoreboard_.trim(snd_una());
  if (fin_sent_ && ack == data_end() + 1) fin_acked_ = true;
  if (rtt_sample_ && ack >= rtt_sample_->end) {
    update_rtt(now - rtt_sample_->sent_at, options);
    rtt_sample_.reset();
  }
  // Progress ends any timeout backoff (as Linux does), even without a fresh sample.
  rto_ = computed_rto(options);
  undo_if_spurious(ack, options, now);
  const uint64_t mss = options.mss_bytes;
  const bool grows = !is_recovering() || (sack_ok_ && is_after_timeout());
  if (grows && cwnd_ < ssthresh_) {
    // Reno: exponential growth below ssthresh (also while SACK repairs after a timeout),
    // about one segment per round trip above.
    cwnd_ += std::min(newly, mss);
  } else if (grows) {
    cwnd_ += std::max<uint64_t>(1, mss * mss / cwnd_);
  }
  if (is_recovering()) {
    // A partial ack: the next hole is lost too; repair it now.
    if (sack_ok_) {
      sack_recover(options, now, fx);
    } else {
      retransmit_oldest(options, fx);
    }
  }
  dup_acks_ = 0;
  if (snd_nxt_ < snd_una()) snd_nxt_ = snd_una();
  notify_if_writable(options, fx);
}

void Connection::enter_fast_recovery(uint64_t in_flight, const TransportOptions& options, Instant now,
                                     ConnEffects& fx) {
  undo_cwnd_ = cwnd_;
  undo_ssthresh_ = ssthresh_;
  fast_retransmit_at_ = now;
  fast_retransmit_seq_ = snd_una();
  ssthresh_ = std::max<uint64_t>(in_flight / 2, 2 * uint64_t{options.mss_bytes});
  cwnd_ = ssthresh_;
  recover_ = snd_max_;
  ++fast_recoveries_;
  ++fx.fast_recoveries;
  undo_retransmissions_ = 0;
  dsack_undo_armed_ = sack_ok_;
  // The first hole goes again at once whatever the scoreboard says (RFC 6675, 5 (4.3)).
  retransmit_oldest(options, fx);
  if (sack_ok_) sack_recover(options, now, fx);
}

// An ack past the fast-retransmitted segment that arrives sooner than any round trip could
// take was sent for the original segment: it was reordered, not lost.
void Connection::undo_if_spurious(uint64_t ack, const TransportOptions& options, Instant now) {
  if (!fast_retransmit_at_ || ack <= fast_retransmit_seq_) return;
  const bool spurious = has_rtt_ && now - *fast_retransmit_at_ < min_rtt_;
  fast_retransmit_at_.reset();
  if (spurious) undo_recovery(options);
}

// The window the recovery took is given back, and reordering raises the threshold.
void Connection::undo_recovery(const TransportOptions& options) {
  dsack_undo_armed_ = false;
  cwnd_ = std::max(cwnd_, undo_cwnd_);
  ssthresh_ = std::max(ssthresh_, undo_ssthresh_);
  recover_ = std::min(recover_, snd_una());
  const uint32_t window_segments = options.send_buffer_bytes / options.mss_bytes;
  dupthresh_ = std::min(dupthresh_ * 2, std::max(kStandardDupthresh, window_segments));
}

// A D-SACK block (RFC 2883: the first block, below the cumulative ack or inside the second
// block) reports a duplicate the peer received. Once every retransmission of the last fast
// recovery came back that way, none was needed (RFC 3708): undo it.
void Connection::on_dsack(const std::vector<SackBlock>& blocks, uint64_t ack, const TransportOptions& options) {
  if (blocks.empty() || !dsack_undo_armed_) return;
  const SackBlock& first = blocks.front();
  const bool below_ack = first.end <= ack;
  const bool inside_second = blocks.size() > 1 && first.start >= blocks[1].start && first.end <= blocks[1].end;
  if (!(below_ack || inside_second) || first.start >= first.end) return;
  if (first.start < fast_retransmit_seq_ || first.end > high_rxt_) return;  // not one of ours
  if (undo_retransmissions_ > 0 && --undo_retransmissions_ == 0) undo_recovery(options);
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
  send_data(snd_max_, static_cast<size_t>(length), options, fx);
  snd_max_ += length;
  snd_nxt_ = snd_max_;
  if (!rtt_sample_) rtt_sample_ = RttSample{snd_max_, now};
  if (!rto_deadline_) rto_deadline_ = now + rto_;
}

// --- SACK-based recovery (RFC 6675) ----------------------------------------------------------------

// The duplicate acks (or segments held above a hole) that mean loss. Without SACK,
// dupthresh. With it, dupthresh capped at one fewer than the segments in flight, so a small
// window is repaired without a timeout: under 4 segments in flight with nothing new to send
// (early retransmit, RFC 5827), and whatever the window once reordering raised dupthresh.
uint32_t Connection::loss_threshold(const TransportOptions& options) const {
  if (!sack_ok_) return dupthresh_;
  const uint64_t mss = options.mss_bytes;
  const uint64_t in_flight_segments = (snd_max_ - snd_una() + mss - 1) / mss;
  const bool early_retransmit = in_flight_segments < 4 && snd_max_ >= data_end();
  if (!early_retransmit && dupthresh_ <= kStandardDupthresh) return dupthresh_;
  const uint64_t one_fewer = in_flight_segments > 1 ? in_flight_segments - 1 : 1;
  return static_cast<uint32_t>(std::min<uint64_t>(dupthresh_, one_fewer));
}

// Lost: after a timeout, every hole it found; otherwise more than (threshold - 1)
// segments' worth of bytes above it are held by the peer. `held_above` is what the
// scoreboard holds at or above `seq`, which a walk over the holes has at hand.
bool Connection::is_lost(uint64_t seq, uint64_t held_above, const TransportOptions& options) const {
  return seq < lost_below_ || held_above > uint64_t{loss_threshold(options) - 1} * options.mss_bytes;
}

bool Connection::is_lost(uint64_t seq, const TransportOptions& options) const {
  return is_lost(seq, scoreboard_.held_above(seq), options);
}

// RFC 6675's pipe: bytes still in the network. A hole not lost counts as in flight; any part
// of a hole retransmitted in this recovery counts (again).
uint64_t Connection::pipe(const TransportOptions& options) const {
  uint64_t in_network = 0;
  scoreboard_.for_each_hole(snd_una(), snd_max_, [&](uint64_t start, uint64_t end, uint64_t held_above) {
    if (!is_lost(start, held_above, options)) in_network += end - start;
    if (high_rxt_ > start) in_network += std::min(end, high_rxt_) - start;
    return true;
  });
  return in_network;
}

// RFC 6675's NextSeg: the first lost hole not yet retransmitted; else new data; else the
// first hole not yet retransmitted below the highest byte the peer holds.
std::optional<SackBlock> Connection::next_segment(const TransportOptions& options) const {
  // Only the first hole not yet retransmitted matters: holes above it are less likely lost.
  std::optional<SackBlock> hole;
  bool hole_lost = false;
  scoreboard_.for_each_hole(std::max(high_rxt_, snd_una()), snd_max_,
                            [&](uint64_t start, uint64_t end, uint64_t held_above) {
                              hole = SackBlock{start, std::min({end, start + options.mss_bytes, data_end()})};
                              hole_lost = is_lost(start, held_above, options);
                              return false;
                            });
  const bool has_hole = hole && hole->end > hole->start;
  if (has_hole && hole_lost) return hole;
  if (const uint64_t fresh = new_data_room(options); fresh > 0) return SackBlock{snd_max_, snd_max_ + fresh};
  if (has_hole && hole->start < scoreboard_.highest_held()) return hole;
  return std::nullopt;
}

// Sends while the congestion window has room for a segment beyond the pipe.
void Connection::sack_recover(const TransportOptions& options, Instant now, ConnEffects& fx) {
  SIM_ASSERT(sack_ok_);
  uint64_t in_network = pipe(options);
  while (cwnd_ >= in_network + options.mss_bytes) {
    const std::optional<SackBlock> next = next_segment(options);
    if (!next) return;
    const uint64_t length = next->end - next->start;
    if (next->start == snd_max_) {
      send_new_data(length, options, now, fx);
    } else {
      resend(next->start, next->end, options, fx);
    }
    in_network += length;
  }
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

void Connection::retransmit_oldest(const TransportOptions& options, ConnEffects& fx) {
  const uint64_t length = std::min<uint64_t>(options.mss_bytes, snd_max_ - snd_una());
  if (length == 0) return;
  resend(snd_una(), std::min(snd_una() + length, data_end()), options, fx);
}

// Sends [start, end) again, and keeps count: the highest byte resent, the resends a
// D-SACK may prove spurious (not a timeout's), and Karn's rule (no sample across it).
void Connection::resend(uint64_t start, uint64_t end, const TransportOptions& options, ConnEffects& fx) {
  send_data(start, static_cast<size_t>(end - start), options, fx);
  high_rxt_ = std::max(high_rxt_, end);
  if (!is_after_timeout()) ++undo_retransmissions_;
  ++retransmissions_;
  ++fx.retransmitted;
  rtt_sample_.reset();
}

// --- The retransmission timeout --------------------------------------------------------------------

void Connection::on_retransmit_timer(const TransportOptions& options, Instant now, ConnEffects& fx) {
  rto_ = std::min(rto_ * 2, options.rto_max);
  rto_deadline_ = now + rto_;
  rtt_sample_.reset();
  if (state_ == ConnState::kSynSent || state_ == ConnState::kSynReceived) {
    fx.segments.push_back(make_segment(handshake_flags(options), options));
    ++retransmissions_;
    ++fx.retransmitted;
    return;
  }
  if (has_outstanding()) {
    ++timeouts_;
    ++fx.timeouts;
    const uint64_t in_flight = snd_max_ - snd_una();
    ssthresh_ = std::max<uint64_t>(in_flight / 2, 2 * uint64_t{options.mss_bytes});
    cwnd_ = options.mss_bytes;
    dup_acks_ = 0;
    recover_ = snd_max_;
    fast_retransmit_at_.reset();
    if (fin_sent_ && !fin_acked_) fin_pending_ = true;
    if (sack_ok_) return timeout_with_sack(options, now, fx);
    ++retransmissions_;  // the go-back below, counted once
    ++fx.retransmitted;
    snd_nxt_ = snd_una();
    // pump() sends the oldest segment again (or the FIN) and keeps this deadline; if the
    // window is closed it sends nothing, and the window is probed instead.
    pump(options, now, fx);
    if (is_window_closed()) send_window_probe(options, fx);
    return;
  }
  if (is_window_closed()) {
    send_window_probe(options, fx);
    return;
  }
  rto_deadline_.reset();
}

// Every hole is lost now; what the peer holds is not sent again (RFC 6675, 5.1), unless it
// seems to have dropped what it said it held (reneging, RFC 2018 section 8: its cumulative
// ack stopped at the start of a held range), in which case the scoreboard is forgotten.
void Connection::timeout_with_sack(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (!scoreboard_.empty() && scoreboard_.ranges().begin()->first == snd_una()) scoreboard_.clear();
  lost_below_ = snd_max_;
  high_rxt_ = snd_una();
  dsack_undo_armed_ = false;  // a timeout's window is not given back
  if (snd_max_ > snd_una()) {
    retransmit_oldest(options, fx);
  } else {
    ++retransmissions_;  // nothing but the FIN is outstanding: pump() sends it again
    ++fx.retransmitted;
  }
  pump(options, now, fx);
  if (is_window_closed()) send_window_probe(options, fx);
}

}  // namespace net
