// The virtual network: nodes, directed links with faults, and the packets in flight.
#pragma once

#include "net/address.h"
#include "net/profile.h"
#include "net/segment.h"
#include "sim/actor.h"
#include "sim/cached_map.h"
#include "sim/context.h"
#include "sim/digest_map.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace net {

struct NodeEntry {
  std::string name;
  sim::ActorId actor{};
  bool up = true;  // false between a crash and a restart
  sim::Duration clock_offset;

  template <class Visitor>
  void visit(Visitor& v) {
    v("name", name);
    v("actor", actor);
    v("up", up);
    v("clock_offset", clock_offset);
  }
};

struct LinkState {
  sim::Rng rng;             // this link's own stream: traffic elsewhere shifts none of its draws
  sim::Instant busy_until;  // the link serializes one packet at a time
  uint32_t in_flight = 0;
  std::optional<sim::Instant> clogged_until;
  bool held = false;
  std::vector<uint64_t> held_packets;

  template <class Visitor>
  void visit(Visitor& v) {
    v("rng", rng);
    v("busy_until", busy_until);
    v("in_flight", in_flight);
    v("clogged_until", clogged_until);
    v("held", held);
    v("held_packets", held_packets);
  }
};

struct NetworkStats {
  uint64_t packets_sent = 0;
  uint64_t packets_delivered = 0;
  uint64_t packets_lost = 0;  // random loss, loss bursts
  uint64_t packets_duplicated = 0;
  uint64_t packets_partitioned = 0;  // dropped by a partition
  uint64_t packets_over_capacity = 0;
  uint64_t packets_over_mtu = 0;
  uint64_t packets_to_down_nodes = 0;  // dropped at a crashed node, or purged by its crash
  uint64_t payload_bytes_delivered = 0;

  template <class Visitor>
  void visit(Visitor& v) {
    v("packets_sent", packets_sent);
    v("packets_delivered", packets_delivered);
    v("packets_lost", packets_lost);
    v("packets_duplicated", packets_duplicated);
    v("packets_partitioned", packets_partitioned);
    v("packets_over_capacity", packets_over_capacity);
    v("packets_over_mtu", packets_over_mtu);
    v("packets_to_down_nodes", packets_to_down_nodes);
    v("payload_bytes_delivered", payload_bytes_delivered);
  }
};

// Carries packets between hosts. A packet's fate is drawn when it is sent (loss,
// duplication, delay from latency, bandwidth and clogs) from its link's stream; it is
// then held here until its arrival event, which targets the network itself (never a host,
// so no packet can be stranded by a host's restart). At arrival a partition or a down node
// still drops it; otherwise the destination host's on_packet runs.
class Network : public sim::ActorBase<Network> {
 public:
  static constexpr std::string_view kTypeName = "net.network";
  enum EventKind : uint32_t { kDeliver = 1, kClogTick = 2 };

  Network() = default;
  // `self` is the id this network is spawned with: arrivals are its own events.
  Network(FaultProfile profile, sim::Rng rng, sim::ActorId self);

  // --- Assembly ---
  NodeAddress add_node(std::string name, sim::ActorId actor);
  std::optional<NodeAddress> find_node(std::string_view name) const;
  const NodeEntry& node(NodeAddress address) const;
  size_t node_count() const { return nodes_.size(); }
  const FaultProfile& profile() const { return profile_; }
  const NetworkStats& stats() const { return stats_; }
  size_t packets_in_flight() const { return in_flight_.size(); }
  sim::Duration clock_offset(NodeAddress address) const { return node(address).clock_offset; }

  // --- Traffic ---
  void send(sim::Context& ctx, Packet packet);

  // --- Faults ---
  // Blocks every link from side_a to side_b (and back unless one_way).
  void partition(const std::vector<NodeAddress>& side_a, const std::vector<NodeAddress>& side_b, bool one_way);
  // Lifts every partition.
  void heal();
  bool is_blocked(NodeAddress src, NodeAddress dst) const { return blocked_.count(LinkKey{src, dst}) != 0; }
  bool has_partitions() const { return !blocked_.empty(); }
  bool is_held(NodeAddress src, NodeAddress dst) const {
    const LinkState* state = links_.find(LinkKey{src, dst});
    return state != nullptr && state->held;
  }
  // Packets from or to `node` (or between `a` and `b`) leave no earlier than now + duration.
  void clog_node(sim::Context& ctx, NodeAddress node, sim::Duration duration);
  void clog_pair(sim::Context& ctx, NodeAddress a, NodeAddress b, sim::Duration duration);
  // Packets sent on the link wait until release, then travel with fresh delays.
  void hold(NodeAddress src, NodeAddress dst);
  void release(sim::Context& ctx, NodeAddress src, NodeAddress dst);
  // Every link loses at least `loss` for the duration.
  void loss_burst(sim::Context& ctx, sim::Ratio loss, sim::Duration duration);
  void set_clock_offset(NodeAddress node, sim::Duration offset);
  // Background faults stop for good: the profile becomes calmed(profile), and clogs and a
  // loss burst still running end now. Partitions and holds are lifted by their own inputs.
  void calm_down();
  // A silent crash: every packet in flight from or to the node vanishes, and packets
  // arriving until mark_up() are dropped.
  void crash(NodeAddress node);
  void mark_up(NodeAddress node);

  void on_start(sim::Context& ctx) override;
  void on_event(sim::Context& ctx, const sim::Event& event) override;

  template <class Visitor>
  void visit(Visitor& v) {
    v("self", self_);
    v("profile", profile_);
    v("rng", rng_);
    v("nodes", nodes_);
    v("links", links_);
    v("in_flight", in_flight_);
    v("next_packet_id", next_packet_id_);
    v("blocked", blocked_);
    v("node_clogged_until", node_clogged_until_);
    v("burst_loss", burst_loss_);
    v("burst_until", burst_until_);
    v("stats", stats_);
  }

 private:
  LinkState& link(NodeAddress src, NodeAddress dst);
  sim::Ratio loss_now(const LinkState& link, sim::Instant now) const;
  sim::Instant departure_time(const LinkState& link, NodeAddress src, NodeAddress dst, sim::Instant now) const;
  sim::Duration transmission_time(uint32_t bytes) const;
  // Puts one copy of a packet on the wire and schedules its arrival.
  void launch(sim::Context& ctx, LinkState& link, Packet packet);
  void deliver(sim::Context& ctx, uint64_t packet_id);
  void on_clog_tick(sim::Context& ctx);

  sim::ActorId self_{};
  FaultProfile profile_;
  sim::Rng rng_;
  sim::CachedMap<uint32_t, NodeEntry> nodes_;  // hashed incrementally: they rarely change
  sim::DigestMap<LinkKey, LinkState> links_;   // hashed incrementally: a tick touches few links
  sim::DigestMap<uint64_t, Packet> in_flight_;
  uint64_t next_packet_id_ = 1;
  std::set<LinkKey> blocked_;
  std::map<uint32_t, sim::Instant> node_clogged_until_;
  sim::Ratio burst_loss_;
  std::optional<sim::Instant> burst_until_;
  NetworkStats stats_;
};

}  // namespace net
