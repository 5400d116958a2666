// Demultiplexing, listeners and accept queues of the transport.
#include "net/transport.h"

#include "sim/assert.h"
#include "sim/enum_names.h"
#include "sim/fmt.h"

#include <algorithm>
#include <set>

namespace net {

namespace {

constexpr std::array<sim::EnumName<TransportEvent::Kind>, 7> kEventNames = {{
    {TransportEvent::Kind::kConnected, "connected"},
    {TransportEvent::Kind::kIncoming, "incoming"},
    {TransportEvent::Kind::kReadable, "readable"},
    {TransportEvent::Kind::kWritable, "writable"},
    {TransportEvent::Kind::kPeerClosed, "peer_closed"},
    {TransportEvent::Kind::kFailed, "failed"},
    {TransportEvent::Kind::kClosed, "closed"},
}};

}  // namespace

std::string_view enum_name(TransportEvent::Kind kind) { return sim::name_in(kEventNames, kind); }

Transport::Transport(NodeAddress self, sim::Rng rng, TransportOptions options)
    : self_(self), options_(options), rng_(rng) {}

uint64_t Transport::draw_nonce() {
  // Zero means "not chosen yet" on the wire, and a nonce must not collide with a live one.
  while (true) {
    const uint64_t nonce = rng_.next_u64();
    if (nonce != 0 && by_nonce_.count(nonce) == 0) return nonce;
  }
}

Connection& Transport::connection_mut(ConnId id) {
  Connection* c = connections_.find_mutable(id);
  SIM_ASSERT_MSG(c != nullptr, "no connection {}", id);
  return *c;
}

const Connection& Transport::connection(ConnId id) const {
  auto it = connections_.find(id);
  SIM_ASSERT_MSG(it != connections_.end(), "no connection {}", id);
  return it->second;
}

// --- Owner operations ---------------------------------------------------------------------------

sim::Status Transport::listen(uint16_t port) {
  if (port == 0) return sim::Error{"cannot listen on port 0"};
  if (listeners_.count(port) != 0) return sim::Error{fmt::format("port {} is already listening", port)};
  listeners_[port] = Listener{};
  return sim::Ok{};
}

void Transport::unlisten(uint16_t port, sim::Instant now) {
  auto it = listeners_.find(port);
  if (it == listeners_.end()) return;
  const std::set<ConnId> queued(it->second.accept_queue.begin(), it->second.accept_queue.end());
  listeners_.erase(it);
  // Connections that belong to the listener (queued, or still in their handshake) go
  // with it; accepted ones belong to their owner.
  std::vector<ConnId> orphans;
  for (const auto& [id, c] : connections_) {
    if (c.is_passive() && c.local_port() == port && (!c.was_established() || queued.count(id) != 0)) {
      orphans.push_back(id);
    }
  }
  for (ConnId id : orphans) {
    abort(id, now);
    if (exists(id)) close(id, now);
  }
}

ConnId Transport::connect(NodeAddress dst, uint16_t dst_port, sim::Instant now) {
  const ConnId id = next_conn_id_++;
  const uint16_t local_port = next_ephemeral_port_;
  next_ephemeral_port_ = next_ephemeral_port_ == 65535 ? 49152 : static_cast<uint16_t>(next_ephemeral_port_ + 1);
  const uint64_t nonce = draw_nonce();
  ConnEffects fx;
  connections_.emplace(id, Connection::open_active(id, local_port, dst, dst_port, nonce, options_, now, fx));
  by_nonce_[nonce] = id;
  absorb(id, fx);
  return id;
}

std::optional<ConnId> Transport::accept(uint16_t port) {
  auto it = listeners_.find(port);
  if (it == listeners_.end() || it->second.accept_queue.empty()) return std::nullopt;
  const ConnId id = it->second.accept_queue.front();
  it->second.accept_queue.erase(it->second.accept_queue.begin());
  return id;
}

size_t Transport::write(ConnId id, const uint8_t* data, size_t size, sim::Instant now) {
  return with_effects(id, [&](Connection& c, ConnEffects& fx) { return c.write(data, size, options_, now, fx); });
}

size_t Transport::read(ConnId id, uint8_t* out, size_t size, sim::Instant now) {
  return with_effects(id, [&](Connection& c, ConnEffects& fx) { return c.read(out, size, options_, now, fx); });
}

void Transport::shutdown(ConnId id, sim::Instant now) {
  ConnEffects fx;
  connection_mut(id).shutdown(options_, now, fx);
  absorb(id, fx);
}

void Transport::close(ConnId id, sim::Instant now) {
  ConnEffects fx;
  connection_mut(id).close(options_, now, fx);
  absorb(id, fx);
}

void Transport::abort(ConnId id, sim::Instant now) {
  (void)now;
  ConnEffects fx;
  connection_mut(id).abort(fx);
  absorb(id, fx);
}

// --- Inputs --------------------------------------------------------------------------------------

void Transport::on_segment(NodeAddress from, const Segment& segment, sim::Instant now) {
  if (segment.dst_nonce == 0) {
    if (segment.has(kSyn) && !segment.has(kAck) && !segment.has(kRst)) on_syn(from, segment, now);
    return;  // anything else without a receiver nonce is malformed: dropped
  }
  auto it = by_nonce_.find(segment.dst_nonce);
  const bool known = it != by_nonce_.end();
  // Looked at, not changed: with_effects below takes the connection for changing.
  const Connection* c = known ? &connection(it->second) : nullptr;
  const bool matches =
      c != nullptr && c->remote() == from && (c->remote_nonce() == 0 || c->remote_nonce() == segment.src_nonce);
  if (!matches) {
    // A segment for a connection this node does not have (an older incarnation's, or one
    // already forgotten): tell the sender, unless it is itself a reset.
    if (!segment.has(kRst)) send_reset_for(from, segment);
    return;
  }
  with_effects(it->second, [&](Connection& conn, ConnEffects& fx) { conn.on_segment(segment, options_, now, fx); });
}

void Transport::on_syn(NodeAddress from, const Segment& segment, sim::Instant now) {
  // A repeated SYN goes to the connection it already opened.
  for (const auto& [id, c] : connections_) {
    if (c.is_passive() && c.remote() == from && c.remote_nonce() == segment.src_nonce) {
      ConnEffects fx;
      connection_mut(id).on_segment(segment, options_, now, fx);
      absorb(id, fx);
      return;
    }
  }
  auto listener = listeners_.find(segment.dst_port);
  if (listener == listeners_.end() ||
      listener->second.pending + listener->second.accept_queue.size() >= options_.accept_backlog) {
    send_reset_for(from, segment);
    return;
  }
  const ConnId id = next_conn_id_++;
  const uint64_t nonce = draw_nonce();
  ConnEffects fx;
  connections_.emplace(id, Connection::open_passive(id, segment.dst_port, from, segment, nonce, options_, now, fx));
  by_nonce_[nonce] = id;
  ++listener->second.pending;
  absorb(id, fx);
}

void Transport::send_reset_for(NodeAddress to, const Segment& segment) {
  outgoing_.push_back(Outgoing{to, reset_reply(segment)});
  ++resets_sent_;
}

void Transport::on_timer(ConnId id, sim::Instant now) {
  if (!exists(id)) return;
  with_effects(id, [&](Connection& c, ConnEffects& fx) { c.on_timer(options_, now, fx); });
}

std::optional<sim::Instant> Transport::deadline(ConnId id) const {
  auto it = connections_.find(id);
  if (it == connections_.end()) return std::nullopt;
  return it->second.deadline(options_);
}

void Transport::close_all_for_dead_process(sim::Instant now) {
  std::vector<uint16_t> ports;
  for (const auto& [port, listener] : listeners_) ports.push_back(port);
  for (uint16_t port : ports) unlisten(port, now);
  std::vector<ConnId> ids;
  for (const auto& [id, c] : connections_) ids.push_back(id);
  for (ConnId id : ids) {
    if (!exists(id)) continue;
    if (connections_.at(id).readable_bytes() > 0) abort(id, now);
    if (!exists(id)) continue;
    ConnEffects fx;
    connection_mut(id).orphan(options_, now, fx);
    absorb(id, fx);
  }
}

// --- Effects -------------------------------------------------------------------------------------

void Transport::absorb(ConnId id, ConnEffects& fx) {
  Connection& c = connection_mut(id);
  for (Segment& s : fx.segments) outgoing_.push_back(Outgoing{c.remote(), std::move(s)});
  mark_touched(id);
  repairs_ += fx.repairs;
  for (NoticeKind notice : fx.notices) {
    switch (notice) {
      case NoticeKind::kConnected:
        events_.push_back({TransportEvent::Kind::kConnected, id, 0, FailReason::kNone});
        break;
      case NoticeKind::kEstablished:
        on_passive_established(c);
        break;
      case NoticeKind::kReadable:
        events_.push_back({TransportEvent::Kind::kReadable, id, 0, FailReason::kNone});
        break;
      case NoticeKind::kWritable:
        events_.push_back({TransportEvent::Kind::kWritable, id, 0, FailReason::kNone});
        break;
      case NoticeKind::kPeerClosed:
        events_.push_back({TransportEvent::Kind::kPeerClosed, id, 0, FailReason::kNone});
        break;
      case NoticeKind::kFailed:
        ++connections_failed_;
        // A passive connection whose handshake never completed was never announced: it
        // disappears without a word to the owner.
        if (c.is_passive() && !c.was_established()) {
          drop_half_open(c);
        } else {
          events_.push_back({TransportEvent::Kind::kFailed, id, 0, c.failure()});
        }
        break;
      case NoticeKind::kClosed:
        events_.push_back({TransportEvent::Kind::kClosed, id, 0, FailReason::kNone});
        break;
    }
  }
  if (c.is_finished()) forget(id);
}

void Transport::on_passive_established(Connection& c) {
  auto listener = listeners_.find(c.local_port());
  if (listener == listeners_.end()) {
    // The listener went away while the handshake completed.
    ConnEffects fx;
    c.abort(fx);
    for (Segment& s : fx.segments) outgoing_.push_back(Outgoing{c.remote(), std::move(s)});
    c.release();
    return;
  }
  SIM_ASSERT_GT(listener->second.pending, 0u);
  --listener->second.pending;
  listener->second.accept_queue.push_back(c.id());
  events_.push_back({TransportEvent::Kind::kIncoming, c.id(), c.local_port(), FailReason::kNone});
}

void Transport::drop_half_open(Connection& c) {
  auto listener = listeners_.find(c.local_port());
  if (listener != listeners_.end() && !c.app_closed()) {
    SIM_ASSERT_GT(listener->second.pending, 0u);
    --listener->second.pending;
  }
  c.release();
}

void Transport::forget(ConnId id) {
  auto it = connections_.find(id);
  SIM_ASSERT(it != connections_.end());
  by_nonce_.erase(it->second.local_nonce());
  connections_.erase(id);
}

void Transport::take_outgoing(std::vector<Outgoing>& out) {
  out.clear();
  std::swap(out, outgoing_);
}
void Transport::take_events(std::vector<TransportEvent>& out) {
  out.clear();
  std::swap(out, events_);
}
void Transport::take_touched(std::vector<ConnId>& out) {
  out.clear();
  std::swap(out, touched_);
}

void Transport::mark_touched(ConnId id) {
  auto at = std::lower_bound(touched_.begin(), touched_.end(), id);
  if (at == touched_.end() || *at != id) touched_.insert(at, id);
}

}  // namespace net
