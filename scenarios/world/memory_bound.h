// The memory a node may hold: its state's size (the snapshot encoding of its actor) is at
// most its configured buffers plus a fixed amount per connection, session and stream. A
// safety check: a node over it keeps something without limit (README, "Bounds").
#pragma once

#include <cstdint>

namespace scenarios {

// What a node holds, counted from its state.
struct NodeFootprint {
  uint64_t state_bytes = 0;  // the actor's snapshot encoding
  uint64_t connections = 0;  // transport connections, TIME-WAIT included
  uint64_t sessions = 0;     // dmsg sessions, opening ones included
  uint64_t streams = 0;      // dmsg streams a client holds, or relays a server holds
  uint64_t records = 0;      // the application's own per-stream records (chaos: ChaosStream)
};

// The configured sizes the bound is built from (dmsg and transport defaults).
struct MemoryBudget {
  uint64_t transport_buffer_bytes = 256 * 1024;  // send and receive buffer each
  uint64_t mux_window_bytes = 256 * 1024;
  uint64_t stream_buffer_bytes = 64 * 1024;  // a client stream's bytes beyond the window, each way

  // Per node: its identity, options, timers and maps' fixed part.
  static constexpr uint64_t kFixedBytes = 64 * 1024;
  // Per connection, session, stream and record: their bookkeeping beside the buffers.
  static constexpr uint64_t kPerEntryBytes = 4 * 1024;

  // A connection: its send buffer, its receive buffer and the out-of-order segments the
  // receive window admits (3 buffers). A session: its mux and handshake. A stream: each
  // way the window in flight plus the stream buffer (a client's), or a relay's two legs'
  // windows each way (a server's: 4 windows). A record: counters and a verifier.
  uint64_t bound(const NodeFootprint& f, bool server) const {
    const uint64_t per_connection = 3 * transport_buffer_bytes + kPerEntryBytes;
    const uint64_t per_stream =
        (server ? 4 * mux_window_bytes : 2 * (mux_window_bytes + stream_buffer_bytes)) + kPerEntryBytes;
    return kFixedBytes + f.connections * per_connection + f.sessions * kPerEntryBytes + f.streams * per_stream +
           f.records * kPerEntryBytes;
  }
};

}  // namespace scenarios
