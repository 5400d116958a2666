// Packet fates, delivery, and the network's faults.
#include "net/network.h"

#include "net/host.h"
#include "sim/buffer_pool.h"
#include "sim/fmt.h"
#include "sim/wide_int.h"
#include "sim/world.h"

namespace net {
namespace {

bool ratio_less(const sim::Ratio& a, const sim::Ratio& b) {
  return static_cast<sim::u128>(a.numerator()) * b.denominator() <
         static_cast<sim::u128>(b.numerator()) * a.denominator();
}

constexpr sim::Duration kClogTickPeriod = sim::Duration::seconds(1);

}  // namespace

Network::Network(FaultProfile profile, sim::Rng rng, sim::ActorId self)
    : self_(self), profile_(std::move(profile)), rng_(rng) {
  SIM_ASSERT_GT(profile_.link.bandwidth_bits_per_s, 0u);
  SIM_ASSERT(profile_.link.loss.is_probability());
  SIM_ASSERT(profile_.link.duplication.is_probability());
}

// --- Assembly -----------------------------------------------------------------------------------

NodeAddress Network::add_node(std::string name, sim::ActorId actor) {
  SIM_ASSERT_MSG(!find_node(name).has_value(), "node name '{}' used twice", name);
  const NodeAddress address{static_cast<uint32_t>(nodes_.size())};
  NodeEntry entry;
  entry.name = std::move(name);
  entry.actor = actor;
  if (profile_.clock_offset_max > sim::Duration::zero()) {
    entry.clock_offset =
        rng_.uniform_duration(sim::Duration::zero() - profile_.clock_offset_max, profile_.clock_offset_max);
  }
  nodes_.emplace(to_index(address), std::move(entry));
  return address;
}

std::optional<NodeAddress> Network::find_node(std::string_view name) const {
  for (const auto& [index, entry] : nodes_) {
    if (entry.name == name) return NodeAddress{index};
  }
  return std::nullopt;
}

const NodeEntry& Network::node(NodeAddress address) const {
  auto it = nodes_.find(to_index(address));
  SIM_ASSERT_MSG(it != nodes_.end(), "no node at address {}", address);
  return it->second;
}

LinkState& Network::link(NodeAddress src, NodeAddress dst) {
  const LinkKey key{src, dst};
  if (LinkState* existing = links_.mutate(key)) return *existing;
  LinkState fresh;
  fresh.rng = rng_.fork(fmt::format("link/{}>{}", src, dst));
  links_.insert(key, std::move(fresh));
  return *links_.mutate(key);
}

// --- Traffic ------------------------------------------------------------------------------------

sim::Ratio Network::loss_now(const LinkState&, sim::Instant now) const {
  if (burst_until_ && now < *burst_until_ && ratio_less(profile_.link.loss, burst_loss_)) return burst_loss_;
  return profile_.link.loss;
}

sim::Duration Network::transmission_time(uint32_t bytes) const {
  const sim::u128 ns = static_cast<sim::u128>(bytes) * 8 * 1'000'000'000 / profile_.link.bandwidth_bits_per_s;
  return sim::Duration::nanoseconds(static_cast<int64_t>(ns));
}

sim::Instant Network::departure_time(const LinkState& l, NodeAddress src, NodeAddress dst, sim::Instant now) const {
  sim::Instant at = std::max(now, l.busy_until);
  if (l.clogged_until) at = std::max(at, *l.clogged_until);
  for (NodeAddress end : {src, dst}) {
    auto clog = node_clogged_until_.find(to_index(end));
    if (clog != node_clogged_until_.end()) at = std::max(at, clog->second);
  }
  return at;
}

void Network::send(sim::Context& ctx, Packet packet) {
  ++stats_.packets_sent;
  if (packet.segment.wire_bytes() > profile_.link.mtu_bytes) {
    ++stats_.packets_over_mtu;
    return;
  }
  if (is_blocked(packet.src, packet.dst)) {
    ++stats_.packets_partitioned;
    return;
  }
  LinkState& l = link(packet.src, packet.dst);
  if (l.held) {
    const uint64_t id = next_packet_id_++;
    l.held_packets.push_back(id);
    ++l.in_flight;
    in_flight_.insert(id, std::move(packet));
    return;
  }
  const sim::Ratio loss = loss_now(l, ctx.now());
  if (l.rng.chance(loss)) {
    ++stats_.packets_lost;
    return;
  }
  const bool duplicate = l.rng.chance(profile_.link.duplication);
  if (duplicate) {
    ++stats_.packets_duplicated;
    launch(ctx, l, packet);
  }
  launch(ctx, l, std::move(packet));
}

void Network::launch(sim::Context& ctx, LinkState& l, Packet packet) {
  if (l.in_flight >= profile_.link.capacity_packets) {
    ++stats_.packets_over_capacity;
    return;
  }
  const sim::Instant departure = departure_time(l, packet.src, packet.dst, ctx.now());
  const sim::Instant done = departure + transmission_time(packet.segment.wire_bytes());
  l.busy_until = done;
  const sim::Duration jitter = l.rng.exponential_duration(profile_.link.latency_mean);
  const sim::Instant arrival = done + profile_.link.latency_min + jitter;
  const uint64_t id = next_packet_id_++;
  ++l.in_flight;
  in_flight_.insert(id, std::move(packet));
  ctx.schedule(arrival - ctx.now(), self_, kDeliver, id);
}

void Network::deliver(sim::Context& ctx, uint64_t packet_id) {
  std::optional<Packet> packet = in_flight_.take(packet_id);
  if (!packet) return;  // purged by a crash
  LinkState& l = link(packet->src, packet->dst);
  SIM_ASSERT_GT(l.in_flight, 0u);
  --l.in_flight;
  if (is_blocked(packet->src, packet->dst)) {
    ++stats_.packets_partitioned;
    return;
  }
  const NodeEntry& entry = node(packet->dst);
  sim::World& world = ctx.world();
  if (!entry.up || !world.is_up(entry.actor)) {
    ++stats_.packets_to_down_nodes;
    return;
  }
  ++stats_.packets_delivered;
  stats_.payload_bytes_delivered += packet->segment.payload.size();
  Host& host = world.mutate_as<Host>(entry.actor);
  sim::Context host_ctx = world.context_for(entry.actor);
  host.on_packet(host_ctx, *packet);
  sim::buffer_pool::give(std::move(packet->segment.payload));
}

// --- Faults -------------------------------------------------------------------------------------

void Network::partition(const std::vector<NodeAddress>& side_a, const std::vector<NodeAddress>& side_b, bool one_way) {
  for (NodeAddress a : side_a) {
    for (NodeAddress b : side_b) {
      if (a == b) continue;
      blocked_.insert(LinkKey{a, b});
      if (!one_way) blocked_.insert(LinkKey{b, a});
    }
  }
}

void Network::heal() { blocked_.clear(); }

void Network::clog_node(sim::Context& ctx, NodeAddress node_address, sim::Duration duration) {
  sim::Instant& until = node_clogged_until_[to_index(node_address)];
  until = std::max(until, ctx.now() + duration);
}

void Network::clog_pair(sim::Context& ctx, NodeAddress a, NodeAddress b, sim::Duration duration) {
  for (LinkState* l : {&link(a, b), &link(b, a)}) {
    const sim::Instant until = ctx.now() + duration;
    l->clogged_until = l->clogged_until ? std::max(*l->clogged_until, until) : until;
  }
}

void Network::hold(NodeAddress src, NodeAddress dst) { link(src, dst).held = true; }

void Network::release(sim::Context& ctx, NodeAddress src, NodeAddress dst) {
  LinkState& l = link(src, dst);
  l.held = false;
  const std::vector<uint64_t> held = std::exchange(l.held_packets, {});
  for (uint64_t id : held) {
    std::optional<Packet> packet = in_flight_.take(id);
    if (!packet) continue;  // purged by a crash meanwhile
    --l.in_flight;
    launch(ctx, l, std::move(*packet));
  }
}

void Network::loss_burst(sim::Context& ctx, sim::Ratio loss, sim::Duration duration) {
  SIM_ASSERT(loss.is_probability());
  burst_loss_ = loss;
  burst_until_ = ctx.now() + duration;
}

void Network::calm_down() {
  profile_ = calmed(profile_);
  burst_until_.reset();
  node_clogged_until_.clear();
  links_.mutate_each([](const LinkKey&, LinkState& l) { l.clogged_until.reset(); });
}

void Network::set_clock_offset(NodeAddress node_address, sim::Duration offset) {
  NodeEntry* entry = nodes_.find_mutable(to_index(node_address));
  SIM_ASSERT(entry != nullptr);
  entry->clock_offset = offset;
}

void Network::crash(NodeAddress node_address) {
  NodeEntry* entry = nodes_.find_mutable(to_index(node_address));
  SIM_ASSERT(entry != nullptr);
  entry->up = false;
  const size_t purged = in_flight_.erase_if([&](const uint64_t&, const Packet& p) {
    if (p.src != node_address && p.dst != node_address) return false;
    --link(p.src, p.dst).in_flight;
    return true;
  });
  stats_.packets_to_down_nodes += purged;
  links_.mutate_each([this](const LinkKey&, LinkState& l) {
    std::erase_if(l.held_packets, [this](uint64_t id) { return in_flight_.find(id) == nullptr; });
  });
}

void Network::mark_up(NodeAddress node_address) {
  NodeEntry* entry = nodes_.find_mutable(to_index(node_address));
  SIM_ASSERT(entry != nullptr);
  entry->up = true;
}

// --- Events -------------------------------------------------------------------------------------

void Network::on_start(sim::Context& ctx) {
  if (!profile_.clog_chance_per_s.is_zero()) ctx.schedule_self(kClogTickPeriod, kClogTick);
}

void Network::on_event(sim::Context& ctx, const sim::Event& event) {
  switch (event.kind) {
    case kDeliver:
      deliver(ctx, event.arg0);
      return;
    case kClogTick:
      on_clog_tick(ctx);
      return;
    default:
      SIM_UNREACHABLE("network got event kind {}", event.kind);
  }
}

// Random clogs of the hostile and swarm profiles: each link that has carried traffic
// clogs with the profile's chance once per virtual second.
void Network::on_clog_tick(sim::Context& ctx) {
  links_.mutate_each([&](const LinkKey&, LinkState& l) {
    if (!l.rng.chance(profile_.clog_chance_per_s)) return;
    const sim::Duration duration = l.rng.uniform_duration(profile_.clog_min, profile_.clog_max);
    const sim::Instant until = ctx.now() + duration;
    l.clogged_until = l.clogged_until ? std::max(*l.clogged_until, until) : until;
  });
  // After calm_down() the ticks stop: a profile without clogs never schedules them.
  if (!profile_.clog_chance_per_s.is_zero()) ctx.schedule_self(kClogTickPeriod, kClogTick);
}

}  // namespace net
