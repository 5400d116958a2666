// The client's sessions: finding servers, keeping MinSessions, reconnecting, its entry.
#include "dmsg/client.h"

#include "sim/assert.h"
#include "sim/fmt.h"

#include <algorithm>

namespace dmsg {

std::string json_key(const MuxRef& ref) { return fmt::format("{}/{}", short_key(ref.server), ref.stream); }

Client::Client(Identity identity, ClientOptions options)
    : identity_(std::move(identity)), options_(std::move(options)), discovery_(options_.discovery_address, identity_) {}

void Client::start(Host& host) {
  SIM_ASSERT(!started_);
  started_ = true;
  recheck_at_ = host.now() + options_.recheck_interval;
  refresh_servers(host);
  finish_call(host);
}

void Client::stop(Host& host) {
  if (stopped_) return;
  stopped_ = true;
  std::vector<uint32_t> handles;
  for (const auto& [id, s] : streams_) handles.push_back(id);
  for (uint32_t id : handles) {
    if (streams_.count(id) == 0) continue;
    ClientStream& s = streams_.at(id);
    if (s.phase == StreamPhase::kResolving || s.phase == StreamPhase::kAwaitingSession ||
        s.phase == StreamPhase::kAwaitingResponse) {
      fail_dial(host, id, ErrorCode::kEntityClosed, "the client stopped");
    } else {
      break_stream(host, id, ErrorCode::kEntityClosed, "the client stopped");
    }
  }
  std::vector<PublicKey> servers;
  for (const auto& [pk, s] : sessions_) servers.push_back(pk);
  for (const PublicKey& pk : servers) {
    sessions_.at(pk).conn.shut_down(host, "the client stopped");
    end_session(host, pk, "the client stopped");
  }
  for (const auto& [conn, silent] : silent_conns_) host.close(conn);
  silent_conns_.clear();
  const uint32_t request = discovery_.delete_entry(host);
  lookups_[request] = Lookup{Lookup::Purpose::kDelete, 0, {}, {}};
  finish_call(host);
}

// --- Inputs ----------------------------------------------------------------------------------------

void Client::on_conn_event(Host& host, const ConnEvent& event) {
  if (discovery_.owns_conn(event.conn)) {
    discovery_.on_conn_event(host, event);
    on_discovery_results(host);
  } else if (auto it = session_by_conn_.find(event.conn); it != session_by_conn_.end()) {
    const PublicKey server = it->second;
    SessionConn& conn = sessions_.at(server).conn;
    conn.on_conn_event(host, event);
    on_session_events(host, server);
  } else if (silent_conns_.count(event.conn) != 0) {
    on_silent_conn_event(host, event);
  }
  finish_call(host);
}

void Client::on_timer(Host& host, uint64_t timer_id, uint64_t) {
  if (discovery_.owns_timer(timer_id)) {
    discovery_.on_timer(host, timer_id);
    on_discovery_results(host);
  } else {
    SIM_ASSERT_EQ(timer_id, kWakeTimer);
    wakeup_.fired();
    on_tick(host);
  }
  finish_call(host);
}

void Client::on_tick(Host& host) {
  const sim::Instant now = host.now();
  std::vector<PublicKey> due_sessions;
  for (const auto& [pk, s] : sessions_) {
    const std::optional<sim::Instant> deadline = s.conn.deadline();
    if (deadline && *deadline <= now) due_sessions.push_back(pk);
  }
  for (const PublicKey& pk : due_sessions) {
    if (sessions_.count(pk) == 0) continue;
    sessions_.at(pk).conn.on_tick(host);
    on_session_events(host, pk);
  }
  std::vector<uint32_t> due_streams;
  for (const auto& [id, s] : streams_) {
    if (s.deadline != sim::Instant::zero() && s.deadline <= now) due_streams.push_back(id);
  }
  for (uint32_t id : due_streams) {
    if (streams_.count(id) == 0) continue;
    ClientStream& s = streams_.at(id);
    if (s.phase == StreamPhase::kResolving || s.phase == StreamPhase::kAwaitingSession ||
        s.phase == StreamPhase::kAwaitingResponse) {
      fail_dial(host, id, ErrorCode::kOk, fmt::format("no answer within {}", options_.dial_timeout), true);
    } else {
      // A request that never came, or a closed stream whose peer never took its last bytes.
      if (Mux* mux = mux_of(s)) mux->reset(s.mux_stream);
      if (s.phase == StreamPhase::kAwaitingRequest || s.app_closed) forget(id);
    }
  }
  if (retry_at_ && *retry_at_ <= now) {
    retry_at_.reset();
    refresh_servers(host);
  }
  if (repost_at_ && *repost_at_ <= now) {
    repost_at_.reset();
    post_entry_if_changed(host);
  }
  if (recheck_at_ <= now) {
    recheck_at_ = now + options_.recheck_interval;
    // MinSessions 0 means every available server: only a fresh look finds new ones.
    const bool gave_up = options_.planted_bug == PlantedBug::kClientNeverReconnects;
    // The planted slow reconnect waits its whole delay out, rechecks included.
    const bool waiting_out = options_.planted_bug == PlantedBug::kClientSlowReconnect && retry_at_.has_value();
    const bool short_of_servers = sessions_.size() < wanted_sessions() || options_.min_sessions == 0;
    if (!stopped_ && !gave_up && !waiting_out && short_of_servers) refresh_servers(host);
  }
}

// Flushing can give a session room again (kRoom), which streams fill: until quiet.
void Client::finish_call(Host& host) {
  for (bool again = true; again;) {
    again = false;
    std::vector<PublicKey> with_events;
    std::vector<PublicKey> due;
    for (const auto& [pk, s] : sessions_) {
      if (s.conn.needs_flush() || s.conn.has_events()) due.push_back(pk);
    }
    for (const PublicKey& pk : due) {
      SessionConn& conn = sessions_.at(pk).conn;
      conn.flush(host);
      if (conn.has_events()) with_events.push_back(pk);
    }
    for (const PublicKey& pk : with_events) {
      on_session_events(host, pk);
      again = true;
    }
  }
  std::optional<sim::Instant> next;
  if (!stopped_) next = earliest(next, recheck_at_);
  next = earliest(next, retry_at_);
  next = earliest(next, repost_at_);
  for (const auto& [pk, s] : sessions_) next = earliest(next, s.conn.deadline());
  for (const auto& [id, s] : streams_) {
    if (s.deadline != sim::Instant::zero()) next = earliest(next, s.deadline);
  }
  wakeup_.arm(host, next);
}

// --- Sessions --------------------------------------------------------------------------------------

size_t Client::wanted_sessions() const {
  if (options_.min_sessions == 0) return std::max<size_t>(known_servers_.size(), 1);
  return options_.min_sessions;
}

void Client::refresh_servers(Host& host) {
  if (stopped_) return;
  for (const auto& [id, lookup] : lookups_) {
    if (lookup.purpose == Lookup::Purpose::kServers) return;  // one at a time
  }
  lookups_[discovery_.available_servers(host)] = Lookup{Lookup::Purpose::kServers, 0, {}, {}};
}

// Starts sessions to known servers until there are enough; when there are not enough
// servers to try, the next attempt waits for the backoff.
void Client::maintain(Host& host) {
  if (stopped_) return;
  // With MinSessions 0 the client wants every server it found: a session to a server the
  // last list lacks (one a dial started) does not stand in for a listed one.
  const bool every_known = options_.min_sessions == 0;
  size_t have = 0;
  for (const auto& [pk, s] : sessions_) {
    const bool listed = std::find(known_servers_.begin(), known_servers_.end(), pk) != known_servers_.end();
    have += s.going_away || (every_known && !listed) ? 0 : 1;
  }
  for (const PublicKey& server : known_servers_) {
    if (have >= wanted_sessions()) break;
    if (sessions_.count(server) != 0) continue;
    if (start_session(host, server)) ++have;
  }
  if (have < wanted_sessions() && !retry_at_) {
    const sim::Duration delay = backoff_.next(host.rng());
    retry_at_ = host.now() + delay;
    host.log(sim::LogLevel::kInfo, "client",
             fmt::format("{} of {} sessions; looking again in {}", have, wanted_sessions(), delay));
  }
}

bool Client::start_session(Host& host, const PublicKey& server) {
  // One session per server: one that exists (perhaps still being set up, for another dial
  // that looked the server up at the same time) serves, unless it is going away.
  if (auto existing = sessions_.find(server); existing != sessions_.end()) return !existing->second.going_away;
  if (stopped_) return false;
  const std::optional<Key32> server_static = dh_keys_.of(server);
  if (!server_static) return false;  // not a valid key: no session can be made
  const std::optional<ConnId> conn = connect_to(host, server);
  if (!conn) return false;
  sessions_[server] = ClientSession{
      SessionConn::client(*conn, identity_, *server_static, options_.mux, host.now()), false, false, 0, {}};
  if (deaf_) sessions_.at(server).conn.set_deaf(host, true);  // a hostile peer's new session
  session_by_conn_[*conn] = server;
  return true;
}

std::optional<ConnId> Client::connect_to(Host& host, const PublicKey& server) {
  auto address = server_addresses_.find(server);
  if (address == server_addresses_.end()) return std::nullopt;
  const std::string& text = address->second;
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  uint32_t port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || (port = port * 10 + static_cast<uint32_t>(c - '0')) > 65535) return std::nullopt;
  }
  return host.connect(text.substr(0, colon), static_cast<uint16_t>(port));
}

Client::ClientSession* Client::open_session(const PublicKey& server) {
  auto it = sessions_.find(server);
  if (it == sessions_.end() || !it->second.conn.is_open() || it->second.going_away) return nullptr;
  return sessions_.find_mutable(server);
}

void Client::on_session_events(Host& host, const PublicKey& server) {
  while (sessions_.count(server) != 0) {
    std::vector<SessionEvent> events = sessions_.at(server).conn.take_events();
    if (events.empty()) return;
    for (const SessionEvent& e : events) {
      if (sessions_.count(server) == 0) return;
      // Handling an earlier event can kill the session; its kDied comes in the next round,
      // and what it carried is not acted on meanwhile.
      const bool dead = sessions_.at(server).conn.phase() == SessionConn::Phase::kDead;
      if (dead && e.kind != SessionEvent::Kind::kDied) continue;
      switch (e.kind) {
        case SessionEvent::Kind::kOpened:
          on_session_opened(host, server);
          break;
        case SessionEvent::Kind::kMux:
          on_mux_event(host, server, e.mux);
          break;
        case SessionEvent::Kind::kDied:
          end_session(host, server, e.reason);
          return;
        case SessionEvent::Kind::kRoom:
          on_session_room(host, server);
          break;
      }
    }
  }
}

// The session's queue has room again: the streams waiting for it share it, a chunk each in
// turn, so that one busy stream cannot take it all.
void Client::on_session_room(Host& host, const PublicKey& server) {
  constexpr size_t kTurn = 4 * 1024;
  std::vector<uint32_t> waiting;
  for (const auto& [id, s] : streams_) {
    if (s.server == server && !s.out.empty()) waiting.push_back(id);
  }
  for (bool moved = true; moved;) {
    moved = false;
    for (uint32_t id : waiting) {
      if (streams_.count(id) != 0 && flush_out(host, id, kTurn)) moved = true;
    }
  }
  for (uint32_t id : waiting) {
    if (streams_.count(id) == 0) continue;
    maybe_tell_writable(id);
    maybe_forget(id);
  }
}

void Client::on_session_opened(Host& host, const PublicKey& server) {
  sessions_.at(server).opened = true;
  backoff_.reset();
  retry_at_.reset();
  events_.push_back({ClientEvent::Kind::kSessionOpened, 0, 0, ErrorCode::kOk, false, server, ""});
  post_entry_if_changed(host);
  std::vector<uint32_t> waiting;
  for (const auto& [id, s] : streams_) {
    if (s.phase == StreamPhase::kAwaitingSession && s.server == server) waiting.push_back(id);
  }
  for (uint32_t id : waiting) advance_dial(host, id);
}

void Client::end_session(Host& host, const PublicKey& server, const std::string& reason) {
  ClientSession* ending = sessions_.find_mutable(server);
  if (ending == nullptr) return;
  const bool was_open = ending->opened;
  ending->conn.close(host, reason);
  session_by_conn_.erase(ending->conn.conn());
  sessions_.erase(server);
  host.log(sim::LogLevel::kInfo, "client", fmt::format("session to {} ended: {}", short_key(server), reason));
  if (was_open) events_.push_back({ClientEvent::Kind::kSessionClosed, 0, 0, ErrorCode::kOk, false, server, reason});
  // Every stream the session carried ends now; dials waiting for it try their next server.
  std::vector<uint32_t> affected;
  for (const auto& [id, s] : streams_) {
    if (s.server == server && s.phase != StreamPhase::kResolving) affected.push_back(id);
  }
  for (uint32_t id : affected) {
    ClientStream& s = streams_.at(id);
    if (s.phase == StreamPhase::kAwaitingSession) {
      ++s.candidate;
      advance_dial(host, id);
    } else if (s.phase == StreamPhase::kAwaitingResponse) {
      fail_dial(host, id, ErrorCode::kSessionClosed, "the session closed: " + reason);
    } else {
      break_stream(host, id, ErrorCode::kSessionClosed, "the session closed: " + reason);
    }
  }
  if (stopped_) return;
  post_entry_if_changed(host);
  if (was_open && options_.planted_bug == PlantedBug::kClientNeverReconnects) return;
  if (was_open && options_.planted_bug == PlantedBug::kClientSlowReconnect) {
    retry_at_ = host.now() + Backoff::kCap * 2;
  } else if (was_open) {
    // A lost session: look for servers at once; failures after that back off.
    retry_at_.reset();
    refresh_servers(host);
  } else if (!retry_at_) {
    // A failed attempt waits for the backoff: a server that refuses at once (a killed
    // process still listed in discovery) must not be retried at the network's pace.
    const sim::Duration delay = backoff_.next(host.rng());
    retry_at_ = host.now() + delay;
    host.log(sim::LogLevel::kInfo, "client", fmt::format("session attempt failed; looking again in {}", delay));
  }
}

std::vector<PublicKey> Client::delegated_servers() const {
  std::vector<PublicKey> servers;
  for (const auto& [pk, s] : sessions_) {
    if (s.conn.is_open() && !s.going_away) servers.push_back(pk);
  }
  return servers;
}

size_t Client::mux_stream_count() const {
  size_t count = 0;
  for (const auto& [pk, s] : sessions_) count += s.conn.is_open() ? s.conn.mux().stream_count() : 0;
  return count;
}

// --- Discovery -------------------------------------------------------------------------------------

void Client::post_entry_if_changed(Host& host) {
  if (stopped_ || post_in_flight_) return;
  std::vector<PublicKey> delegated = delegated_servers();
  // Nothing is published before the first session: a dialer then learns "not found".
  if (!posted_ && delegated.empty() && next_sequence_ == 0) return;
  if (posted_ && *posted_ == delegated) return;
  Entry entry;
  entry.sequence = next_sequence_;
  entry.timestamp = host.wall_now().ns();
  entry.client = ClientPart{delegated};
  lookups_[discovery_.post_entry(host, std::move(entry))] = Lookup{Lookup::Purpose::kPost, 0, {}, delegated};
  post_in_flight_ = true;
}

void Client::on_discovery_results(Host& host) {
  for (const DiscoveryResult& result : discovery_.take_results()) {
    auto it = lookups_.find(result.id);
    if (it == lookups_.end()) continue;
    const Lookup lookup = it->second;
    lookups_.erase(it);
    on_lookup(host, lookup, result);
  }
}

void Client::on_lookup(Host& host, const Lookup& lookup, const DiscoveryResult& result) {
  switch (lookup.purpose) {
    case Lookup::Purpose::kServers:
      if (result.ok()) {
        known_servers_.clear();
        for (const Entry& e : result.entries) {
          if (!e.server) continue;
          known_servers_.push_back(e.static_pk);
          server_addresses_[e.static_pk] = e.server->address;
        }
      } else {
        host.log(sim::LogLevel::kInfo, "client", fmt::format("asking for servers failed: {}", result.reason));
      }
      maintain(host);
      return;
    case Lookup::Purpose::kPost:
      post_in_flight_ = false;
      if (result.ok()) {
        posted_ = lookup.posted;
        next_sequence_ = result.posted_sequence + 1;
        post_entry_if_changed(host);  // the sessions may have changed meanwhile
      } else if (!stopped_) {
        host.log(sim::LogLevel::kInfo, "client", fmt::format("posting the entry failed: {}", result.reason));
        // A post given up on may still land later: what discovery holds is unknown until
        // the next post succeeds. Found by the chaos run after a partition healed.
        posted_.reset();
        repost_at_ = host.now() + Backoff::kFirst;
      }
      return;
    case Lookup::Purpose::kDelete:
      return;
    case Lookup::Purpose::kDialTarget:
    case Lookup::Purpose::kDialServer:
      if (streams_.count(lookup.stream) == 0) return;
      if (lookup.purpose == Lookup::Purpose::kDialServer && result.ok() && result.entry && result.entry->server) {
        server_addresses_[lookup.server] = result.entry->server->address;
      }
      on_dial_lookup(host, lookup, result);
      return;
  }
}

}  // namespace dmsg
