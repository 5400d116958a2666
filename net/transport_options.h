// The knobs of the TCP-like transport.
#pragma once

#include "sim/time.h"

#include <cstdint>

namespace net {

struct KeepaliveOptions {
  /// Whether an idle connection probes its peer.
  bool enabled = false;
  /// Idle time before the first probe.
  sim::Duration idle = sim::Duration::seconds(10);
  /// Time between unanswered probes.
  sim::Duration interval = sim::Duration::seconds(2);
  /// Unanswered probes after which the connection fails (timed out).
  uint32_t probes = 3;

  friend bool operator==(const KeepaliveOptions&, const KeepaliveOptions&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("enabled", enabled);
    v("idle", idle);
    v("interval", interval);
    v("probes", probes);
  }
};

struct TransportOptions {
  /// Largest payload of one segment, in bytes.
  uint32_t mss_bytes = 1400;
  /// A connection attempt fails (timed out) after this long without an answer.
  sim::Duration connect_timeout = sim::Duration::seconds(10);
  /// Retransmission timeout before any round trip was measured.
  sim::Duration rto_initial = sim::Duration::seconds(1);
  /// Bounds of the retransmission timeout. The maximum is far below Linux's 120 s on
  /// purpose, so faults resolve in bounded virtual time.
  sim::Duration rto_min = sim::Duration::milliseconds(200);
  sim::Duration rto_max = sim::Duration::seconds(2);
  /// Bytes a writer may queue that the peer has not acknowledged.
  uint32_t send_buffer_bytes = 256 * 1024;
  /// 0: off. Otherwise a write takes only what keeps the bytes not yet sent under this, and
  /// kWritable comes once they drop below it again (Linux's TCP_NOTSENT_LOWAT): the writer
  /// keeps its data, and can still reorder it, instead of queueing it here.
  uint32_t notsent_lowat_bytes = 0;
  /// Bytes received and not yet read; the advertised window is what is left of it.
  uint32_t recv_buffer_bytes = 256 * 1024;
  /// The connection fails after this long without hearing from the peer while data is
  /// outstanding (unacknowledged or waiting for window).
  sim::Duration user_timeout = sim::Duration::seconds(60);
  /// How long a closed connection keeps acknowledging a repeated FIN (TIME-WAIT; Linux's
  /// TCP_TIMEWAIT_LEN): the peer retransmits its FIN when our last ack is lost.
  sim::Duration time_wait = sim::Duration::seconds(60);
  /// Offer selective acknowledgements (RFC 2018); used when both ends offer them.
  bool sack = true;
  /// Offer TCP timestamps (RFC 7323); used when both ends offer them. They tell a
  /// retransmission that was not needed from one that was (Eifel, RFC 3522), so the
  /// window it cost is given back.
  bool timestamps = true;
  /// Limited transmit (RFC 3042): a new segment on each of the first two duplicate acks.
  bool limited_transmit = true;
  /// Congestion window at the start, in segments.
  uint32_t initial_cwnd_segments = 10;
  /// Connections a listener holds that are being set up or wait for accept().
  uint32_t accept_backlog = 128;
  KeepaliveOptions keepalive;

  friend bool operator==(const TransportOptions&, const TransportOptions&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("mss_bytes", mss_bytes);
    v("connect_timeout", connect_timeout);
    v("rto_initial", rto_initial);
    v("rto_min", rto_min);
    v("rto_max", rto_max);
    v("send_buffer_bytes", send_buffer_bytes);
    v("notsent_lowat_bytes", notsent_lowat_bytes);
    v("recv_buffer_bytes", recv_buffer_bytes);
    v("user_timeout", user_timeout);
    v("time_wait", time_wait);
    v("sack", sack);
    v("timestamps", timestamps);
    v("limited_transmit", limited_transmit);
    v("initial_cwnd_segments", initial_cwnd_segments);
    v("accept_backlog", accept_backlog);
    v("keepalive", keepalive);
  }
};

}  // namespace net
