// One node's transport: listeners, connections, demultiplexing; no I/O of its own.
#pragma once

#include "net/connection.h"
#include "sim/assert.h"
#include "sim/cached_map.h"
#include "sim/result.h"
#include "sim/rng.h"

#include <map>
#include <optional>
#include <type_traits>
#include <vector>

namespace net {

// What the transport tells its owner.
struct TransportEvent {
  enum class Kind : uint8_t {
    kConnected,  // connect() completed
    kIncoming,   // a connection waits in `port`'s accept queue
    kReadable,
    kWritable,
    kPeerClosed,  // the peer finished sending
    kFailed,      // refused, timed out or reset: see `reason`
    kClosed,      // both directions finished
  };
  Kind kind = Kind::kConnected;
  ConnId conn = 0;
  uint16_t port = 0;  // kIncoming: the listening port
  FailReason reason = FailReason::kNone;
};
std::string_view enum_name(TransportEvent::Kind kind);

// A segment on its way out.
struct Outgoing {
  NodeAddress dst{};
  Segment segment;
};

// Owns the connections of one node and routes segments to them by the receiver's nonce.
// Operations take the current time and leave their effects in three queues the host
// drains: segments to send, events for the owner, and connections whose timer deadline
// may have changed. Nothing here schedules or sends by itself.
class Transport {
 public:
  Transport() = default;
  Transport(NodeAddress self, sim::Rng rng, TransportOptions options);

  // --- For the owner ---
  sim::Status listen(uint16_t port);
  // Stops listening; connections still waiting for accept() are reset.
  void unlisten(uint16_t port, sim::Instant now);
  bool is_listening(uint16_t port) const { return listeners_.count(port) != 0; }
  ConnId connect(NodeAddress dst, uint16_t dst_port, sim::Instant now);
  std::optional<ConnId> accept(uint16_t port);
  size_t write(ConnId id, const uint8_t* data, size_t size, sim::Instant now);
  size_t read(ConnId id, uint8_t* out, size_t size, sim::Instant now);
  void shutdown(ConnId id, sim::Instant now);
  // Lets go of a connection: it finishes in the background and is then forgotten.
  void close(ConnId id, sim::Instant now);
  void abort(ConnId id, sim::Instant now);

  // What the kernel does when the owning process dies: every listener goes, and every
  // connection is closed as by close() (FIN after what is queued), or reset where received
  // data was left unread (as Linux does). The closes then finish in the background.
  void close_all_for_dead_process(sim::Instant now);

  bool exists(ConnId id) const { return connections_.count(id) != 0; }
  const Connection& connection(ConnId id) const;
  const sim::CachedMap<ConnId, Connection>& connections() const { return connections_; }
  const TransportOptions& options() const { return options_; }

  // --- From the host ---
  void on_segment(NodeAddress from, const Segment& segment, sim::Instant now);
  void on_timer(ConnId id, sim::Instant now);
  std::optional<sim::Instant> deadline(ConnId id) const;

  // --- Effects, drained by the host ---
  // Each moves the queued effects into `out` (emptied first) and keeps out's storage for
  // the next ones: the host drains after every packet, and fresh vectors each time would
  // be several allocations per packet.
  void take_outgoing(std::vector<Outgoing>& out);
  void take_events(std::vector<TransportEvent>& out);
  // Connections whose timer deadline may have changed, in id order, each once.
  void take_touched(std::vector<ConnId>& out);

  // --- Statistics (part of the state: they survive snapshots) ---
  const RepairCounts& repairs() const { return repairs_; }
  uint64_t connections_failed() const { return connections_failed_; }
  uint64_t resets_sent() const { return resets_sent_; }

  // Connections opened or accepted so far, ever.
  uint64_t connections_made() const { return next_conn_id_ - 1; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("self", self_);
    v("options", options_);
    v("rng", rng_);
    v("next_conn_id", next_conn_id_);
    v("next_ephemeral_port", next_ephemeral_port_);
    v("listeners", listeners_);
    v("connections", connections_);
    v("by_nonce", by_nonce_);
    repairs_.visit(v);
    v("connections_failed", connections_failed_);
    v("resets_sent", resets_sent_);
  }

 private:
  struct Listener {
    std::vector<ConnId> accept_queue;  // established, waiting for accept()
    uint32_t pending = 0;              // half-open connections counted against the backlog
    template <class Visitor>
    void visit(Visitor& v) {
      v("accept_queue", accept_queue);
      v("pending", pending);
    }
  };

  Connection& connection_mut(ConnId id);
  uint64_t draw_nonce();
  void on_syn(NodeAddress from, const Segment& segment, sim::Instant now);
  void send_reset_for(NodeAddress to, const Segment& segment);
  // Moves a connection's effects into the queues and forgets it if it is finished.
  void mark_touched(ConnId id);
  // Runs op(connection, effects) on connection `id` and absorbs the effects; returns what
  // op returns. The hot operations (write, read, segment, timer) share one effects object:
  // fresh vectors for each would be allocations per packet.
  template <class Op>
  auto with_effects(ConnId id, Op&& op) {
    SIM_ASSERT_MSG(!effects_in_use_, "a transport operation began inside another");
    effects_in_use_ = true;
    effects_.clear();
    Connection& c = connection_mut(id);
    if constexpr (std::is_void_v<decltype(op(c, effects_))>) {
      op(c, effects_);
      absorb(id, effects_);
      effects_in_use_ = false;
    } else {
      auto result = op(c, effects_);
      absorb(id, effects_);
      effects_in_use_ = false;
      return result;
    }
  }
  void absorb(ConnId id, ConnEffects& fx);
  void on_passive_established(Connection& c);
  void drop_half_open(Connection& c);
  void forget(ConnId id);

  NodeAddress self_{};
  TransportOptions options_;
  sim::Rng rng_;
  ConnId next_conn_id_ = 1;
  uint16_t next_ephemeral_port_ = 49152;
  std::map<uint16_t, Listener> listeners_;
  sim::CachedMap<ConnId, Connection> connections_;  // hashed incrementally: an event touches one
  std::map<uint64_t, ConnId> by_nonce_;
  RepairCounts repairs_;  // of every connection, ever
  uint64_t connections_failed_ = 0;
  uint64_t resets_sent_ = 0;

  // Effects not yet drained: never part of the state, since the host drains them before
  // its handler returns.
  std::vector<Outgoing> outgoing_;
  std::vector<TransportEvent> events_;
  std::vector<ConnId> touched_;  // sorted, without repeats
  // The effects of the operation under way (see with_effects).
  ConnEffects effects_;
  bool effects_in_use_ = false;
};

}  // namespace net
