// The TCP-like connection: handshake, reliable ordered delivery, flow and congestion
// control, retransmission, half-close, reset and the connection's timers.
#include "net/connection.h"

#include "sim/assert.h"
#include "sim/buffer_pool.h"
#include "sim/enum_names.h"

#include <algorithm>

namespace net {
namespace {

using sim::Duration;
using sim::Instant;

std::optional<Instant> earliest(std::optional<Instant> a, std::optional<Instant> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace

constexpr std::array<sim::EnumName<ConnState>, 5> kConnStateNames = {{
    {ConnState::kSynSent, "syn_sent"},
    {ConnState::kSynReceived, "syn_received"},
    {ConnState::kEstablished, "established"},
    {ConnState::kClosed, "closed"},
    {ConnState::kFailed, "failed"},
}};

constexpr std::array<sim::EnumName<FailReason>, 4> kFailReasonNames = {{
    {FailReason::kNone, "none"},
    {FailReason::kRefused, "refused"},
    {FailReason::kTimedOut, "timed_out"},
    {FailReason::kReset, "reset"},
}};

constexpr std::array<sim::EnumName<NoticeKind>, 7> kNoticeNames = {{
    {NoticeKind::kConnected, "connected"},
    {NoticeKind::kEstablished, "established"},
    {NoticeKind::kReadable, "readable"},
    {NoticeKind::kWritable, "writable"},
    {NoticeKind::kPeerClosed, "peer_closed"},
    {NoticeKind::kFailed, "failed"},
    {NoticeKind::kClosed, "closed"},
}};

std::string_view enum_name(ConnState state) { return sim::name_in(kConnStateNames, state); }
std::string_view enum_name(FailReason reason) { return sim::name_in(kFailReasonNames, reason); }
std::string_view enum_name(NoticeKind kind) { return sim::name_in(kNoticeNames, kind); }

// --- Opening -----------------------------------------------------------------------------------

// What both ends set when they send their first handshake segment.
void Connection::begin_handshake(const TransportOptions& options, Instant now) {
  cwnd_ = uint64_t{options.initial_cwnd_segments} * options.mss_bytes;
  ssthresh_ = UINT64_MAX / 2;
  rto_ = options.rto_initial;
  last_heard_ = now;
  connect_deadline_ = now + options.connect_timeout;
  rto_deadline_ = now + rto_;
}

Connection Connection::open_active(ConnId id, uint16_t local_port, NodeAddress remote, uint16_t remote_port,
                                   uint64_t local_nonce, const TransportOptions& options, Instant now,
                                   ConnEffects& fx) {
  SIM_ASSERT_NE(local_nonce, 0u);
  Connection c;
  c.id_ = id;
  c.state_ = ConnState::kSynSent;
  c.local_port_ = local_port;
  c.remote_ = remote;
  c.remote_port_ = remote_port;
  c.local_nonce_ = local_nonce;
  c.begin_handshake(options, now);
  fx.segments.push_back(c.make_segment(c.handshake_flags(options), options, now));
  return c;
}

Connection Connection::open_passive(ConnId id, uint16_t local_port, NodeAddress remote, const Segment& syn,
                                    uint64_t local_nonce, const TransportOptions& options, Instant now,
                                    ConnEffects& fx) {
  SIM_ASSERT(syn.has(kSyn));
  SIM_ASSERT_NE(local_nonce, 0u);
  Connection c;
  c.id_ = id;
  c.state_ = ConnState::kSynReceived;
  c.passive_ = true;
  c.local_port_ = local_port;
  c.remote_ = remote;
  c.remote_port_ = syn.src_port;
  c.local_nonce_ = local_nonce;
  c.remote_nonce_ = syn.src_nonce;
  c.peer_edge_ = syn.window;
  c.sack_ok_ = options.sack && syn.has(kSackPermitted);
  c.ts_ok_ = options.timestamps && syn.has(kTimestamps);
  c.ts_recent_ = syn.ts_val;
  c.begin_handshake(options, now);
  fx.segments.push_back(c.make_segment(c.handshake_flags(options), options, now));
  return c;
}

// --- Segments out --------------------------------------------------------------------------------

// A SYN offers selective acknowledgements and timestamps when this end takes them; a
// SYN-ACK accepts each offer the SYN made.
uint8_t Connection::handshake_flags(const TransportOptions& options) const {
  if (state_ == ConnState::kSynSent) {
    return kSyn | (options.sack ? kSackPermitted : 0) | (options.timestamps ? kTimestamps : 0);
  }
  SIM_ASSERT(state_ == ConnState::kSynReceived);
  return kSyn | kAck | (sack_ok_ ? kSackPermitted : 0) | (ts_ok_ ? kTimestamps : 0);
}

uint64_t Connection::ack_number() const { return recv_buffer_.tail_offset() + (fin_received_ ? 1 : 0); }

uint32_t Connection::advertised_window(const TransportOptions& options) const {
  const size_t used = recv_buffer_.size();
  return used >= options.recv_buffer_bytes ? 0 : static_cast<uint32_t>(options.recv_buffer_bytes - used);
}

// Every segment advertises the current receive window (a SYN with a zero window would
// leave the peer probing instead of sending).
Segment Connection::make_segment(uint8_t flags, const TransportOptions& options, Instant now) {
  Segment s;
  s.src_port = local_port_;
  s.dst_port = remote_port_;
  s.src_nonce = local_nonce_;
  s.dst_nonce = remote_nonce_;
  s.flags = flags | (ts_ok_ ? kTimestamps : 0);
  s.seq = snd_nxt_;
  s.ack = ack_number();
  last_ack_sent_ = s.ack;
  if (s.has(kTimestamps)) {
    s.ts_val = static_cast<uint64_t>(now.ns());
    s.ts_ecr = ts_recent_;
  }
  s.window = advertised_window(options);
  window_advertised_ = s.window;
  if (sack_ok_ && (dsack_ || !out_of_order_.empty())) {
    s.sack = out_of_order_.sack_blocks();
    // A duplicate that arrived goes first, as a D-SACK block (RFC 2883), once.
    if (dsack_) {
      s.sack.push_front_dropping_last(*dsack_);
      dsack_.reset();
    }
  }
  return s;
}

void Connection::send_ack(const TransportOptions& options, Instant now, ConnEffects& fx) {
  fx.segments.push_back(make_segment(kAck, options, now));
}

void Connection::send_data(uint64_t seq, size_t length, const TransportOptions& options, Instant now, ConnEffects& fx) {
  SIM_ASSERT_GE(seq, snd_una());
  SIM_ASSERT_LE(seq + length, data_end());
  // Bytes below the highest ever sent go again: a retransmission, for RACK's timing.
  if (sack_ok_) send_log_.record(seq, seq + length, now, seq < snd_max_);
  Segment s = make_segment(kAck, options, now);
  s.seq = seq;
  s.payload = sim::buffer_pool::take(length);
  send_buffer_.append_to(static_cast<size_t>(seq - snd_una()), length, s.payload);
  SIM_ASSERT_EQ(s.payload.size(), length);
  fx.segments.push_back(std::move(s));
}

bool Connection::has_outstanding() const { return snd_max_ > snd_una() || (fin_sent_ && !fin_acked_); }

size_t Connection::send_buffer_free(const TransportOptions& options) const {
  const size_t used = send_buffer_.size();
  const size_t free = used >= options.send_buffer_bytes ? 0 : options.send_buffer_bytes - used;
  if (options.notsent_lowat_bytes == 0) return free;
  const uint64_t unsent = data_end() - std::min(snd_max_, data_end());
  return unsent >= options.notsent_lowat_bytes ? 0 : std::min<size_t>(free, options.notsent_lowat_bytes - unsent);
}

void Connection::notify_if_writable(const TransportOptions& options, ConnEffects& fx) {
  if (writer_blocked_ && send_buffer_free(options) > 0) {
    writer_blocked_ = false;
    fx.notices.push_back(NoticeKind::kWritable);
  }
}

// Sends what the windows allow: new data, then the FIN; probes a zero window.
void Connection::pump(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (state_ != ConnState::kEstablished) return;
  bool sent = false;
  while (snd_nxt_ < data_end()) {
    const uint64_t in_flight = snd_nxt_ - snd_una();
    const uint64_t window_room = peer_edge_ > snd_nxt_ ? peer_edge_ - snd_nxt_ : 0;
    const uint64_t cwnd_room = cwnd_ > in_flight ? cwnd_ - in_flight : 0;
    const uint64_t length = std::min({uint64_t{options.mss_bytes}, data_end() - snd_nxt_, window_room, cwnd_room});
    if (length == 0) break;
    const bool is_new = snd_nxt_ == snd_max_;
    send_data(snd_nxt_, static_cast<size_t>(length), options, now, fx);
    sent = true;
    snd_nxt_ += length;
    snd_max_ = std::max(snd_max_, snd_nxt_);
    // Karn: time only data sent for the first time.
    if (is_new && !rtt_sample_) rtt_sample_ = RttSample{snd_nxt_, now};
    if (!rto_deadline_) rto_deadline_ = now + rto_;
  }
  if (sent) arm_tail_probe(now);  // the probe waits two round trips after the last of it
  if (fin_pending_ && snd_nxt_ == data_end()) {
    Segment s = make_segment(kFin | kAck, options, now);
    s.seq = data_end();
    fx.segments.push_back(std::move(s));
    fin_pending_ = false;
    fin_sent_ = true;
    if (!rto_deadline_) rto_deadline_ = now + rto_;
  }
  // A closed window: the probe timer keeps asking, since the window update that would
  // reopen it may be lost.
  if (is_window_closed()) {
    if (!rto_deadline_) rto_deadline_ = now + rto_;
    probe_deadline_.reset();  // the window probe asks instead of a tail loss probe
  }
  // With a low-water mark, sending makes room as acknowledging does.
  if (options.notsent_lowat_bytes > 0) notify_if_writable(options, fx);
}

// --- Segments in ---------------------------------------------------------------------------------

void Connection::on_segment(const Segment& segment, const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (state_ == ConnState::kClosed) return on_time_wait_segment(segment, options, now, fx);
  if (state_ == ConnState::kFailed) return;
  if (segment.has(kRst)) {
    fail(state_ == ConnState::kSynSent ? FailReason::kRefused : FailReason::kReset, /*send_reset=*/false, fx);
    return;
  }
  last_heard_ = now;
  keepalive_probes_ = 0;
  take_timestamp(segment);
  if (state_ == ConnState::kSynSent || state_ == ConnState::kSynReceived || segment.has(kSyn)) {
    on_handshake_segment(segment, options, now, fx);
    if (state_ != ConnState::kEstablished || segment.has(kSyn)) return;
  }
  if (segment.has(kAck)) on_ack(segment, options, now, fx);
  if (state_ != ConnState::kEstablished) return;
  on_data(segment, options, now, fx);
  pump(options, now, fx);
  check_closed(options, now, fx);
}

void Connection::on_handshake_segment(const Segment& segment, const TransportOptions& options, Instant now,
                                      ConnEffects& fx) {
  switch (state_) {
    case ConnState::kSynSent:
      if (segment.has(kSyn) && segment.has(kAck)) {
        remote_nonce_ = segment.src_nonce;
        sack_ok_ = options.sack && segment.has(kSackPermitted);
        ts_ok_ = options.timestamps && segment.has(kTimestamps);
        ts_recent_ = segment.ts_val;
        peer_edge_ = segment.window;
        become_established(options, now, fx);
        fx.notices.push_back(NoticeKind::kConnected);
        send_ack(options, now, fx);
        pump(options, now, fx);
      }
      return;
    case ConnState::kSynReceived:
      if (segment.has(kSyn)) {
        // Our SYN-ACK was lost: answer the repeated SYN again.
        fx.segments.push_back(make_segment(handshake_flags(options), options, now));
        return;
      }
      if (segment.has(kAck)) {
        become_established(options, now, fx);
        fx.notices.push_back(NoticeKind::kEstablished);
      }
      return;
    case ConnState::kEstablished:
      // A repeated SYN-ACK means our final ACK was lost.
      if (segment.has(kSyn)) send_ack(options, now, fx);
      return;
    case ConnState::kClosed:
    case ConnState::kFailed:
      return;
  }
}

// RFC 7323's TS.Recent: the timestamp of the segment that reached the left edge of what we
// acknowledge, so an ack echoes the send time of the segment that moved it (never of one
// that arrived out of order). Sequence numbers never wrap here, so no PAWS check.
void Connection::take_timestamp(const Segment& segment) {
  if (!ts_ok_ || !segment.has(kTimestamps) || segment.seq > last_ack_sent_) return;
  ts_recent_ = std::max(ts_recent_, segment.ts_val);
}

void Connection::become_established(const TransportOptions& options, Instant now, ConnEffects&) {
  state_ = ConnState::kEstablished;
  was_established_ = true;
  connect_deadline_.reset();
  rto_deadline_.reset();
  rto_ = options.rto_initial;
  window_advertised_ = advertised_window(options);
  last_heard_ = now;
}

void Connection::on_data(const Segment& segment, const TransportOptions& options, Instant now, ConnEffects& fx) {
  const uint64_t rcv_nxt = recv_buffer_.tail_offset();
  const uint64_t length = segment.payload.size();
  const bool carries_something = length > 0 || segment.has(kFin);
  const uint64_t before = recv_buffer_.size();
  if (segment.has(kFin)) peer_fin_seq_ = segment.seq + length;
  const bool duplicate = length > 0 && (segment.seq + length <= rcv_nxt || out_of_order_.contains(segment.seq));
  if (duplicate) dsack_ = SackBlock{segment.seq, segment.seq + length};
  if (length > 0 && segment.seq + length > rcv_nxt) {
    const uint64_t skip = segment.seq < rcv_nxt ? rcv_nxt - segment.seq : 0;
    const uint64_t start = segment.seq + skip;
    const uint64_t window_end = rcv_nxt + advertised_window(options);
    if (start == rcv_nxt) {
      accept_in_order(segment.payload.data() + skip, static_cast<size_t>(length - skip), options);
      pull_out_of_order(options);
    } else if (start < window_end) {
      if (!out_of_order_.contains(start)) {
        const uint64_t keep = std::min(length - skip, window_end - start);
        sim::Bytes kept = sim::buffer_pool::take(keep);
        kept.insert(kept.end(), segment.payload.begin() + static_cast<std::ptrdiff_t>(skip),
                    segment.payload.begin() + static_cast<std::ptrdiff_t>(skip + keep));
        out_of_order_.insert(start, std::move(kept));
      }
      out_of_order_.arrived(start);
    }
  }
  if (peer_fin_seq_ && !fin_received_ && recv_buffer_.tail_offset() == *peer_fin_seq_) {
    fin_received_ = true;
    out_of_order_.clear();
    fx.notices.push_back(NoticeKind::kPeerClosed);
  }
  if (orphaned_ && recv_buffer_.size() > before) {
    fail(FailReason::kReset, /*send_reset=*/true, fx);
    return;
  }
  if (app_closed_) {
    recv_buffer_.consume(recv_buffer_.size());  // nobody will read it
  } else if (recv_buffer_.size() > before) {
    fx.notices.push_back(NoticeKind::kReadable);
  }
  // Every segment with data or FIN is acknowledged at once (duplicates too, so the peer
  // learns where we are), and so is a keepalive probe.
  if (carries_something || segment.has(kProbe)) send_ack(options, now, fx);
}

void Connection::accept_in_order(const uint8_t* data, size_t length, const TransportOptions& options) {
  const size_t room = advertised_window(options);
  recv_buffer_.append(data, std::min(length, room));
}

void Connection::pull_out_of_order(const TransportOptions& options) {
  while (auto taken = out_of_order_.take_first_at_or_below(recv_buffer_.tail_offset())) {
    auto& [start, data] = *taken;
    const uint64_t rcv_nxt = recv_buffer_.tail_offset();
    if (start + data.size() > rcv_nxt) {
      const size_t skip = static_cast<size_t>(rcv_nxt - start);
      accept_in_order(data.data() + skip, data.size() - skip, options);
    }
    // A kept segment lay within the window, which only grows: all of it fits.
    SIM_ASSERT_GE(recv_buffer_.tail_offset(), start + data.size());
    sim::buffer_pool::give(std::move(data));
  }
  out_of_order_.received_up_to(recv_buffer_.tail_offset());
}

// --- Timers ----------------------------------------------------------------------------------------

// Data is unacknowledged, or waits for the peer's window.
bool Connection::is_waiting_for_peer() const { return has_outstanding() || snd_nxt_ < data_end(); }

// Data waits, nothing is in flight, and the peer's window admits nothing.
bool Connection::is_window_closed() const {
  return snd_nxt_ < data_end() && snd_nxt_ == snd_una() && peer_edge_ <= snd_nxt_;
}

// Closed by its owner with everything of ours acknowledged, still waiting for the peer's
// FIN: give up if the peer stays silent (a busy peer that is still acknowledging or
// sending keeps the connection alive; a dead one with data outstanding is the user
// timeout's).
std::optional<Instant> Connection::linger_deadline(const TransportOptions& options) const {
  if (!app_closed_ || state_ != ConnState::kEstablished || fin_received_ || is_waiting_for_peer()) return std::nullopt;
  return last_heard_ + options.user_timeout * 2;
}

std::optional<Instant> Connection::deadline(const TransportOptions& options) const {
  if (state_ == ConnState::kClosed) return time_wait_until_;
  if (state_ == ConnState::kFailed) return std::nullopt;
  std::optional<Instant> next = earliest(rto_deadline_, connect_deadline_);
  next = earliest(next, earliest(reorder_deadline_, probe_deadline_));
  next = earliest(next, linger_deadline(options));
  if (state_ == ConnState::kEstablished && is_waiting_for_peer()) {
    next = earliest(next, silent_since() + options.user_timeout);
  }
  if (options.keepalive.enabled && state_ == ConnState::kEstablished && !is_waiting_for_peer()) {
    next = earliest(next, last_heard_ + options.keepalive.idle + options.keepalive.interval * keepalive_probes_);
  }
  return next;
}

void Connection::on_timer(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (state_ == ConnState::kClosed) {
    if (time_wait_until_ && now >= *time_wait_until_) time_wait_until_.reset();
    return;
  }
  if (state_ == ConnState::kFailed) return;
  if (connect_deadline_ && now >= *connect_deadline_) {
    fail(FailReason::kTimedOut, /*send_reset=*/false, fx);
    return;
  }
  if (const std::optional<Instant> linger = linger_deadline(options); linger && now >= *linger) {
    fail(FailReason::kTimedOut, /*send_reset=*/true, fx);
    return;
  }
  const bool waiting_for_peer = is_waiting_for_peer();
  if (waiting_for_peer && now - silent_since() >= options.user_timeout) {
    fail(FailReason::kTimedOut, /*send_reset=*/true, fx);
    return;
  }
  if (options.keepalive.enabled && state_ == ConnState::kEstablished && !waiting_for_peer) {
    const Instant probe_at = last_heard_ + options.keepalive.idle + options.keepalive.interval * keepalive_probes_;
    if (now >= probe_at) {
      if (keepalive_probes_ >= options.keepalive.probes) {
        fail(FailReason::kTimedOut, /*send_reset=*/true, fx);
        return;
      }
      ++keepalive_probes_;
      fx.segments.push_back(make_segment(kAck | kProbe, options, now));
    }
  }
  if (reorder_deadline_ && now >= *reorder_deadline_) {
    reorder_deadline_.reset();
    detect_losses(options, now, fx);
  }
  if (probe_deadline_ && now >= *probe_deadline_) send_tail_probe(options, now, fx);
  if (rto_deadline_ && now >= *rto_deadline_) on_retransmit_timer(options, now, fx);
}

// One byte past a closed window: the peer keeps it if it has room by now, and answers
// with its current window either way. snd_nxt stays, so a refused byte leaves no gap.
void Connection::send_window_probe(const TransportOptions& options, Instant now, ConnEffects& fx) {
  SIM_ASSERT(is_window_closed());
  send_data(snd_nxt_, 1, options, now, fx);
  snd_max_ = std::max(snd_max_, snd_nxt_ + 1);
}

// --- Owner operations --------------------------------------------------------------------------------

size_t Connection::write(const uint8_t* data, size_t size, const TransportOptions& options, Instant now,
                         ConnEffects& fx) {
  SIM_ASSERT_MSG(!fin_queued_, "write after shutdown on connection {}", id_);
  if (state_ == ConnState::kFailed || state_ == ConnState::kClosed) return 0;
  if (!is_waiting_for_peer()) waiting_since_ = now;
  const size_t take = std::min(size, send_buffer_free(options));
  send_buffer_.append(data, take);
  if (take < size) writer_blocked_ = true;
  pump(options, now, fx);
  return take;
}

size_t Connection::read(uint8_t* out, size_t size, const TransportOptions& options, Instant now, ConnEffects& fx) {
  (void)now;
  const size_t got = recv_buffer_.copy_out(0, out, size);
  recv_buffer_.consume(got);
  // Tell the peer when reading reopened a window it may be waiting on.
  const uint32_t window = advertised_window(options);
  const bool reopened = window_advertised_ < options.mss_bytes && window >= options.mss_bytes;
  const bool grew_a_lot = window >= window_advertised_ + options.recv_buffer_bytes / 2;
  if (state_ == ConnState::kEstablished && got > 0 && (reopened || grew_a_lot)) send_ack(options, now, fx);
  return got;
}

void Connection::shutdown(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (fin_queued_) return;
  if (!is_waiting_for_peer()) waiting_since_ = now;
  fin_queued_ = true;
  fin_pending_ = true;
  pump(options, now, fx);
  check_closed(options, now, fx);
}

void Connection::close(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (app_closed_) return;
  app_closed_ = true;
  recv_buffer_.consume(recv_buffer_.size());
  out_of_order_.clear();
  if (state_ == ConnState::kSynSent || state_ == ConnState::kSynReceived) {
    fail(FailReason::kReset, /*send_reset=*/state_ == ConnState::kSynReceived, fx);
    return;
  }
  if (state_ != ConnState::kEstablished) return;
  shutdown(options, now, fx);
}

void Connection::orphan(const TransportOptions& options, Instant now, ConnEffects& fx) {
  orphaned_ = true;
  close(options, now, fx);
}

void Connection::release() {
  SIM_ASSERT_MSG(state_ == ConnState::kFailed || state_ == ConnState::kClosed,
                 "releasing connection {} that is still {}", id_, enum_name(state_));
  app_closed_ = true;
  recv_buffer_.consume(recv_buffer_.size());
  out_of_order_.clear();
}

void Connection::abort(ConnEffects& fx) {
  if (state_ == ConnState::kFailed || state_ == ConnState::kClosed) return;
  fail(FailReason::kReset, /*send_reset=*/true, fx);
}

std::optional<Segment> Connection::reset_segment() const {
  if (state_ == ConnState::kFailed || state_ == ConnState::kClosed || remote_nonce_ == 0) return std::nullopt;
  Segment s;
  s.src_port = local_port_;
  s.dst_port = remote_port_;
  s.src_nonce = local_nonce_;
  s.dst_nonce = remote_nonce_;
  s.flags = kRst;
  s.seq = snd_nxt_;
  return s;
}

void Connection::fail(FailReason reason, bool send_reset, ConnEffects& fx) {
  SIM_ASSERT(reason != FailReason::kNone);
  if (std::optional<Segment> rst = reset_segment(); send_reset && rst) fx.segments.push_back(std::move(*rst));
  state_ = ConnState::kFailed;
  failure_ = reason;
  stop_loss_timers();
  connect_deadline_.reset();
  out_of_order_.clear();
  fx.notices.push_back(NoticeKind::kFailed);
}

// Both FINs are acknowledged, but our acknowledgement of the peer's FIN may be lost: the
// connection stays in TIME-WAIT (RFC 793) and acknowledges a repeated FIN again, instead
// of being forgotten and answering it with a reset that fails the peer's clean close.
void Connection::check_closed(const TransportOptions& options, Instant now, ConnEffects& fx) {
  if (state_ != ConnState::kEstablished) return;
  if (!(fin_acked_ && fin_received_)) return;
  state_ = ConnState::kClosed;
  stop_loss_timers();
  time_wait_until_ = now + options.time_wait;
  fx.notices.push_back(NoticeKind::kClosed);
}

void Connection::on_time_wait_segment(const Segment& segment, const TransportOptions& options, Instant now,
                                      ConnEffects& fx) {
  // A reset in TIME-WAIT is ignored (RFC 1337): it cannot tell us anything we need.
  if (!time_wait_until_ || segment.has(kRst)) return;
  if (segment.has(kFin) || !segment.payload.empty()) send_ack(options, now, fx);
}

bool Connection::is_finished() const {
  return app_closed_ && (state_ == ConnState::kFailed || (state_ == ConnState::kClosed && !time_wait_until_));
}

}  // namespace net
