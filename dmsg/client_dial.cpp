// Dialing through a shared server, and answering dials: section 4 of the protocol notes.
#include "dmsg/client.h"

#include "sim/assert.h"
#include "sim/fmt.h"

#include <set>

namespace dmsg {

// --- Listeners and ports ---------------------------------------------------------------------------

std::optional<uint16_t> Client::allocate_port() {
  std::set<uint16_t> used;
  for (const auto& [id, s] : streams_) used.insert(s.local.port);
  constexpr uint32_t kRange = 65536 - kEphemeralFirst;
  uint16_t& next =
      options_.planted_bug == PlantedBug::kClientPortOutsideSnapshot ? unsaved_next_ephemeral_ : next_ephemeral_;
  // Never loops forever: at most one pass over the range.
  for (uint32_t tried = 0; tried < kRange; ++tried) {
    const uint16_t port = next;
    next = port == 65535 ? kEphemeralFirst : static_cast<uint16_t>(port + 1);
    if (used.count(port) == 0 && listeners_.count(port) == 0) return port;
  }
  return std::nullopt;
}

ErrorCode Client::listen(uint16_t port) {
  if (port == 0 || listeners_.count(port) != 0) return ErrorCode::kPortOccupied;
  for (const auto& [id, s] : streams_) {
    if (s.initiator && s.local.port == port) return ErrorCode::kPortOccupied;
  }
  listeners_[port] = Listener{};
  return ErrorCode::kOk;
}

void Client::unlisten(Host& host, uint16_t port) {
  auto it = listeners_.find(port);
  if (it == listeners_.end()) return;
  const std::vector<uint32_t> queued = it->second.queue;
  listeners_.erase(it);
  // dmsgsim: streams still waiting in the backlog are closed (upstream leaves them open).
  for (uint32_t id : queued) {
    if (streams_.count(id) == 0) continue;
    if (Mux* mux = mux_of(streams_.at(id))) mux->reset(streams_.at(id).mux_stream);
    forget(id);
  }
  finish_call(host);
}

std::optional<uint32_t> Client::accept(uint16_t port) {
  auto it = listeners_.find(port);
  if (it == listeners_.end()) return std::nullopt;
  while (!it->second.queue.empty()) {
    const uint32_t id = it->second.queue.front();
    it->second.queue.erase(it->second.queue.begin());
    auto stream = streams_.find(id);
    if (stream == streams_.end() || stream->second.phase != StreamPhase::kQueued) continue;
    stream->second.phase = StreamPhase::kOpen;
    return id;
  }
  return std::nullopt;
}

size_t Client::queued(uint16_t port) const {
  auto it = listeners_.find(port);
  return it == listeners_.end() ? 0 : it->second.queue.size();
}

// --- Dialing ---------------------------------------------------------------------------------------

uint32_t Client::dial(Host& host, const PublicKey& pk, uint16_t port) {
  const uint32_t id = next_stream_++;
  ClientStream& s = streams_[id];
  s.initiator = true;
  s.remote = Address{pk, port};
  s.local.pk = identity_.public_key();
  s.deadline = host.now() + options_.dial_timeout;
  const std::optional<uint16_t> local_port = allocate_port();
  if (stopped_) {
    fail_dial(host, id, ErrorCode::kEntityClosed, "the client is stopped");
  } else if (!local_port) {
    fail_dial(host, id, ErrorCode::kPortOccupied, "every ephemeral port is taken");
  } else if (port == 0) {
    fail_dial(host, id, ErrorCode::kRequestBadDstPort, "port 0 cannot be dialed");
  } else {
    s.local.port = *local_port;
    s.phase = StreamPhase::kResolving;
    lookups_[discovery_.get_entry(host, pk)] = Lookup{Lookup::Purpose::kDialTarget, id, {}, {}};
  }
  finish_call(host);
  return id;
}

void Client::on_dial_lookup(Host& host, const Lookup& lookup, const DiscoveryResult& result) {
  ClientStream& s = streams_.at(lookup.stream);
  if (lookup.purpose == Lookup::Purpose::kDialServer) {
    if (s.phase != StreamPhase::kAwaitingSession || s.server != lookup.server) return;
    if (result.ok() && result.entry && !result.entry->server) ++s.not_servers;
    if (!server_addresses_.count(lookup.server) || !start_session(host, lookup.server)) ++s.candidate;
    advance_dial(host, lookup.stream);
    return;
  }
  if (s.phase != StreamPhase::kResolving) return;
  if (!result.ok()) {
    fail_dial(host, lookup.stream, ErrorCode::kEntryNotFound,
              result.outcome == DiscoveryResult::Outcome::kAnswered ? std::string(describe(result.status))
                                                                    : "discovery: " + result.reason);
    return;
  }
  if (!result.entry->client) {
    fail_dial(host, lookup.stream, ErrorCode::kNotAClient, "the entry has no client part");
    return;
  }
  if (result.entry->client->delegated_servers.empty()) {
    fail_dial(host, lookup.stream, ErrorCode::kNoDelegatedServers, "the entry lists no delegated servers");
    return;
  }
  s.candidates = result.entry->client->delegated_servers;
  s.candidate = 0;
  advance_dial(host, lookup.stream);
}

// A delegated server this client already has a session with comes first; otherwise each is
// tried in order (a session opened to it) until one works.
void Client::advance_dial(Host& host, uint32_t id) {
  ClientStream& s = streams_.at(id);
  for (const PublicKey& server : s.candidates) {
    if (open_session(server)) {
      send_request(host, id, server);
      return;
    }
  }
  s.phase = StreamPhase::kAwaitingSession;
  while (s.candidate < s.candidates.size()) {
    const PublicKey server = s.candidates[s.candidate];
    s.server = server;
    auto session = sessions_.find(server);
    if (session != sessions_.end()) {
      if (!session->second.going_away) return;  // being set up: wait for it
    } else if (server_addresses_.count(server) != 0) {
      if (start_session(host, server)) return;
    } else {
      lookups_[discovery_.get_entry(host, server)] = Lookup{Lookup::Purpose::kDialServer, id, server, {}};
      return;
    }
    ++s.candidate;
  }
  if (s.not_servers == s.candidates.size()) {
    fail_dial(host, id, ErrorCode::kNotAServer, "no delegated server of the destination is a server");
    return;
  }
  fail_dial(host, id, ErrorCode::kCannotConnectToDelegated, "no delegated server of the destination is reachable");
}

void Client::send_request(Host& host, uint32_t id, const PublicKey& server) {
  ClientStream& s = streams_.at(id);
  ClientSession& session = sessions_.at(server);
  std::optional<StreamHandshake> handshake = StreamHandshake::initiator(identity_, s.remote.pk);
  if (!handshake) {
    fail_dial(host, id, ErrorCode::kRequestBadDstPk, "the destination key is not a valid point");
    return;
  }
  const std::optional<uint32_t> stream = session.conn.mux().open(host.now());
  if (!stream) {
    fail_dial(host, id, ErrorCode::kSessionClosed, "the session takes no new streams");
    return;
  }
  sim::Result<sim::Bytes> first = handshake->first_message(host.rng());
  SIM_ASSERT(first.ok());
  StreamRequest request;
  // At least one above the last request sent on this session, whatever the clock does.
  request.timestamp = std::max(host.wall_now().ns(), session.last_request_timestamp + 1);
  session.last_request_timestamp = request.timestamp;
  request.src = s.local;
  request.dst = s.remote;
  request.noise_message = std::move(first.value());
  const sim::Bytes signed_request = sign_request(request, identity_);
  const sim::Bytes sealed = session.conn.seal_object(signed_request);
  const size_t written = session.conn.mux().write(*stream, sealed.data(), sealed.size());
  SIM_ASSERT_EQ(written, sealed.size());
  s.phase = StreamPhase::kAwaitingResponse;
  s.server = server;
  s.mux_stream = *stream;
  s.has_mux_stream = true;
  s.handshake = std::move(*handshake);
  s.request_hash = hash_of(signed_request);
  index(id);
}

uint32_t Client::dial_raw(Host& host, const PublicKey& server, const sim::Bytes& signed_request, const Address& dst) {
  const uint32_t id = next_stream_++;
  ClientStream& s = streams_[id];
  s.initiator = true;
  s.remote = dst;
  s.local = Address{identity_.public_key(), 0};
  s.server = server;
  s.deadline = host.now() + options_.dial_timeout;
  ClientSession* session = open_session(server);
  const std::optional<uint32_t> stream = session ? session->conn.mux().open(host.now()) : std::nullopt;
  // No stream handshake: the request's own noise message is the caller's, so an acceptance
  // could not be finished here (on_response refuses it). A flood of raw dials costs no X25519.
  if (!stream) {
    fail_dial(host, id, ErrorCode::kSessionClosed, "no open session to that server");
    finish_call(host);
    return id;
  }
  const sim::Bytes sealed = session->conn.seal_object(signed_request);
  const size_t written = session->conn.mux().write(*stream, sealed.data(), sealed.size());
  SIM_ASSERT_EQ(written, sealed.size());
  s.phase = StreamPhase::kAwaitingResponse;
  s.mux_stream = *stream;
  s.has_mux_stream = true;
  s.request_hash = hash_of(signed_request);
  index(id);
  finish_call(host);
  return id;
}

void Client::on_response(Host& host, uint32_t id, const sim::Bytes& signed_response) {
  ClientStream& s = streams_.at(id);
  DecodedResponse decoded = decode_response(signed_response, s.remote.pk);
  if (decoded.error == ErrorCode::kResponseBadSignature) {
    // The server itself answers when it cannot forward the request (307, 30x); it only
    // ever refuses.
    DecodedResponse by_server = decode_response(signed_response, s.server);
    if (!by_server.error && !by_server.response.accepted) decoded = std::move(by_server);
  }
  if (decoded.error) {
    fail_dial(host, id, *decoded.error, "the response was refused");
    return;
  }
  const StreamResponse& response = decoded.response;
  if (response.request_hash != s.request_hash) {
    fail_dial(host, id, ErrorCode::kResponseWrongRequestHash, "the response answers another request");
    return;
  }
  if (!response.accepted) {
    const ErrorCode code = response.error == ErrorCode::kOk ? ErrorCode::kRejectedWithoutReason : response.error;
    fail_dial(host, id, code, std::string(describe(code)));
    return;
  }
  if (!s.handshake.is_started()) {
    fail_dial(host, id, ErrorCode::kRejectedWithoutReason,
              "accepted, but a raw dial has no stream handshake to finish");
    return;
  }
  const sim::Status finished = s.handshake.finish(response.noise_message);
  if (!finished.ok()) {
    fail_dial(host, id, ErrorCode::kRejectedWithoutReason, "stream handshake: " + finished.error().message);
    return;
  }
  const auto [send, receive] = s.handshake.ciphers();
  s.records = RecordStream(send, receive);
  s.handshake = StreamHandshake{};
  s.phase = StreamPhase::kOpen;
  s.deadline = sim::Instant::zero();
  events_.push_back({ClientEvent::Kind::kDialed, id, s.local.port, ErrorCode::kOk, false, s.server, ""});
  pull(host, id);  // bytes the peer sent right after accepting
}

void Client::fail_dial(Host& host, uint32_t id, ErrorCode error, const std::string& reason, bool timed_out) {
  ClientStream& s = streams_.at(id);
  host.log(sim::LogLevel::kInfo, "client",
           fmt::format("dial {} failed: {} {} ({})", id, static_cast<int>(error), describe(error), reason));
  if (Mux* mux = mux_of(s)) mux->reset(s.mux_stream);
  events_.push_back({ClientEvent::Kind::kDialed, id, s.local.port, error, timed_out, s.server, reason});
  forget(id);
}

// --- Answering -------------------------------------------------------------------------------------

void Client::on_incoming(Host& host, const PublicKey& server) {
  Mux& mux = sessions_.at(server).conn.mux();
  while (std::optional<uint32_t> stream = mux.accept()) {
    const uint32_t id = next_stream_++;
    ClientStream& s = streams_[id];
    s.phase = StreamPhase::kAwaitingRequest;
    s.server = server;
    s.mux_stream = *stream;
    s.has_mux_stream = true;
    s.deadline = host.now() + options_.dial_timeout;
    index(id);
  }
}

std::optional<ErrorCode> Client::check_request(ClientSession& session, const StreamRequest& request) const {
  if (request.dst.pk != identity_.public_key()) return ErrorCode::kRequestBadDstPk;
  int64_t& last = session.last_seen_timestamp[request.src.pk];
  if (request.timestamp <= last) return ErrorCode::kRequestStaleTimestamp;
  last = request.timestamp;
  if (request.src.port == 0) return ErrorCode::kRequestBadSrcPort;
  if (request.dst.port == 0) return ErrorCode::kRequestBadDstPort;
  auto listener = listeners_.find(request.dst.port);
  if (listener == listeners_.end()) return ErrorCode::kNoListener;
  if (listener->second.queue.size() >= options_.listen_backlog &&
      options_.planted_bug != PlantedBug::kBacklogNeverRejects) {
    return ErrorCode::kAcceptBacklogFull;
  }
  return std::nullopt;
}

void Client::on_request(Host& host, uint32_t id, const sim::Bytes& signed_request) {
  ClientStream& s = streams_.at(id);
  ClientSession& session = sessions_.at(s.server);
  const DecodedRequest decoded = decode_request(signed_request);
  if (decoded.error) {
    refuse(host, id, signed_request, *decoded.error);
    return;
  }
  const StreamRequest& request = decoded.request;
  if (const std::optional<ErrorCode> refused = check_request(session, request)) {
    refuse(host, id, signed_request, *refused);
    return;
  }
  if (options_.faults.refuse_without_reason) {
    refuse(host, id, signed_request, ErrorCode::kOk);
    return;
  }
  std::optional<StreamHandshake> handshake = StreamHandshake::responder(identity_, request.src.pk);
  if (!handshake) {
    refuse(host, id, signed_request, ErrorCode::kRequestBadSrcPk);
    return;
  }
  sim::Result<sim::Bytes> second = handshake->answer(request.noise_message, host.rng());
  if (!second.ok()) {
    refuse(host, id, signed_request, ErrorCode::kRejectedWithoutReason);
    return;
  }
  StreamResponse response;
  response.request_hash = hash_of(signed_request);
  response.accepted = true;
  response.noise_message = std::move(second.value());
  if (options_.faults.wrong_response_hash) response.request_hash[0] ^= 1;
  sim::Bytes signed_response = sign_response(response, identity_);
  if (options_.faults.corrupt_response_signature) signed_response.back() ^= 1;
  const sim::Bytes sealed = session.conn.seal_object(signed_response);
  const size_t written = session.conn.mux().write(s.mux_stream, sealed.data(), sealed.size());
  SIM_ASSERT_EQ(written, sealed.size());
  const auto [send, receive] = handshake->ciphers();
  s.records = RecordStream(send, receive);
  s.local = request.dst;
  s.remote = request.src;
  // dmsgsim: the backlog slot is taken before answering, so a full backlog refuses (401).
  s.phase = StreamPhase::kQueued;
  s.deadline = sim::Instant::zero();
  listeners_.at(request.dst.port).queue.push_back(id);
  events_.push_back({ClientEvent::Kind::kIncoming, id, request.dst.port, ErrorCode::kOk, false, s.server, ""});
  pull(host, id);
}

void Client::refuse(Host& host, uint32_t id, const sim::Bytes& signed_request, ErrorCode error) {
  ClientStream& s = streams_.at(id);
  host.log(sim::LogLevel::kInfo, "client",
           fmt::format("refusing a dial: {} {}", static_cast<int>(error), describe(error)));
  StreamResponse response;
  response.request_hash = hash_of(signed_request);
  response.accepted = false;
  response.error = error;
  SessionConn& conn = sessions_.at(s.server).conn;
  const sim::Bytes sealed = conn.seal_object(sign_response(response, identity_));
  const size_t written = conn.mux().write(s.mux_stream, sealed.data(), sealed.size());
  SIM_ASSERT_EQ(written, sealed.size());
  conn.mux().close(s.mux_stream, host.now());
  forget(id);
}

}  // namespace dmsg
