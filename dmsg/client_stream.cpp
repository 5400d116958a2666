// Streams of the client: records over the mux, backpressure, the end of a stream.
#include "dmsg/client.h"

#include "sim/assert.h"
#include "sim/fmt.h"

#include <algorithm>

namespace dmsg {
namespace {

constexpr size_t kChunk = 16 * 1024;
constexpr size_t kRecordOverhead = RecordSealer::sealed_size(0);

}  // namespace

std::string_view enum_name(StreamPhase phase) {
  switch (phase) {
    case StreamPhase::kResolving:
      return "resolving";
    case StreamPhase::kAwaitingSession:
      return "awaiting_session";
    case StreamPhase::kAwaitingResponse:
      return "awaiting_response";
    case StreamPhase::kAwaitingRequest:
      return "awaiting_request";
    case StreamPhase::kQueued:
      return "queued";
    case StreamPhase::kOpen:
      return "open";
    case StreamPhase::kBroken:
      return "broken";
  }
  return "unknown";
}

const ClientStream* Client::stream(uint32_t handle) const {
  auto it = streams_.find(handle);
  return it == streams_.end() || it->second.app_closed ? nullptr : &it->second;
}

Mux* Client::mux_of(const ClientStream& s) {
  if (!s.has_mux_stream) return nullptr;
  ClientSession* session = sessions_.find_mutable(s.server);
  if (session == nullptr || !session->conn.is_open()) return nullptr;
  return &session->conn.mux();
}

void Client::index(uint32_t id) {
  const ClientStream& s = streams_.at(id);
  SIM_ASSERT(s.has_mux_stream);
  stream_by_mux_[MuxRef{s.server, s.mux_stream}] = id;
}

void Client::forget(uint32_t id) {
  auto it = streams_.find(id);
  SIM_ASSERT(it != streams_.end());
  const ClientStream& s = it->second;
  if (s.has_mux_stream) {
    auto ref = stream_by_mux_.find(MuxRef{s.server, s.mux_stream});
    if (ref != stream_by_mux_.end() && ref->second == id) stream_by_mux_.erase(ref);
  }
  if (s.phase == StreamPhase::kQueued) {
    auto listener = listeners_.find(s.local.port);
    if (listener != listeners_.end()) std::erase(listener->second.queue, id);
  }
  streams_.erase(it);
}

// A stream the application closed is forgotten once its FIN went and the mux let it go.
void Client::maybe_forget(uint32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end() || !it->second.app_closed) return;
  const Mux* mux = mux_of(it->second);
  if (mux == nullptr || (it->second.fin_sent && !mux->has_stream(it->second.mux_stream))) forget(id);
}

// --- Mux events ------------------------------------------------------------------------------------

void Client::on_mux_event(Host& host, const PublicKey& server, const MuxEvent& event) {
  using Kind = MuxEvent::Kind;
  if (event.kind == Kind::kIncoming) {
    on_incoming(host, server);
    return;
  }
  if (event.kind == Kind::kGoAway) {
    sessions_.at(server).going_away = true;
    post_entry_if_changed(host);
    maintain(host);
    return;
  }
  auto it = stream_by_mux_.find(MuxRef{server, event.stream});
  if (it == stream_by_mux_.end()) {
    // A stream this client gave up on (refused, reset): what still arrives is dropped.
    Mux& mux = sessions_.at(server).conn.mux();
    uint8_t sink[kChunk];
    while (mux.read(event.stream, sink, sizeof sink) > 0) {
    }
    return;
  }
  const uint32_t id = it->second;
  switch (event.kind) {
    case Kind::kReset:
      if (streams_.at(id).phase == StreamPhase::kAwaitingResponse) {
        fail_dial(host, id, ErrorCode::kRejectedWithoutReason, "the stream was reset: " + event.reason);
      } else {
        break_stream(host, id, ErrorCode::kEntityClosed, "the stream was reset: " + event.reason);
      }
      return;
    case Kind::kReadable:
    case Kind::kPeerClosed:
      on_stream_bytes(host, id);
      return;
    case Kind::kWritable:
      flush_out(host, id);
      maybe_tell_writable(id);
      maybe_forget(id);
      return;
    default:
      return;
  }
}

void Client::on_stream_bytes(Host& host, uint32_t id) {
  ClientStream& s = streams_.at(id);
  const bool answering = s.phase == StreamPhase::kAwaitingRequest;
  if (!answering && s.phase != StreamPhase::kAwaitingResponse) {
    pull(host, id);
    return;
  }
  const PublicKey server = s.server;
  SessionConn& conn = sessions_.at(server).conn;
  std::optional<sim::Result<sim::Bytes>> object = conn.take_object(s.mux_stream, s.partial);
  if (!object) {
    if (conn.mux().is_drained(s.mux_stream)) {
      if (answering) {
        conn.mux().reset(s.mux_stream);
        forget(id);
      } else {
        fail_dial(host, id, ErrorCode::kRejectedWithoutReason, "the stream closed without an answer");
      }
    }
    return;
  }
  if (!object->ok()) {
    conn.close(host, object->error().message);
    on_session_events(host, server);
    return;
  }
  if (answering) {
    on_request(host, id, object->value());
  } else {
    on_response(host, id, object->value());
  }
}

// --- Bytes -----------------------------------------------------------------------------------------

// Opens what arrived into `in`, up to the stream buffer: beyond it the bytes stay in the
// mux, whose window then stops the writer.
void Client::pull(Host& host, uint32_t id) {
  ClientStream& s = streams_.at(id);
  Mux* mux = mux_of(s);
  if (mux == nullptr || s.phase == StreamPhase::kBroken) return;
  bool news = false;
  uint8_t chunk[kChunk];
  while (s.app_closed || s.in.size() < options_.stream_buffer_bytes) {
    const size_t got = mux->read(s.mux_stream, chunk, sizeof chunk);
    if (got == 0) break;
    if (s.app_closed) continue;  // nobody will read it
    if (const std::optional<RecordError> error = s.records.receive(chunk, got, s.in)) {
      break_stream(host, id, ErrorCode::kEntityClosed, fmt::format("a record was refused: {}", enum_name(*error)));
      return;
    }
    news = true;
  }
  if (!s.ended && !s.app_closed && mux->is_drained(s.mux_stream)) {
    s.ended = true;
    news = true;
  }
  if (news && s.phase == StreamPhase::kOpen)
    events_.push_back({ClientEvent::Kind::kReadable, id, 0, ErrorCode::kOk, false, s.server, ""});
  maybe_forget(id);
}

bool Client::flush_out(Host& host, uint32_t id, size_t budget) {
  ClientStream& s = streams_.at(id);
  Mux* mux = mux_of(s);
  if (mux == nullptr) return false;
  SessionConn& conn = sessions_.at(s.server).conn;
  uint8_t chunk[kChunk];
  bool moved = false;
  while (!s.out.empty() && budget > 0) {
    const size_t n = std::min({s.out.size(), mux->writable_bytes(s.mux_stream), conn.send_room(), kChunk, budget});
    if (n == 0) break;
    s.out.copy_out(0, chunk, n);
    const size_t put = mux->write(s.mux_stream, chunk, n);
    SIM_ASSERT_EQ(put, n);
    s.out.consume(n);
    budget -= n;
    moved = true;
  }
  if (s.app_closed && s.out.empty() && !s.fin_sent) {
    mux->close(s.mux_stream, host.now());
    s.fin_sent = true;
    s.deadline = sim::Instant::zero();
  }
  return moved;
}

void Client::maybe_tell_writable(uint32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  ClientStream& s = it->second;
  if (s.write_blocked && !s.app_closed && s.out.size() + kRecordOverhead < options_.stream_buffer_bytes) {
    s.write_blocked = false;
    events_.push_back({ClientEvent::Kind::kWritable, id, 0, ErrorCode::kOk, false, s.server, ""});
  }
}

size_t Client::write(Host& host, uint32_t id, const uint8_t* data, size_t size) {
  auto it = streams_.find(id);
  if (it == streams_.end() || it->second.phase != StreamPhase::kOpen || it->second.app_closed) return 0;
  ClientStream& s = it->second;
  if (mux_of(s) == nullptr || !mux_of(s)->has_stream(s.mux_stream)) return 0;
  flush_out(host, id);
  size_t taken = 0;
  while (taken < size) {
    const size_t room = options_.stream_buffer_bytes > s.out.size() ? options_.stream_buffer_bytes - s.out.size() : 0;
    if (room <= kRecordOverhead) break;
    const size_t chunk = std::min<size_t>({size - taken, kRecordMaxPlaintext, room - kRecordOverhead});
    s.records.seal(data + taken, chunk, s.out);
    taken += chunk;
  }
  flush_out(host, id);
  if (taken < size) s.write_blocked = true;
  finish_call(host);
  return taken;
}

ReadResult Client::read(Host& host, uint32_t id, uint8_t* out, size_t size) {
  auto it = streams_.find(id);
  if (it == streams_.end() || it->second.app_closed ||
      (it->second.phase != StreamPhase::kOpen && it->second.phase != StreamPhase::kBroken)) {
    return {0, ReadResult::State::kUnknown};
  }
  ClientStream& s = it->second;
  if (s.in.empty()) pull(host, id);
  const size_t got = s.in.copy_out(0, out, size);
  s.in.consume(got);
  ReadResult result{got, ReadResult::State::kData};
  if (got == 0) {
    result.state = s.phase == StreamPhase::kBroken ? ReadResult::State::kBroken
                   : s.ended                       ? ReadResult::State::kEnd
                                                   : ReadResult::State::kWouldBlock;
  } else {
    pull(host, id);  // room freed: take more from the mux, which reopens the window
  }
  finish_call(host);
  return result;
}

void Client::close(Host& host, uint32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end() || it->second.app_closed) return;
  ClientStream& s = it->second;
  if (s.phase != StreamPhase::kOpen) {
    // A broken stream, or a dial the application gives up on.
    if (Mux* mux = mux_of(s)) mux->reset(s.mux_stream);
    forget(id);
    finish_call(host);
    return;
  }
  s.app_closed = true;
  s.in = sim::ByteQueue{};
  s.deadline = host.now() + options_.close_linger;
  flush_out(host, id);
  pull(host, id);
  maybe_forget(id);
  finish_call(host);
}

void Client::break_stream(Host& host, uint32_t id, ErrorCode error, const std::string& reason) {
  ClientStream& s = streams_.at(id);
  if (Mux* mux = mux_of(s)) mux->reset(s.mux_stream);
  if (s.app_closed || s.phase == StreamPhase::kQueued || s.phase == StreamPhase::kAwaitingRequest) {
    forget(id);  // the application never had it, or let it go
    return;
  }
  if (s.phase == StreamPhase::kBroken) return;
  host.log(sim::LogLevel::kDebug, "client", fmt::format("stream {} broke: {}", id, reason));
  auto ref = stream_by_mux_.find(MuxRef{s.server, s.mux_stream});
  if (ref != stream_by_mux_.end() && ref->second == id) stream_by_mux_.erase(ref);
  s.phase = StreamPhase::kBroken;
  s.has_mux_stream = false;
  s.error = error;
  s.broken = reason;
  s.out = sim::ByteQueue{};
  s.deadline = sim::Instant::zero();
  events_.push_back({ClientEvent::Kind::kClosed, id, 0, error, false, s.server, reason});
}

// --- Acting as a hostile peer ----------------------------------------------------------------------

void Client::inject_session_bytes(Host& host, const PublicKey& server, const sim::Bytes& bytes) {
  if (ClientSession* session = sessions_.find_mutable(server)) session->conn.inject(host, bytes);
  on_session_events(host, server);
  finish_call(host);
}

void Client::inject_stream_bytes(Host& host, uint32_t id, const sim::Bytes& bytes) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  flush_out(host, id);
  if (Mux* mux = mux_of(it->second)) mux->write(it->second.mux_stream, bytes.data(), bytes.size());
  finish_call(host);
}

void Client::set_deaf(Host& host, bool deaf) {
  deaf_ = deaf;
  std::vector<PublicKey> servers;
  for (const auto& [pk, s] : sessions_) servers.push_back(pk);
  for (const PublicKey& pk : servers) {
    if (ClientSession* session = sessions_.find_mutable(pk)) session->conn.set_deaf(host, deaf);
    on_session_events(host, pk);
  }
  finish_call(host);
}

bool Client::open_silent_connection(Host& host, const PublicKey& server) {
  if (stopped_) return false;
  const std::optional<ConnId> conn = connect_to(host, server);
  if (!conn) return false;
  silent_conns_[*conn] = SilentConn{server, host.now()};
  return true;
}

void Client::on_silent_conn_event(Host& host, const ConnEvent& event) {
  using Kind = ConnEvent::Kind;
  switch (event.kind) {
    case Kind::kReadable: {
      uint8_t discard[1024];
      while (host.read(event.conn, discard, sizeof discard) != 0) {
      }
      return;
    }
    case Kind::kPeerClosed:
    case Kind::kFailed:
    case Kind::kClosed:
      host.close(event.conn);
      silent_conns_.erase(event.conn);
      return;
    default:
      return;
  }
}

}  // namespace dmsg
