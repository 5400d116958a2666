// Sessions, dial forwarding and relaying of the dmsg server.
#include "dmsg/server.h"

#include "dmsg/stream_request.h"
#include "sim/assert.h"
#include "sim/fmt.h"

#include <algorithm>

namespace dmsg {
namespace {

constexpr size_t kPumpChunk = 16 * 1024;

}  // namespace

Server::Server(Identity identity, ServerOptions options)
    : identity_(std::move(identity)), options_(std::move(options)), discovery_(options_.discovery_address, identity_) {}

// --- Life cycle ------------------------------------------------------------------------------------

void Server::start(Host& host) {
  const sim::Status listening = host.listen(options_.port);
  SIM_ASSERT_MSG(listening.ok(), "server cannot listen: {}", listening.ok() ? "" : listening.error().message);
  post_entry(host);
}

void Server::stop(Host& host) {
  if (stopped_) return;
  stopped_ = true;
  host.log(sim::LogLevel::kInfo, "server", "stopping gracefully");
  host.unlisten(options_.port);
  if (post_timer_) host.cancel_timer(*post_timer_);
  post_timer_.reset();
  // Streams first (each end learns its stream is gone), then go-away and FIN per session.
  while (!relays_.empty()) end_relay(host, relays_.begin()->first, "the server is stopping");
  flush_touched(host);
  std::vector<uint32_t> ids;
  for (const auto& [id, s] : sessions_) ids.push_back(id);
  for (uint32_t id : ids) {
    sessions_.at(id).conn.shut_down(host, "the server is stopping");
    end_session(host, id, "the server is stopping");
  }
  discovery_.delete_entry(host);
  rearm(host);
}

void Server::on_timer(Host& host, uint64_t timer_id, uint64_t) {
  if (discovery_.owns_timer(timer_id)) {
    discovery_.on_timer(host, timer_id);
    on_discovery_results(host);
  } else if (timer_id == kPostTimer) {
    post_timer_.reset();
    post_entry(host);
  } else {
    SIM_ASSERT_EQ(timer_id, kWakeTimer);
    wakeup_.fired();
    std::vector<uint32_t> due;
    for (const auto& [id, s] : sessions_) {
      const std::optional<sim::Instant> deadline = s.conn.deadline();
      if (deadline && *deadline <= host.now()) due.push_back(id);
    }
    for (uint32_t id : due) {
      if (SessionConn* conn = live(id)) {
        conn->on_tick(host);
        on_session_events(host, id);
      }
    }
  }
  flush_touched(host);
  rearm(host);
}

void Server::on_conn_event(Host& host, const ConnEvent& event) {
  if (event.kind == ConnEvent::Kind::kIncoming) {
    accept_sessions(host, event.port);
  } else if (discovery_.owns_conn(event.conn)) {
    discovery_.on_conn_event(host, event);
    on_discovery_results(host);
  } else if (auto it = session_by_conn_.find(event.conn); it != session_by_conn_.end()) {
    const uint32_t id = it->second;
    sessions_.at(id).conn.on_conn_event(host, event);
    touched_.insert(id);
    on_session_events(host, id);
  }
  flush_touched(host);
  rearm(host);
}

void Server::accept_sessions(Host& host, uint16_t port) {
  while (std::optional<ConnId> conn = host.accept(port)) {
    if (stopped_ || sessions_.size() >= options_.max_sessions) {
      host.log(sim::LogLevel::kInfo, "server",
               fmt::format("refusing a session: {}", stopped_ ? "stopping" : "MaxSessions reached"));
      host.close(*conn);
      continue;
    }
    const uint32_t id = next_session_++;
    sessions_[id] = ClientSession{SessionConn::server(*conn, identity_, options_.mux, host.now()), {}, {}};
    session_by_conn_[*conn] = id;
  }
}

// Flushing can give a session room again (kRoom), which relays fill: until quiet.
void Server::flush_touched(Host& host) {
  while (!touched_.empty()) {
    for (uint32_t id : std::exchange(touched_, {})) {
      SessionConn* conn = live(id);
      if (conn == nullptr) continue;
      conn->flush(host);
      if (conn->has_events()) on_session_events(host, id);
    }
  }
}

void Server::rearm(Host& host) {
  std::optional<sim::Instant> next;
  for (const auto& [id, s] : sessions_) next = earliest(next, s.conn.deadline());
  wakeup_.arm(host, next);
}

// --- Sessions --------------------------------------------------------------------------------------

SessionConn* Server::live(uint32_t session) {
  ClientSession* s = sessions_.find_mutable(session);
  if (s == nullptr || s->conn.phase() == SessionConn::Phase::kDead) return nullptr;
  return &s->conn;
}

void Server::on_session_events(Host& host, uint32_t session) {
  while (sessions_.count(session) != 0) {
    std::vector<SessionEvent> events = sessions_.at(session).conn.take_events();
    if (events.empty()) return;
    for (const SessionEvent& e : events) {
      if (sessions_.count(session) == 0) return;
      // Handling an earlier event can kill the session; its kDied comes in the next round,
      // and what it carried is not acted on meanwhile.
      const bool dead = sessions_.at(session).conn.phase() == SessionConn::Phase::kDead;
      if (dead && e.kind != SessionEvent::Kind::kDied) continue;
      switch (e.kind) {
        case SessionEvent::Kind::kOpened:
          on_session_opened(host, session);
          break;
        case SessionEvent::Kind::kMux:
          on_mux_event(host, session, e.mux);
          break;
        case SessionEvent::Kind::kDied:
          end_session(host, session, e.reason);
          return;
        case SessionEvent::Kind::kRoom:
          on_session_room(host, session);
          break;
      }
    }
  }
}

// Relays into this session were held back by its queue: they move again.
void Server::on_session_room(Host& host, uint32_t session) {
  std::vector<std::pair<uint32_t, bool>> inbound;  // (relay, from_initiator)
  for (auto leg = relay_by_leg_.lower_bound(Leg{session, 0});
       leg != relay_by_leg_.end() && leg->first.session == session; ++leg) {
    const Relay& relay = relays_.at(leg->second);
    if (relay.phase == RelayPhase::kRelaying) inbound.emplace_back(leg->second, relay.responder == leg->first);
  }
  // They share the room, a chunk each in turn, so that one busy stream cannot take it all.
  constexpr size_t kTurn = 4 * 1024;
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& [relay, from_initiator] : inbound) {
      if (relays_.count(relay) != 0 && pump(host, relay, from_initiator, kTurn)) moved = true;
    }
  }
}

void Server::on_session_opened(Host& host, uint32_t session) {
  ClientSession& s = sessions_.at(session);
  SIM_ASSERT(s.conn.remote_static().has_value());
  s.client = *s.conn.remote_static();
  auto [it, inserted] = newest_by_client_.try_emplace(s.client, session);
  if (!inserted) {
    // dmsgsim: the newer session replaces the older one, which is closed.
    const uint32_t older = std::exchange(it->second, session);
    end_session(host, older, "replaced by a newer session from the same client");
  }
  host.log(sim::LogLevel::kDebug, "server", fmt::format("session {} open", session));
}

void Server::end_session(Host& host, uint32_t session, const std::string& reason) {
  if (sessions_.count(session) == 0) return;
  host.log(sim::LogLevel::kInfo, "server", fmt::format("session {} ended: {}", session, reason));
  sessions_.at(session).conn.close(host, reason);
  // Every stream the session carried ends, at both ends.
  end_relays_of(host, session, "a session it used ended");
  const ClientSession& ended = sessions_.at(session);
  auto newest = newest_by_client_.find(ended.client);
  if (newest != newest_by_client_.end() && newest->second == session) newest_by_client_.erase(newest);
  session_by_conn_.erase(ended.conn.conn());
  sessions_.erase(session);
  touched_.erase(session);
}

size_t Server::open_session_count() const {
  size_t open = 0;
  for (const auto& [id, s] : sessions_) open += s.conn.is_open() ? 1 : 0;
  return open;
}

size_t Server::mux_stream_count() const {
  size_t streams = 0;
  for (const auto& [id, s] : sessions_) streams += s.conn.is_open() ? s.conn.mux().stream_count() : 0;
  return streams;
}

// --- Relays ----------------------------------------------------------------------------------------

std::optional<uint32_t> Server::relay_of(uint32_t session, uint32_t stream) const {
  auto it = relay_by_leg_.find(Leg{session, stream});
  if (it == relay_by_leg_.end()) return std::nullopt;
  return it->second;
}

void Server::on_mux_event(Host& host, uint32_t session, const MuxEvent& event) {
  using Kind = MuxEvent::Kind;
  touched_.insert(session);
  if (event.kind == Kind::kIncoming) {
    Mux& mux = sessions_.at(session).conn.mux();
    while (std::optional<uint32_t> stream = mux.accept()) {
      const uint32_t id = next_relay_++;
      relays_[id].initiator = Leg{session, *stream};
      relay_by_leg_[Leg{session, *stream}] = id;
    }
    return;
  }
  if (event.kind == Kind::kGoAway) {
    host.log(sim::LogLevel::kDebug, "server", fmt::format("session {}: the client is going away", session));
    return;
  }
  const std::optional<uint32_t> id = relay_of(session, event.stream);
  if (!id) return;
  Relay& relay = relays_.at(*id);
  const bool from_initiator = relay.initiator == Leg{session, event.stream};
  switch (event.kind) {
    case Kind::kReset: {
      const uint32_t other_session = from_initiator ? relay.responder.session : relay.initiator.session;
      const bool answered = relay.phase != RelayPhase::kAwaitingRequest;
      end_relay(host, *id, fmt::format("{} leg reset: {}", from_initiator ? "initiator" : "responder", event.reason));
      if (options_.planted_bug == PlantedBug::kServerResetsPeerSession && answered &&
          event.reason == kWindowViolation) {
        end_relays_of(host, other_session, "planted bug: a window violation on another session");
      }
      return;
    }
    case Kind::kReadable:
    case Kind::kPeerClosed:
      if (relay.phase == RelayPhase::kRelaying) {
        pump(host, *id, from_initiator);
      } else if (relay.phase == RelayPhase::kAwaitingRequest) {
        on_request_bytes(host, *id);
      } else if (!from_initiator) {
        on_response_bytes(host, *id);
      }
      // A leg that closes before its dial was answered abandons the dial.
      if (event.kind == Kind::kPeerClosed && relays_.count(*id) != 0 &&
          relays_.at(*id).phase != RelayPhase::kRelaying) {
        end_relay(host, *id, "a leg closed before the dial was answered");
      }
      return;
    case Kind::kWritable:
      if (relay.phase == RelayPhase::kRelaying) pump(host, *id, !from_initiator);
      return;
    default:
      return;
  }
}

std::optional<ErrorCode> Server::check_request(uint32_t session, const StreamRequest& request) {
  ClientSession& s = sessions_.at(session);
  const std::optional<Key32> src = dh_keys_.of(request.src.pk);
  if (!src || *src != s.client) return ErrorCode::kRequestBadSrcPk;
  int64_t& last = s.last_timestamp[request.src.pk];
  if (request.timestamp <= last) return ErrorCode::kRequestStaleTimestamp;
  last = request.timestamp;
  if (request.src.port == 0) return ErrorCode::kRequestBadSrcPort;
  if (request.dst.port == 0) return ErrorCode::kRequestBadDstPort;
  if (!dh_keys_.of(request.dst.pk)) return ErrorCode::kRequestBadDstPk;
  return std::nullopt;
}

void Server::on_request_bytes(Host& host, uint32_t id) {
  Relay& relay = relays_.at(id);
  const uint32_t session = relay.initiator.session;
  SessionConn& from = sessions_.at(session).conn;
  std::optional<sim::Result<sim::Bytes>> object = from.take_object(relay.initiator.stream, relay.partial);
  if (!object) return;
  if (!object->ok()) {
    end_session(host, session, object->error().message);
    return;
  }
  const sim::Bytes& signed_request = object->value();
  const DecodedRequest decoded = decode_request(signed_request);
  if (decoded.error) {
    reject(host, id, hash_of(signed_request), *decoded.error);
    return;
  }
  const StreamRequest& request = decoded.request;
  if (const std::optional<ErrorCode> refused = check_request(session, request)) {
    reject(host, id, hash_of(signed_request), *refused);
    return;
  }
  const auto newest = newest_by_client_.find(*dh_keys_.of(request.dst.pk));
  SessionConn* to = newest == newest_by_client_.end() ? nullptr : live(newest->second);
  std::optional<uint32_t> stream = to ? to->mux().open(host.now()) : std::nullopt;
  if (!stream) {
    reject(host, id, hash_of(signed_request), ErrorCode::kNoSessionToDestination);
    return;
  }
  // Re-encrypted for the next hop; a fresh stream's window always takes one record.
  const sim::Bytes sealed = to->seal_object(signed_request);
  const size_t written = to->mux().write(*stream, sealed.data(), sealed.size());
  SIM_ASSERT_EQ(written, sealed.size());
  relay.phase = RelayPhase::kAwaitingResponse;
  relay.responder = Leg{newest->second, *stream};
  relay.responder_pk = request.dst.pk;
  relay.request_hash = hash_of(signed_request);
  relay_by_leg_[relay.responder] = id;
  touched_.insert(newest->second);
}

void Server::reject(Host& host, uint32_t id, const Hash32& request_hash, ErrorCode code) {
  const Relay& relay = relays_.at(id);
  host.log(sim::LogLevel::kInfo, "server",
           fmt::format("refusing a dial: {} {}", static_cast<int>(code), describe(code)));
  StreamResponse response;
  response.request_hash = request_hash;
  response.accepted = false;
  response.error = code;
  SessionConn* to = live(relay.initiator.session);
  // The dialer may have reset its leg in the very read that brought what is refused, its
  // event not handled yet: then nobody is left to tell.
  if (to != nullptr && to->mux().is_writable_stream(relay.initiator.stream)) {
    const sim::Bytes sealed = to->seal_object(sign_response(response, identity_));
    const size_t written = to->mux().write(relay.initiator.stream, sealed.data(), sealed.size());
    SIM_ASSERT_EQ(written, sealed.size());
    to->mux().close(relay.initiator.stream, host.now());
    touched_.insert(relay.initiator.session);
  }
  relay_by_leg_.erase(relay.initiator);
  relays_.erase(id);
}

void Server::on_response_bytes(Host& host, uint32_t id) {
  Relay& relay = relays_.at(id);
  const uint32_t session = relay.responder.session;
  std::optional<sim::Result<sim::Bytes>> object =
      sessions_.at(session).conn.take_object(relay.responder.stream, relay.partial);
  if (!object) return;
  if (!object->ok()) {
    end_session(host, session, object->error().message);
    return;
  }
  const DecodedResponse decoded = decode_response(object->value(), relay.responder_pk);
  SessionConn* initiator = live(relay.initiator.session);
  // The dialer may have reset its leg in the very read that brought the answer (a dial that
  // timed out, say), its event not handled yet: a fresh leg takes any answer, a reset none.
  if (!initiator || !initiator->mux().is_writable_stream(relay.initiator.stream)) {
    end_relay(host, id, "the dialer is gone");
    return;
  }
  if (decoded.error) {
    // The dialer learns why from this server; the responder's leg is reset.
    const Leg responder = relay.responder;
    relay_by_leg_.erase(responder);
    sessions_.at(session).conn.mux().reset(responder.stream);
    touched_.insert(session);
    reject(host, id, relay.request_hash, *decoded.error);
    return;
  }
  const sim::Bytes sealed = initiator->seal_object(object->value());
  const size_t written = initiator->mux().write(relay.initiator.stream, sealed.data(), sealed.size());
  SIM_ASSERT_EQ(written, sealed.size());
  touched_.insert(relay.initiator.session);
  if (!decoded.response.accepted) {
    // Refused: both legs close once the answer is on its way.
    initiator->mux().close(relay.initiator.stream, host.now());
    sessions_.at(session).conn.mux().close(relay.responder.stream, host.now());
    relay_by_leg_.erase(relay.initiator);
    relay_by_leg_.erase(relay.responder);
    relays_.erase(id);
    return;
  }
  relay.phase = RelayPhase::kRelaying;
  pump_both(host, id);
}

void Server::pump_both(Host& host, uint32_t id) {
  pump(host, id, true);
  if (relays_.count(id) != 0) pump(host, id, false);
}

std::optional<Server::RelayedBytes> Server::relayed(const Hash32& request_hash) const {
  for (const auto& [id, relay] : relays_) {
    if (relay.request_hash == request_hash) return RelayedBytes{relay.bytes_to_responder, relay.bytes_to_initiator};
  }
  return std::nullopt;
}

// Moves what the outgoing leg's window takes, passes a FIN on once everything before it
// went, and forgets the relay once both legs are finished.
bool Server::pump(Host& host, uint32_t id, bool from_initiator, size_t budget) {
  Relay& relay = relays_.at(id);
  const Leg from = from_initiator ? relay.initiator : relay.responder;
  const Leg to = from_initiator ? relay.responder : relay.initiator;
  SessionConn* src = live(from.session);
  SessionConn* dst = live(to.session);
  if (src == nullptr || dst == nullptr) {
    // A leg's session died and its end is still to be processed (both can happen within
    // one connection event): the relay cannot go on.
    end_relay(host, id, "a leg's session died");
    return false;
  }
  uint8_t chunk[kPumpChunk];
  bool moved = false;
  while (budget > 0) {
    const size_t n = std::min({src->mux().readable_bytes(from.stream), dst->mux().writable_bytes(to.stream),
                               dst->send_room(), kPumpChunk, budget});
    if (n == 0) break;
    const size_t got = src->mux().read(from.stream, chunk, n);
    ++chunks_relayed_;
    if (options_.planted_bug == PlantedBug::kRelayDropsChunk && chunks_relayed_ % 64 == 0) continue;
    const size_t put = dst->mux().write(to.stream, chunk, got);
    SIM_ASSERT_EQ(put, got);
    (from_initiator ? relay.bytes_to_responder : relay.bytes_to_initiator) += got;
    budget -= got;
    moved = true;
  }
  touched_.insert(from.session);
  touched_.insert(to.session);
  bool& fin_passed = from_initiator ? relay.fin_to_responder : relay.fin_to_initiator;
  if (!fin_passed && src->mux().is_drained(from.stream)) {
    fin_passed = true;
    dst->mux().close(to.stream, host.now());
  }
  if (!src->mux().has_stream(from.stream) && !dst->mux().has_stream(to.stream)) {
    relay_by_leg_.erase(relay.initiator);
    relay_by_leg_.erase(relay.responder);
    relays_.erase(id);
  }
  return moved;
}

void Server::end_relays_of(Host& host, uint32_t session, const std::string& reason) {
  std::vector<uint32_t> carried;
  for (auto leg = relay_by_leg_.lower_bound(Leg{session, 0});
       leg != relay_by_leg_.end() && leg->first.session == session; ++leg) {
    carried.push_back(leg->second);
  }
  for (uint32_t relay : carried) end_relay(host, relay, reason);
}

void Server::end_relay(Host& host, uint32_t id, const std::string& reason) {
  auto it = relays_.find(id);
  if (it == relays_.end()) return;
  const Relay relay = it->second;
  host.log(sim::LogLevel::kDebug, "server", fmt::format("relay {} ended: {}", id, reason));
  std::vector<Leg> legs = {relay.initiator};
  if (relay.phase != RelayPhase::kAwaitingRequest) legs.push_back(relay.responder);
  const bool keep_legs = options_.planted_bug == PlantedBug::kServerKeepsOtherLeg;
  for (const Leg& leg : legs) {
    SessionConn* conn = keep_legs ? nullptr : live(leg.session);
    if (conn != nullptr) {
      conn->mux().reset(leg.stream);
      touched_.insert(leg.session);
    }
    relay_by_leg_.erase(leg);
  }
  relays_.erase(it);
}

// --- Discovery -------------------------------------------------------------------------------------

void Server::post_entry(Host& host) {
  if (stopped_) return;
  if (post_in_flight_) return;
  Entry entry;
  entry.sequence = next_sequence_;
  entry.timestamp = host.wall_now().ns();
  const auto free = static_cast<int64_t>(options_.max_sessions) - static_cast<int64_t>(sessions_.size());
  entry.server = ServerPart{options_.address, static_cast<int32_t>(std::max<int64_t>(free, 0))};
  discovery_.post_entry(host, std::move(entry));
  post_in_flight_ = true;
}

void Server::on_discovery_results(Host& host) {
  for (const DiscoveryResult& result : discovery_.take_results()) {
    if (result.endpoint != Endpoint::kPostEntry) continue;
    post_in_flight_ = false;
    if (stopped_) continue;
    sim::Duration next = options_.post_interval;
    if (result.ok()) {
      next_sequence_ = result.posted_sequence + 1;
    } else {
      host.log(sim::LogLevel::kInfo, "server", fmt::format("posting the entry failed: {}", result.reason));
      next = options_.post_retry;
    }
    if (post_timer_) host.cancel_timer(*post_timer_);
    post_timer_ = host.set_timer(next, kPostTimer, 0);
  }
}

}  // namespace dmsg
