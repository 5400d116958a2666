// Frames in, frames out: streams, windows, keepalive and go-away of one session.
#include "dmsg/mux.h"

#include "sim/assert.h"
#include "sim/fmt.h"

namespace dmsg {

Mux::Mux(Side side, MuxOptions options, sim::Instant now)
    : side_(side),
      options_(options),
      next_id_(side == Side::kClient ? 1 : 2),
      next_ping_(now + options.ping_interval) {}

void Mux::send_frame(FrameType type, uint16_t flags, uint32_t stream, uint32_t length, const uint8_t* payload) {
  const auto header = encode_frame_header(FrameHeader{type, flags, stream, length});
  output_.append(header.data(), header.size());
  if (type == FrameType::kData && length > 0) output_.append(payload, length);
}

sim::Bytes Mux::take_output() {
  sim::Bytes bytes = output_.read(0, output_.size());
  output_.consume(output_.size());
  return bytes;
}

// --- Owner operations -----------------------------------------------------------------------------

std::optional<uint32_t> Mux::open(sim::Instant now) {
  if (dead_ || received_go_away_ || sent_go_away_) return std::nullopt;
  const uint32_t id = next_id_;
  next_id_ += 2;
  Stream& s = streams_[id];
  s.state = StreamState::kSynSent;
  s.send_window = options_.window_bytes;
  s.recv_window = options_.window_bytes;
  s.since = now;
  send_frame(FrameType::kWindowUpdate, kFlagSyn, id, 0);
  return id;
}

std::optional<uint32_t> Mux::accept() {
  if (accept_queue_.empty()) return std::nullopt;
  const uint32_t id = accept_queue_.front();
  accept_queue_.erase(accept_queue_.begin());
  auto it = streams_.find(id);
  if (it == streams_.end()) return accept();  // reset while it waited
  it->second.state = StreamState::kOpen;
  return id;
}

bool Mux::is_writable_stream(uint32_t stream) const {
  auto it = streams_.find(stream);
  return !dead_ && it != streams_.end() && !it->second.local_closed;
}

size_t Mux::write(uint32_t stream, const uint8_t* data, size_t size) {
  auto it = streams_.find(stream);
  if (dead_ || it == streams_.end() || it->second.local_closed) return 0;
  Stream& s = it->second;
  const size_t take = std::min<size_t>(size, s.send_window);
  // Frames of at most a window's size keep a stalled peer from holding large frames.
  for (size_t done = 0; done < take;) {
    const uint32_t chunk = static_cast<uint32_t>(std::min<size_t>(take - done, 16 * 1024));
    send_frame(FrameType::kData, 0, stream, chunk, data + done);
    done += chunk;
  }
  s.send_window -= static_cast<uint32_t>(take);
  return take;
}

size_t Mux::read(uint32_t stream, uint8_t* out, size_t size) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return 0;
  Stream& s = it->second;
  const size_t got = s.recv_buffer.copy_out(0, out, size);
  s.recv_buffer.consume(got);
  s.recv_freed += static_cast<uint32_t>(got);
  // The peer learns of freed room once it is at least half a window.
  if (!dead_ && s.recv_freed >= options_.window_bytes / 2) {
    send_frame(FrameType::kWindowUpdate, 0, stream, s.recv_freed);
    s.recv_window += s.recv_freed;
    s.recv_freed = 0;
  }
  maybe_finish(stream);
  return got;
}

size_t Mux::readable_bytes(uint32_t stream) const {
  auto it = streams_.find(stream);
  return it == streams_.end() ? 0 : it->second.recv_buffer.size();
}

size_t Mux::writable_bytes(uint32_t stream) const {
  auto it = streams_.find(stream);
  if (dead_ || it == streams_.end() || it->second.local_closed) return 0;
  return it->second.send_window;
}

bool Mux::is_drained(uint32_t stream) const {
  auto it = streams_.find(stream);
  return it == streams_.end() || (it->second.remote_closed && it->second.recv_buffer.empty());
}

void Mux::close(uint32_t stream, sim::Instant now) {
  auto it = streams_.find(stream);
  if (it == streams_.end() || it->second.local_closed) return;
  it->second.local_closed = true;
  if (!it->second.remote_closed) it->second.since = now;
  if (!dead_) send_frame(FrameType::kWindowUpdate, kFlagFin, stream, 0);
  maybe_finish(stream);
}

void Mux::reset(uint32_t stream) { reset_stream(stream, "reset by its owner", /*tell_peer=*/true); }

void Mux::ping(sim::Instant now) {
  if (dead_) return;
  ++ping_id_;
  send_frame(FrameType::kPing, kFlagSyn, 0, ping_id_);
  ping_deadline_ = now + options_.ping_timeout;
  next_ping_ = now + options_.ping_interval;
}

void Mux::go_away() {
  if (sent_go_away_ || dead_) return;
  sent_go_away_ = true;
  send_frame(FrameType::kGoAway, 0, 0, 0);
}

void Mux::reset_stream(uint32_t stream, std::string reason, bool tell_peer) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  streams_.erase(it);
  if (tell_peer && !dead_) send_frame(FrameType::kWindowUpdate, kFlagRst, stream, 0);
  events_.push_back({MuxEvent::Kind::kReset, stream, std::move(reason)});
}

// A stream closed both ways whose data was all read is forgotten.
void Mux::maybe_finish(uint32_t stream) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  const Stream& s = it->second;
  if (s.local_closed && s.remote_closed && s.recv_buffer.empty()) streams_.erase(it);
}

void Mux::kill(std::string reason) {
  if (dead_) return;
  dead_ = true;
  // Every stream ends with the session.
  for (const auto& [id, s] : streams_) events_.push_back({MuxEvent::Kind::kReset, id, "the session died: " + reason});
  streams_.clear();
  accept_queue_.clear();
  events_.push_back({MuxEvent::Kind::kSessionDead, 0, std::move(reason)});
}

// --- Inputs ------------------------------------------------------------------------------------------

void Mux::on_bytes(const uint8_t* data, size_t size, sim::Instant now) {
  if (dead_) return;
  input_.append(data, size);
  while (!dead_ && input_.size() >= FrameHeader::kBytes) {
    uint8_t head[FrameHeader::kBytes];
    input_.copy_out(0, head, sizeof head);
    const DecodedFrameHeader decoded = decode_frame_header(head, sizeof head);
    if (decoded.error) {
      kill(fmt::format("malformed frame: {}", enum_name(*decoded.error)));
      return;
    }
    const FrameHeader& h = decoded.header;
    const size_t payload = h.type == FrameType::kData ? h.length : 0;
    if (payload > options_.window_bytes) {
      kill(fmt::format("a data frame of {} bytes exceeds any window", payload));
      return;
    }
    if (input_.size() < FrameHeader::kBytes + payload) return;
    const sim::Bytes body = input_.read(FrameHeader::kBytes, payload);
    input_.consume(FrameHeader::kBytes + payload);
    on_frame(h, body.data(), now);
  }
}

void Mux::on_frame(const FrameHeader& header, const uint8_t* payload, sim::Instant now) {
  switch (header.type) {
    case FrameType::kPing:
      on_ping(header);
      return;
    case FrameType::kGoAway:
      received_go_away_ = true;
      events_.push_back({MuxEvent::Kind::kGoAway, 0, "the peer is going away"});
      return;
    case FrameType::kData:
    case FrameType::kWindowUpdate:
      on_stream_frame(header, payload, now);
      return;
  }
}

void Mux::on_ping(const FrameHeader& header) {
  if ((header.flags & kFlagSyn) != 0) {
    send_frame(FrameType::kPing, kFlagAck, 0, header.length);
  } else if ((header.flags & kFlagAck) != 0 && header.length == ping_id_) {
    ping_deadline_.reset();
  }
}

void Mux::on_syn(const FrameHeader& header, sim::Instant now) {
  const uint32_t id = header.stream_id;
  if (is_ours(id) || id == 0) {
    send_frame(FrameType::kWindowUpdate, kFlagRst, id, 0);  // the peer used our id space
    return;
  }
  if (streams_.count(id) != 0) {
    reset_stream(id, "duplicate SYN", /*tell_peer=*/true);
    return;
  }
  if (sent_go_away_ || accept_queue_.size() >= options_.accept_backlog) {
    send_frame(FrameType::kWindowUpdate, kFlagRst, id, 0);
    return;
  }
  Stream& s = streams_[id];
  s.state = StreamState::kWaitingAccept;
  s.send_window = options_.window_bytes;
  s.recv_window = options_.window_bytes;
  s.since = now;
  accept_queue_.push_back(id);
  send_frame(FrameType::kWindowUpdate, kFlagAck, id, 0);
  events_.push_back({MuxEvent::Kind::kIncoming, id, ""});
}

void Mux::on_stream_frame(const FrameHeader& header, const uint8_t* payload, sim::Instant now) {
  const uint32_t id = header.stream_id;
  if ((header.flags & kFlagSyn) != 0) on_syn(header, now);
  auto it = streams_.find(id);
  if (it == streams_.end()) {
    // A frame for a stream that is gone: tell the peer, unless it is telling us.
    if ((header.flags & (kFlagRst | kFlagSyn)) == 0) send_frame(FrameType::kWindowUpdate, kFlagRst, id, 0);
    return;
  }
  Stream& s = it->second;
  if ((header.flags & kFlagRst) != 0) {
    reset_stream(id, "reset by the peer", /*tell_peer=*/false);
    return;
  }
  if ((header.flags & kFlagAck) != 0 && s.state == StreamState::kSynSent) {
    s.state = StreamState::kOpen;
    events_.push_back({MuxEvent::Kind::kOpened, id, ""});
  }
  if (header.type == FrameType::kWindowUpdate && header.length > 0) {
    const bool was_blocked = s.send_window == 0;
    s.send_window += header.length;
    if (was_blocked) events_.push_back({MuxEvent::Kind::kWritable, id, ""});
  }
  if (header.type == FrameType::kData && header.length > 0) {
    if (s.remote_closed || header.length > s.recv_window) {
      reset_stream(id, s.remote_closed ? "data after FIN" : std::string(kWindowViolation), /*tell_peer=*/true);
      return;
    }
    s.recv_window -= header.length;
    s.recv_buffer.append(payload, header.length);
    events_.push_back({MuxEvent::Kind::kReadable, id, ""});
  }
  if ((header.flags & kFlagFin) != 0 && !s.remote_closed) {
    s.remote_closed = true;
    if (!s.local_closed) s.since = now;
    events_.push_back({MuxEvent::Kind::kPeerClosed, id, ""});
    maybe_finish(id);
  }
}

void Mux::on_tick(sim::Instant now) {
  if (dead_) return;
  if (ping_deadline_ && now >= *ping_deadline_) {
    kill("keepalive: no answer to a ping in time");
    return;
  }
  if (now >= next_ping_) ping(now);
  std::vector<std::pair<uint32_t, std::string>> expired;
  for (const auto& [id, s] : streams_) {
    if (s.state == StreamState::kSynSent && now - s.since >= options_.open_timeout) {
      expired.emplace_back(id, "not acknowledged in time");
    } else if (s.local_closed != s.remote_closed && now - s.since >= options_.half_closed_timeout) {
      expired.emplace_back(id, "half-closed for too long");
    }
  }
  for (auto& [id, reason] : expired) reset_stream(id, std::move(reason), /*tell_peer=*/true);
}

std::optional<sim::Instant> Mux::deadline() const {
  if (dead_) return std::nullopt;
  sim::Instant next = next_ping_;
  if (ping_deadline_) next = std::min(next, *ping_deadline_);
  for (const auto& [id, s] : streams_) {
    if (s.state == StreamState::kSynSent) next = std::min(next, s.since + options_.open_timeout);
    if (s.local_closed != s.remote_closed) next = std::min(next, s.since + options_.half_closed_timeout);
  }
  return next;
}

}  // namespace dmsg
