// How losses were repaired: one set of counts kept per connection, per transport, and per
// input a connection takes (ConnEffects), which the transport adds up.
#pragma once

#include <cstdint>

namespace net {

struct RepairCounts {
  uint64_t retransmissions = 0;    // segments sent again (handshake, data, FIN)
  uint64_t timeouts = 0;           // retransmission timeouts of data or FIN
  uint64_t fast_recoveries = 0;    // recoveries entered without a timeout
  uint64_t tail_probes = 0;        // loss probes sent (TLP)
  uint64_t recoveries_undone = 0;  // recoveries found spurious: by D-SACK, timestamps or timing

  RepairCounts& operator+=(const RepairCounts& other) {
    retransmissions += other.retransmissions;
    timeouts += other.timeouts;
    fast_recoveries += other.fast_recoveries;
    tail_probes += other.tail_probes;
    recoveries_undone += other.recoveries_undone;
    return *this;
  }
  friend bool operator==(const RepairCounts&, const RepairCounts&) = default;

  // Flat: the owner's visit calls this among its own fields.
  template <class Visitor>
  void visit(Visitor& v) {
    v("retransmissions", retransmissions);
    v("timeouts", timeouts);
    v("fast_recoveries", fast_recoveries);
    v("tail_probes", tail_probes);
    v("recoveries_undone", recoveries_undone);
  }
};

}  // namespace net
