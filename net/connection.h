// One end of a TCP-like connection, as a state machine with no I/O of its own.
#pragma once

#include "net/address.h"
#include "net/rack.h"
#include "net/reorder_buffer.h"
#include "net/repair_counts.h"
#include "net/sack.h"
#include "net/segment.h"
#include "net/send_log.h"
#include "net/transport_options.h"
#include "sim/byte_queue.h"
#include "sim/digest_map.h"
#include "sim/time.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace net {

using ConnId = uint32_t;

enum class ConnState : uint8_t {
  kSynSent,      // connect() sent a SYN
  kSynReceived,  // a SYN arrived on a listener; our SYN-ACK is out
  kEstablished,  // data flows (possibly half-closed in either direction)
  kClosed,       // both directions finished cleanly (in TIME-WAIT until time_wait passes)
  kFailed,       // refused, timed out or reset
};
std::string_view enum_name(ConnState state);

enum class FailReason : uint8_t { kNone, kRefused, kTimedOut, kReset };
std::string_view enum_name(FailReason reason);

// What a connection tells its owner.
enum class NoticeKind : uint8_t {
  kConnected,    // an active open completed
  kEstablished,  // a passive open completed: ready for accept()
  kReadable,     // new bytes can be read
  kWritable,     // room in the send buffer after a write took less than offered
  kPeerClosed,   // the peer sent FIN: reads end once the buffer is drained
  kFailed,       // see failure()
  kClosed,       // both FINs exchanged
};
std::string_view enum_name(NoticeKind kind);

// The one segment being timed for a round-trip sample. A namespace-level type: Clang 14
// cannot default-construct a nested struct with member initializers inside its class.
struct RttSample {
  uint64_t end = 0;  // acknowledged once ack >= end
  sim::Instant sent_at;
  template <class Visitor>
  void visit(Visitor& v) {
    v("end", end);
    v("sent_at", sent_at);
  }
};

// Effects of one input, collected by the caller.
struct ConnEffects {
  std::vector<Segment> segments;
  std::vector<NoticeKind> notices;
  RepairCounts repairs;

  // Empties it for reuse, keeping the vectors' storage.
  void clear() {
    segments.clear();
    notices.clear();
    repairs = {};
  }
};

// The sender keeps a send buffer from the oldest unacknowledged byte, sends within the
// smaller of the peer's window and a Reno congestion window, times one segment at a time
// for RTT (Karn), and probes a zero window. Losses are repaired NewReno-style: `dupthresh`
// duplicate acks (3 at first) retransmit the oldest segment once per window of data, and
// each partial ack during that recovery retransmits the next hole at once; a timeout
// retransmits from the oldest unacknowledged byte with a backed-off RTO, and ack progress
// ends the backoff. With selective acknowledgements (both ends offer them in the handshake)
// the receiver reports the blocks it holds and the sender keeps a scoreboard of them and a
// log of when each outstanding run left; loss is decided by time, as RACK-TLP (RFC 8985)
// does it, not by counting duplicate acks: recovery retransmits every lost run while the
// pipe allows, before new data, a lost retransmission is found like any other loss, a
// silent tail is probed after two round trips instead of waiting for the timeout, and a
// timeout resends only what is lost (connection_sack.cpp). Limited transmit lets a new
// segment out on each of the first two duplicate acks. Reordering is told from loss as
// Linux does it: a fast retransmit whose ack comes back sooner than the shortest round trip
// seen was answered by the original segment, and so was one every retransmission of which
// the peer reports as a duplicate (D-SACK): it is undone (window restored, recovery left);
// without SACK dupthresh doubles, up to a window's worth of segments, and with it RACK's
// reordering window grows.
// The receiver keeps out-of-order segments within its window and acknowledges every
// segment at once.
class Connection {
 public:
  Connection() = default;

  static Connection open_active(ConnId id, uint16_t local_port, NodeAddress remote, uint16_t remote_port,
                                uint64_t local_nonce, const TransportOptions& options, sim::Instant now,
                                ConnEffects& fx);
  static Connection open_passive(ConnId id, uint16_t local_port, NodeAddress remote, const Segment& syn,
                                 uint64_t local_nonce, const TransportOptions& options, sim::Instant now,
                                 ConnEffects& fx);

  void on_segment(const Segment& segment, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void on_timer(const TransportOptions& options, sim::Instant now, ConnEffects& fx);

  // Takes what fits in the send buffer; returns how many bytes it took.
  size_t write(const uint8_t* data, size_t size, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  // Copies out and consumes up to `size` received bytes; returns how many.
  size_t read(uint8_t* out, size_t size, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  // No more writes: a FIN follows the queued data.
  void shutdown(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  // The owner lets go: shutdown, and further received data is discarded.
  void close(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  // The owning process died: close, and data that still arrives is answered with RST, as
  // a kernel does for a socket nobody holds any more.
  void orphan(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  // The transport lets go of a connection that already failed or closed (one its owner
  // never saw): nothing is sent and no time is needed.
  void release();
  // Fails the connection at once and tells the peer with a RST.
  void abort(ConnEffects& fx);
  // A RST for the peer, for a process that is killed (nullopt if the peer cannot know us).
  std::optional<Segment> reset_segment() const;

  std::optional<sim::Instant> deadline(const TransportOptions& options) const;
  // The owner closed it and nothing more will happen: the transport may forget it.
  bool is_finished() const;

  ConnId id() const { return id_; }
  ConnState state() const { return state_; }
  FailReason failure() const { return failure_; }
  bool is_passive() const { return passive_; }
  uint16_t local_port() const { return local_port_; }
  NodeAddress remote() const { return remote_; }
  uint16_t remote_port() const { return remote_port_; }
  uint64_t local_nonce() const { return local_nonce_; }
  uint64_t remote_nonce() const { return remote_nonce_; }
  size_t readable_bytes() const { return recv_buffer_.size(); }
  size_t send_buffer_free(const TransportOptions& options) const;
  // kWritable for a writer that was refused, once the buffer (or the low-water mark) has room.
  void notify_if_writable(const TransportOptions& options, ConnEffects& fx);
  bool peer_closed() const { return fin_received_; }
  bool app_closed() const { return app_closed_; }
  // Whether the handshake ever completed (a passive connection is announced only then).
  bool was_established() const { return was_established_; }
  const RepairCounts& repairs() const { return repairs_; }
  bool uses_sack() const { return sack_ok_; }
  bool uses_timestamps() const { return ts_ok_; }
  const SackScoreboard& scoreboard() const { return scoreboard_; }
  const SendLog& send_log() const { return send_log_; }
  uint64_t bytes_acked() const { return send_buffer_.head_offset(); }
  uint64_t bytes_received() const { return recv_buffer_.tail_offset(); }

  template <class Visitor>
  void visit(Visitor& v);

 private:
  void begin_handshake(const TransportOptions& options, sim::Instant now);
  Segment make_segment(uint8_t flags, const TransportOptions& options, sim::Instant now);
  uint64_t ack_number() const;
  uint32_t advertised_window(const TransportOptions& options) const;
  uint64_t data_end() const { return send_buffer_.tail_offset(); }
  uint64_t snd_una() const { return send_buffer_.head_offset(); }
  bool has_outstanding() const;
  void send_ack(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void pump(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void send_data(uint64_t seq, size_t length, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void take_timestamp(const Segment& segment);
  void on_handshake_segment(const Segment& segment, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  uint8_t handshake_flags(const TransportOptions& options) const;
  void on_ack(const Segment& segment, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void on_cumulative_ack(uint64_t ack, std::optional<uint64_t> echoed, const TransportOptions& options,
                         sim::Instant now, ConnEffects& fx);
  // The time an ack echoes, when timestamps are in use.
  std::optional<uint64_t> echoed_time(const Segment& segment) const {
    if (!ts_ok_ || !segment.has(kTimestamps)) return std::nullopt;
    return segment.ts_ecr;
  }
  void grow_window(uint64_t delivered, const TransportOptions& options);
  bool is_recovering() const { return snd_una() < recover_; }
  void send_limited_transmit(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void send_new_data(uint64_t length, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  uint64_t new_data_room(const TransportOptions& options) const;
  void resend(uint64_t start, uint64_t end, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  // Recovering from a timeout, not from a loss found by acks.
  bool is_after_timeout() const { return is_recovering() && recovering_from_timeout_; }
  bool on_dsack(const SackList& blocks, uint64_t ack, const TransportOptions& options, ConnEffects& fx);
  void undo_recovery(const TransportOptions& options, ConnEffects& fx);
  // SACK with RACK-TLP (connection_sack.cpp).
  uint64_t take_sack_blocks(const Segment& segment, sim::Instant now);
  void on_sack_ack(const Segment& segment, bool dsack, bool progress, uint64_t newly_held, uint64_t in_flight,
                   const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  sim::Duration reorder_window(const TransportOptions& options) const;
  void detect_losses(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  std::optional<SackBlock> next_segment(const TransportOptions& options) const;
  void sack_recover(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void resend_first_lost(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void timeout_with_sack(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void arm_tail_probe(sim::Instant now);
  void send_tail_probe(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void on_probe_answer(uint64_t ack, bool dsack, bool news, uint64_t in_flight, const TransportOptions& options);
  void on_data(const Segment& segment, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void accept_in_order(const uint8_t* data, size_t length, const TransportOptions& options);
  void pull_out_of_order(const TransportOptions& options);
  void on_retransmit_timer(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void update_rtt(sim::Duration sample, const TransportOptions& options);
  sim::Duration computed_rto(const TransportOptions& options) const;
  void retransmit_oldest(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void enter_fast_recovery(uint64_t in_flight, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void undo_if_spurious(uint64_t ack, const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void undo_if_original_arrived(const Segment& ack, const TransportOptions& options, ConnEffects& fx);
  std::optional<sim::Instant> linger_deadline(const TransportOptions& options) const;
  void restart_rto(sim::Instant now) { rto_deadline_ = now + rto_; }
  // One more of a repair, in the connection's counts and in this input's.
  void count(uint64_t RepairCounts::*what, ConnEffects& fx) {
    ++(repairs_.*what);
    ++(fx.repairs.*what);
  }
  // RFC 5681's ssthresh after a loss: half the flight, at least two segments.
  static uint64_t halved_threshold(uint64_t in_flight, const TransportOptions& options) {
    return std::max<uint64_t>(in_flight / 2, 2 * uint64_t{options.mss_bytes});
  }
  void stop_loss_timers() {
    rto_deadline_.reset();
    reorder_deadline_.reset();
    probe_deadline_.reset();
  }
  bool is_waiting_for_peer() const;
  // The start of the silence the user timeout measures: the peer's last word, or the moment
  // we began waiting for one, whichever is later (Linux's TCP_USER_TIMEOUT).
  sim::Instant silent_since() const { return std::max(last_heard_, waiting_since_); }
  bool is_window_closed() const;
  void send_window_probe(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void become_established(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void fail(FailReason reason, bool send_reset, ConnEffects& fx);
  void check_closed(const TransportOptions& options, sim::Instant now, ConnEffects& fx);
  void on_time_wait_segment(const Segment& segment, const TransportOptions& options, sim::Instant now, ConnEffects& fx);

  ConnId id_ = 0;
  ConnState state_ = ConnState::kSynSent;
  FailReason failure_ = FailReason::kNone;
  bool passive_ = false;
  uint16_t local_port_ = 0;
  NodeAddress remote_{};
  uint16_t remote_port_ = 0;
  uint64_t local_nonce_ = 0;
  uint64_t remote_nonce_ = 0;

  // Sending: the buffer starts at the oldest unacknowledged byte.
  sim::ByteQueue send_buffer_;
  uint64_t snd_nxt_ = 0;      // next byte to send
  uint64_t snd_max_ = 0;      // one past the highest byte ever sent
  uint64_t peer_edge_ = 0;    // the peer takes bytes below this (ack + window)
  bool fin_queued_ = false;   // shutdown() was called
  bool fin_pending_ = false;  // a FIN must be (re)sent once all data is out
  bool fin_sent_ = false;
  bool fin_acked_ = false;
  uint64_t cwnd_ = 0;
  uint64_t ssthresh_ = 0;
  uint64_t window_bytes_acked_ = 0;  // delivered since the window last grew above ssthresh
  uint32_t dup_acks_ = 0;
  uint64_t recover_ = 0;  // recovering from a loss until snd_una reaches this
  static constexpr uint32_t kStandardDupthresh = 3;
  uint32_t dupthresh_ = kStandardDupthresh;
  // The last fast retransmit, and what to restore if it proves spurious.
  std::optional<sim::Instant> fast_retransmit_at_;
  uint64_t fast_retransmit_seq_ = 0;
  uint64_t undo_cwnd_ = 0;
  uint64_t undo_ssthresh_ = 0;
  bool writer_blocked_ = false;  // a write took less than offered: notify kWritable later
  // Selective acknowledgements, when both ends offered them in the handshake.
  bool sack_ok_ = false;
  SackScoreboard scoreboard_;
  SendLog send_log_;
  Rack rack_;
  std::optional<sim::Instant> reorder_deadline_;  // RACK's reorder timer
  std::optional<sim::Instant> probe_deadline_;    // the tail loss probe's timer (PTO)
  // While a tail loss probe awaits its answer: snd_max when it left, and whether it
  // was a retransmission (whose answer tells whether it repaired a loss).
  std::optional<uint64_t> probe_high_seq_;
  bool probe_retransmitted_ = false;
  uint64_t high_rxt_ = 0;  // one past the highest byte retransmitted (RFC 6675's HighRxt)
  // Timestamps (RFC 7323), when both ends offered them: what we echo, the ack number we
  // last sent (which segments may set it), and when this recovery first retransmitted
  // (an ack echoing an older time was sent for an original: Eifel, RFC 3522).
  bool ts_ok_ = false;
  uint64_t ts_recent_ = 0;
  uint64_t last_ack_sent_ = 0;
  std::optional<sim::Instant> first_retransmit_at_;
  bool recovering_from_timeout_ = false;
  // Retransmissions of the last fast recovery not yet reported as duplicates by the peer
  // (D-SACK): when none is left, all were spurious and the recovery is undone.
  uint32_t undo_retransmissions_ = 0;
  bool dsack_undo_armed_ = false;

  // Timing.
  bool has_rtt_ = false;
  sim::Duration srtt_;
  sim::Duration rttvar_;
  sim::Duration rto_;
  sim::Duration min_rtt_;
  std::optional<RttSample> rtt_sample_;
  std::optional<sim::Instant> rto_deadline_;  // retransmission or zero-window probe
  std::optional<sim::Instant> connect_deadline_;
  // Closed, and still acknowledging a repeated FIN until then (TIME-WAIT).
  std::optional<sim::Instant> time_wait_until_;
  sim::Instant last_heard_;
  // When the connection last began to wait for the peer (data or FIN sent with nothing
  // outstanding before): an idle peer's silence does not count against the user timeout.
  sim::Instant waiting_since_;
  uint32_t keepalive_probes_ = 0;

  // Receiving: the buffer starts at the first byte the owner has not read.
  sim::ByteQueue recv_buffer_;
  ReorderBuffer out_of_order_;      // segments past a hole
  std::optional<SackBlock> dsack_;  // a duplicate that arrived, for the next ack to report
  std::optional<uint64_t> peer_fin_seq_;
  bool fin_received_ = false;
  uint32_t window_advertised_ = 0;

  bool app_closed_ = false;
  bool orphaned_ = false;
  bool was_established_ = false;
  RepairCounts repairs_;
};

template <class Visitor>
void Connection::visit(Visitor& v) {
  v("id", id_);
  v("state", state_);
  v("failure", failure_);
  v("passive", passive_);
  v("local_port", local_port_);
  v("remote", remote_);
  v("remote_port", remote_port_);
  v("local_nonce", local_nonce_);
  v("remote_nonce", remote_nonce_);
  v("send_buffer", send_buffer_);
  v("snd_nxt", snd_nxt_);
  v("snd_max", snd_max_);
  v("peer_edge", peer_edge_);
  v("fin_queued", fin_queued_);
  v("fin_pending", fin_pending_);
  v("fin_sent", fin_sent_);
  v("fin_acked", fin_acked_);
  v("cwnd", cwnd_);
  v("ssthresh", ssthresh_);
  v("window_bytes_acked", window_bytes_acked_);
  v("dup_acks", dup_acks_);
  v("recover", recover_);
  v("dupthresh", dupthresh_);
  v("fast_retransmit_at", fast_retransmit_at_);
  v("fast_retransmit_seq", fast_retransmit_seq_);
  v("undo_cwnd", undo_cwnd_);
  v("undo_ssthresh", undo_ssthresh_);
  v("writer_blocked", writer_blocked_);
  v("sack_ok", sack_ok_);
  v("scoreboard", scoreboard_);
  v("send_log", send_log_);
  v("rack", rack_);
  v("reorder_deadline", reorder_deadline_);
  v("probe_deadline", probe_deadline_);
  v("probe_high_seq", probe_high_seq_);
  v("probe_retransmitted", probe_retransmitted_);
  v("high_rxt", high_rxt_);
  v("ts_ok", ts_ok_);
  v("ts_recent", ts_recent_);
  v("last_ack_sent", last_ack_sent_);
  v("first_retransmit_at", first_retransmit_at_);
  v("recovering_from_timeout", recovering_from_timeout_);
  v("undo_retransmissions", undo_retransmissions_);
  v("dsack_undo_armed", dsack_undo_armed_);
  v("has_rtt", has_rtt_);
  v("srtt", srtt_);
  v("rttvar", rttvar_);
  v("rto", rto_);
  v("min_rtt", min_rtt_);
  v("rtt_sample", rtt_sample_);
  v("rto_deadline", rto_deadline_);
  v("connect_deadline", connect_deadline_);
  v("time_wait_until", time_wait_until_);
  v("last_heard", last_heard_);
  v("waiting_since", waiting_since_);
  v("keepalive_probes", keepalive_probes_);
  v("recv_buffer", recv_buffer_);
  v("out_of_order", out_of_order_);
  v("dsack", dsack_);
  v("peer_fin_seq", peer_fin_seq_);
  v("fin_received", fin_received_);
  v("window_advertised", window_advertised_);
  v("app_closed", app_closed_);
  v("orphaned", orphaned_);
  v("was_established", was_established_);
  repairs_.visit(v);
}

}  // namespace net
