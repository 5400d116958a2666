// Loss recovery with selective acknowledgements: the scoreboard and the send log take
// each ack's blocks, RACK (RFC 8985) decides from transmit times what is lost, recovery
// resends it within the pipe as RFC 6675 describes, and a tail loss probe asks a silent
// peer for the acks that let RACK see a loss before the retransmission timeout would.
#include "net/connection.h"

#include "sim/assert.h"

#include <algorithm>

namespace net {

using sim::Duration;
using sim::Instant;

namespace {

// Linux's floor under the probe timeout (TCP_TIMEOUT_MIN): a probe sooner than this would
// mostly race the acks already on their way.
constexpr Duration kMinProbeTimeout = Duration::milliseconds(10);

}  // namespace

// --- Acknowledgements in -------------------------------------------------------------------------

// Adds the ack's blocks to the scoreboard and forgets the runs they cover, each delivered
// run telling RACK of a round trip. Returns the bytes newly held.
//
// The log never holds a byte the scoreboard holds (tests assert it): what the scoreboard
// takes leaves the log at once, and only what the log holds is ever sent again. So the
// blocks the scoreboard took are exactly what the log must forget.
uint64_t Connection::take_sack_blocks(const Segment& segment, Instant now) {
  const uint64_t held_before = scoreboard_.held();
  const SackList taken = scoreboard_.add(segment.sack, std::min(segment.ack, data_end()), snd_max_);
  const uint64_t newly_held = scoreboard_.held() - held_before;
  if (newly_held > 0) {
    const std::optional<uint64_t> echoed = echoed_time(segment);
    send_log_.forget_held(taken, [&](const SentRun& run) { rack_.on_delivered(run, now, min_rtt_, echoed); });
  }
  return newly_held;
}

// What every ack does once the cumulative ack and the blocks are taken in.
void Connection::on_sack_ack(const Segment& segment, bool dsack, bool progress, uint64_t newly_held, uint64_t in_flight,
                             const TransportOptions& options, Instant now, ConnEffects& fx) {
  on_probe_answer(segment.ack, dsack, progress || newly_held > 0, in_flight, options);
  rack_.on_ack(dsack, snd_una(), snd_max_);
  detect_losses(options, now, fx);
  send_log_.check(snd_una(), snd_max_);
  arm_tail_probe(now);
}

// --- RACK --------------------------------------------------------------------------------------------

Duration Connection::reorder_window(const TransportOptions& options) const {
  const uint64_t held_segments = rack_.reordering_seen() ? 0 : scoreboard_.held() / options.mss_bytes;
  return rack_.window(is_recovering(), held_segments, min_rtt_, srtt_);
}

// Marks what RACK deems lost and repairs it: a first loss starts a fast recovery, and in
// one every ack may let more out. Runs not yet due are looked at again by the reorder timer.
void Connection::detect_losses(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (state_ != ConnState::kEstablished) return;
  const Rack::Detection found = rack_.detect_loss(send_log_, now, reorder_window(options));
  reorder_deadline_.reset();
  if (found.wait) reorder_deadline_ = now + *found.wait;
  if (found.marked && !is_recovering()) {
    enter_fast_recovery(snd_max_ - snd_una(), options, now, fx);
  } else if (is_recovering()) {
    sack_recover(options, now, fx);
  }
}

// --- Recovery (RFC 6675 with RACK's marks) ----------------------------------------------------------

// RFC 6675's NextSeg, with loss as RACK marks it: the first lost run; else new data.
std::optional<SackBlock> Connection::next_segment(const TransportOptions& options) const {
  if (std::optional<SackBlock> lost = send_log_.first_lost(options.mss_bytes)) return lost;
  if (const uint64_t fresh = new_data_room(options); fresh > 0) return SackBlock{snd_max_, snd_max_ + fresh};
  return std::nullopt;
}

// Sends while the congestion window has room for a segment beyond the pipe (the bytes
// sent and neither delivered nor lost).
void Connection::sack_recover(const TransportOptions& options, Instant now, ConnEffects& fx) {
  SIM_ASSERT(sack_ok_);
  uint64_t in_network = send_log_.bytes_in_flight();
  while (cwnd_ >= in_network + options.mss_bytes) {
    const std::optional<SackBlock> next = next_segment(options);
    if (!next) return;
    const uint64_t length = next->end - next->start;
    if (next->start == snd_max_) {
      send_new_data(length, options, now, fx);
    } else {
      resend(next->start, next->end, options, now, fx);
    }
    in_network += length;
  }
}

// The first lost run goes again at once, whatever the window (RFC 6675, 5 (4.3)).
void Connection::resend_first_lost(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (const std::optional<SackBlock> lost = send_log_.first_lost(options.mss_bytes)) {
    fast_retransmit_seq_ = lost->start;
    resend(lost->start, lost->end, options, now, fx);
  }
}

// RFC 8985 6.3: the oldest run, and every run older than a round trip and the window, is
// lost; what the peer holds is not sent again (RFC 6675, 5.1), unless it seems to have
// dropped what it said it held (reneging, RFC 2018 section 8: its cumulative ack stopped
// at the start of a held range), in which case the scoreboard is forgotten and everything
// outstanding is lost.
void Connection::timeout_with_sack(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (!scoreboard_.empty() && scoreboard_.ranges().front().start == snd_una()) {
    scoreboard_.clear();
    send_log_.clear();
    if (snd_max_ > snd_una()) send_log_.record(snd_una(), snd_max_, now, /*retransmission=*/true);
    send_log_.mark_all_lost();
  } else {
    rack_.mark_lost_on_timeout(send_log_, now, reorder_window(options));
  }
  high_rxt_ = snd_una();
  dsack_undo_armed_ = false;  // a timeout's window is not given back
  if (snd_max_ > snd_una()) {
    resend_first_lost(options, now, fx);
  } else {
    count(&RepairCounts::retransmissions, fx);  // only the FIN is outstanding: pump() resends it
  }
  pump(options, now, fx);
  if (is_window_closed()) send_window_probe(options, now, fx);
}

// --- Tail loss probe (RFC 8985 7) -------------------------------------------------------------------

// After new data or an ack: a probe two round trips after the last of them, if that is
// sooner than the retransmission timeout. The receiver acknowledges every segment at
// once, so no delayed-ack allowance is added for a single segment in flight.
void Connection::arm_tail_probe(Instant now) {
  probe_deadline_.reset();
  if (!sack_ok_ || !has_rtt_ || state_ != ConnState::kEstablished || is_recovering() || probe_high_seq_) return;
  if (snd_max_ == snd_una() || !rto_deadline_ || is_window_closed()) return;
  const Instant at = now + std::max(srtt_ * 2, kMinProbeTimeout);
  if (at < *rto_deadline_) probe_deadline_ = at;
}

// New data if the peer's window takes it (beyond the congestion window: one segment),
// else the last run again; then the retransmission timer restarts.
void Connection::send_tail_probe(const TransportOptions& options, Instant now, ConnEffects& fx) {
  probe_deadline_.reset();
  if (is_recovering() || snd_max_ == snd_una()) return;
  if (const uint64_t fresh = new_data_room(options); fresh > 0) {
    probe_retransmitted_ = false;
    send_new_data(fresh, options, now, fx);
  } else if (const std::optional<SackBlock> last = send_log_.last_bytes(options.mss_bytes)) {
    probe_retransmitted_ = true;
    resend(last->start, last->end, options, now, fx);
  } else {
    return;  // the peer holds all of it: only a reneging peer leaves that, and the timeout handles it
  }
  probe_high_seq_ = snd_max_;
  count(&RepairCounts::tail_probes, fx);
  restart_rto(now);
}

// Whether a retransmitted probe repaired a loss (RFC 8985 7.4, as Linux's
// tcp_process_tlp_ack does it): a D-SACK or a bare duplicate says both copies arrived;
// an ack beyond the probe without either says the original was lost, and the window is
// reduced as for one loss. A probe of new data needs no answer: RACK sees its losses.
void Connection::on_probe_answer(uint64_t ack, bool dsack, bool news, uint64_t in_flight,
                                 const TransportOptions& options) {
  if (!probe_high_seq_ || ack < *probe_high_seq_) return;
  if (!probe_retransmitted_ || dsack) {
    probe_high_seq_.reset();
  } else if (ack > *probe_high_seq_) {
    ssthresh_ = halved_threshold(in_flight, options);
    cwnd_ = std::min(cwnd_, ssthresh_);
    probe_high_seq_.reset();
  } else if (!news) {
    probe_high_seq_.reset();
  }
}

}  // namespace net
