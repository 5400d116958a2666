// A session's life: connect, XK handshake, multiplexer, death.
#include "dmsg/session.h"

#include "sim/assert.h"
#include "sim/fmt.h"

namespace dmsg {

SessionConn SessionConn::client(ConnId conn, const Identity& self, const Key32& server_static, const MuxOptions& mux,
                                sim::Instant now) {
  SessionConn s;
  s.conn_ = conn;
  s.phase_ = Phase::kConnecting;
  s.handshake_ = SessionHandshake::client_to_static(self, server_static, now);
  s.mux_options_ = mux;
  return s;
}

SessionConn SessionConn::server(ConnId conn, const Identity& self, const MuxOptions& mux, sim::Instant now) {
  SessionConn s;
  s.conn_ = conn;
  s.phase_ = Phase::kHandshaking;
  s.handshake_ = SessionHandshake::server(self, now);
  s.mux_options_ = mux;
  return s;
}

std::vector<SessionEvent> SessionConn::take_events() { return std::exchange(events_, {}); }

void SessionConn::on_conn_event(Host& host, const ConnEvent& event) {
  SIM_ASSERT_EQ(event.conn, conn_);
  if (phase_ == Phase::kDead) return;
  using Kind = ConnEvent::Kind;
  switch (event.kind) {
    case Kind::kConnected:
      SIM_ASSERT(phase_ == Phase::kConnecting);
      phase_ = Phase::kHandshaking;
      handshake_.start(host.rng());
      out_.append(handshake_.take_output());
      flush(host);
      return;
    case Kind::kReadable:
      on_readable(host);
      return;
    case Kind::kPeerClosed:
      on_readable(host);
      die(host, "the server closed the connection");
      return;
    case Kind::kWritable:
      flush(host);
      return;
    case Kind::kFailed:
      die(host, fmt::format("the connection failed ({})", static_cast<int>(event.failure)));
      return;
    case Kind::kClosed:
    case Kind::kIncoming:
      die(host, "the connection closed");
      return;
  }
}

void SessionConn::on_readable(Host& host) {
  if (deaf_) return;
  uint8_t buffer[16 * 1024];
  while (phase_ != Phase::kDead) {
    const size_t got = host.read(conn_, buffer, sizeof buffer);
    if (got == 0) break;
    if (phase_ == Phase::kOpen) {
      on_mux_bytes(host, buffer, got);
    } else if (phase_ == Phase::kHandshaking) {
      handshake_.on_bytes(buffer, got, host.rng());
      after_handshake_input(host);
    }
  }
  if (phase_ == Phase::kOpen) collect_mux_events(host);
  flush(host);
}

void SessionConn::on_mux_bytes(Host& host, const uint8_t* data, size_t size) {
  if (awaiting_server_) {
    awaiting_server_ = false;
    events_.push_back({SessionEvent::Kind::kOpened, {}, ""});
  }
  mux_.on_bytes(data, size, host.now());
}

void SessionConn::after_handshake_input(Host& host) {
  out_.append(handshake_.take_output());
  if (handshake_.failure()) {
    die(host, fmt::format("handshake failed: {}", *handshake_.failure()));
    return;
  }
  if (!handshake_.is_complete()) return;
  const auto [send, receive] = handshake_.ciphers();
  sealer_ = RecordSealer(send);
  opener_ = RecordOpener(receive);
  mux_ = Mux(handshake_.is_initiator() ? Mux::Side::kClient : Mux::Side::kServer, mux_options_, host.now());
  phase_ = Phase::kOpen;
  if (handshake_.is_initiator()) {
    awaiting_server_ = true;
  } else {
    events_.push_back({SessionEvent::Kind::kOpened, {}, ""});
    mux_.ping(host.now());  // the greeting that confirms the session to the client
  }
  // Bytes pipelined right after the last handshake message (dmsgsim keeps them).
  const sim::Bytes leftover = handshake_.take_leftover();
  if (!leftover.empty()) on_mux_bytes(host, leftover.data(), leftover.size());
}

void SessionConn::collect_mux_events(Host& host) {
  for (MuxEvent& e : mux_.take_events()) {
    const bool dead = e.kind == MuxEvent::Kind::kSessionDead;
    if (dead) {
      die(host, "multiplexer: " + e.reason);
      return;
    }
    events_.push_back({SessionEvent::Kind::kMux, std::move(e), ""});
  }
}

void SessionConn::on_tick(Host& host) {
  if (phase_ == Phase::kHandshaking || phase_ == Phase::kConnecting) {
    handshake_.on_tick(host.now());
    if (handshake_.failure()) die(host, fmt::format("handshake failed: {}", *handshake_.failure()));
    return;
  }
  if (phase_ != Phase::kOpen) return;
  mux_.on_tick(host.now());
  collect_mux_events(host);
  flush(host);
}

void SessionConn::set_deaf(Host& host, bool deaf) {
  deaf_ = deaf;
  if (!deaf_ && phase_ != Phase::kDead) on_readable(host);
}

std::optional<sim::Instant> SessionConn::deadline() const {
  switch (phase_) {
    case Phase::kConnecting:
    case Phase::kHandshaking:
      return handshake_.deadline();
    case Phase::kOpen:
      return mux_.deadline();
    case Phase::kDead:
      return std::nullopt;
  }
  SIM_UNREACHABLE("session phase {}", static_cast<int>(phase_));
}

size_t SessionConn::send_room() {
  if (phase_ != Phase::kOpen) return 0;
  const size_t queued = out_.size() + mux_.output_bytes();
  if (queued >= kQueueLimit) {
    room_wanted_ = true;
    return 0;
  }
  return kQueueLimit - queued;
}

bool SessionConn::needs_flush() const {
  if (phase_ == Phase::kDead || phase_ == Phase::kConnecting) return false;
  if (!out_.empty()) return true;
  if (phase_ != Phase::kOpen) return false;
  return mux_.output_bytes() > 0 || (room_wanted_ && mux_.output_bytes() < kQueueLimit / 2);
}

void SessionConn::flush(Host& host) {
  flush_queue(host);
  if (room_wanted_ && phase_ == Phase::kOpen && out_.size() + mux_.output_bytes() < kQueueLimit / 2) {
    room_wanted_ = false;
    events_.push_back({SessionEvent::Kind::kRoom, {}, ""});
  }
}

void SessionConn::flush_queue(Host& host) {
  if (phase_ == Phase::kDead || phase_ == Phase::kConnecting) return;
  if (phase_ == Phase::kOpen) {
    const sim::Bytes produced = mux_.take_output();
    if (out_.empty() && !produced.empty()) {
      // The common case: nothing waits, so write straight from the mux's output.
      const size_t taken = host.write(conn_, produced.data(), produced.size());
      if (taken < produced.size()) out_.append(produced.data() + taken, produced.size() - taken);
      return;
    }
    out_.append(produced);
  }
  while (!out_.empty()) {
    uint8_t chunk[16 * 1024];
    const size_t size = out_.copy_out(0, chunk, sizeof chunk);
    const size_t taken = host.write(conn_, chunk, size);
    out_.consume(taken);
    if (taken < size) return;
  }
}

void SessionConn::inject(Host& host, const sim::Bytes& bytes) {
  if (phase_ != Phase::kOpen) return;
  out_.append(mux_.take_output());
  out_.append(bytes);
  flush(host);
}

void SessionConn::shut_down(Host& host, const std::string& reason) {
  if (phase_ == Phase::kOpen) {
    mux_.go_away();
    flush(host);
  }
  die(host, reason);
}

void SessionConn::close(Host& host, const std::string& reason) { die(host, reason); }

void SessionConn::die(Host& host, std::string reason) {
  if (phase_ == Phase::kDead) return;
  phase_ = Phase::kDead;
  host.close(conn_);
  events_.push_back({SessionEvent::Kind::kDied, {}, std::move(reason)});
}

sim::Bytes SessionConn::seal_object(const sim::Bytes& object) {
  SIM_ASSERT(phase_ == Phase::kOpen);
  SIM_ASSERT_LE(object.size(), kRecordMaxPlaintext);
  sim::Bytes record(RecordSealer::sealed_size(object.size()));
  const size_t written = sealer_.seal(object.data(), object.size(), record.data());
  SIM_ASSERT_EQ(written, record.size());
  return record;
}

std::optional<sim::Result<sim::Bytes>> SessionConn::take_object(uint32_t stream, sim::Bytes& partial) {
  const auto fill_to = [&](size_t size) {
    const size_t have = partial.size();
    if (have >= size) return;
    partial.resize(size);
    const size_t got = mux_.read(stream, partial.data() + have, size - have);
    partial.resize(have + got);
  };
  fill_to(kRecordPrefixBytes);
  const size_t total = RecordOpener::record_size(partial.data(), partial.size());
  if (total == 0) return std::nullopt;
  if (total > kRecordMaxBytes) return sim::Result<sim::Bytes>(sim::Error{"a signed object's record is oversized"});
  fill_to(total);
  if (partial.size() < total) return std::nullopt;
  sim::Bytes plaintext(kRecordMaxPlaintext);
  const RecordOpener::Opened opened = opener_.open(partial.data(), partial.size(), plaintext.data());
  partial.clear();
  if (opened.error) {
    return sim::Result<sim::Bytes>(
        sim::Error{fmt::format("a signed object's record was refused: {}", enum_name(*opened.error))});
  }
  plaintext.resize(opened.size);
  return sim::Result<sim::Bytes>(std::move(plaintext));
}

}  // namespace dmsg
