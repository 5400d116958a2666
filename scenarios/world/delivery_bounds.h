// How long the network may take to carry something, as formulas of the profile's knobs and
// the transport's timers, never of how a run happens to be driven (its batch interval).
// Liveness checks build their bounds from these: README, "Bounds", lists each formula.
#pragma once

#include "net/profile.h"
#include "net/transport_options.h"
#include "sim/time.h"

#include <cstdint>

namespace scenarios {

struct DeliveryBounds {
  /// One packet over one link: latency_min + 10 x latency_mean (the exponential delay's
  /// tail beyond that is e^-10) + an MTU's serialization.
  sim::Duration link_delay;
  /// A round trip over a relayed path: client -> server -> client and back, four links.
  sim::Duration relayed_round_trip;
  /// Transmissions a segment may need so that it and its acknowledgement get through the
  /// relayed path with probability at least 1 - 10^-8: the smallest k with
  /// (1 - (1 - loss)^4)^k <= 10^-8. 1 on a loss-free link.
  uint32_t transmissions = 1;
  /// The time those retransmissions may take: (transmissions - 1) x rto_max, plus the
  /// longest clog when the profile clogs links.
  sim::Duration recovery;
  /// The receive window a stream flows through (the mux's, per direction).
  uint64_t window_bytes = 0;
  uint64_t bandwidth_bits_per_s = 1;

  static DeliveryBounds of(const net::FaultProfile& profile, const net::TransportOptions& transport,
                           uint64_t window_bytes);

  /// Whether the links alone cannot end a session: a keepalive ping and its answer cross one
  /// client-server link each way, and the session dies without the answer within
  /// `ping_timeout`. The transport retransmits with a timeout from rto_min, doubling up to
  /// rto_max, in the time the timeout leaves after the two links' delay (and the longest
  /// clog, when the profile clogs links); the links keep sessions when every one of those
  /// tries is lost with probability at most 10^-8: (1 - (1 - loss)^2)^tries <= 10^-8.
  /// Calm and lossy keep them (lossy: 8 tries at 9.75 %); hostile does not (6 at 36 %).
  static bool links_keep_sessions(const net::FaultProfile& profile, const net::TransportOptions& transport,
                                  sim::Duration ping_timeout);

  /// A dmsg session and its entry: a discovery lookup, a connection, the handshake and the
  /// post, about eight round trips over one link: exchange(4).
  sim::Duration session_setup() const;

  /// The time `bytes` occupy one link at its rate.
  sim::Duration serialization(uint64_t bytes) const;

  /// `round_trips` relayed round trips plus one recovery: the messages of an exchange
  /// (a dial is 3) overlap their losses, so one tail covers them.
  sim::Duration exchange(uint32_t round_trips) const;
  /// `bytes` carried end to end over a relayed stream, starting from an idle connection,
  /// after `round_trips` more of an exchange before them (a dial's 3): a round trip per
  /// window of bytes, 5 more for slow start (an initial window of 10 segments grows to
  /// 256 KiB in 5 doublings), the bytes' serialization at the link rate on both hops, and
  /// one recovery.
  sim::Duration transfer(uint64_t bytes, uint32_t round_trips = 0) const;
};

}  // namespace scenarios
