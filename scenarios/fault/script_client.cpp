// What the fault scenarios' clients do when told, and what they record.
#include "scenarios/fault/script_client.h"

#include <algorithm>

namespace scenarios {
namespace {

constexpr size_t kChunk = 16 * 1024;

}  // namespace

const ScriptStream* ScriptClient::stream(uint32_t handle) const {
  auto it = streams_.find(handle);
  return it == streams_.end() ? nullptr : &it->second;
}

void ScriptClient::on_workload_timer(sim::Context& ctx, uint64_t command, uint64_t arg) {
  const auto handle = static_cast<uint32_t>(arg >> 32);
  const auto value = static_cast<uint32_t>(arg);
  auto it = streams_.find(handle);
  ScriptStream* s = it == streams_.end() ? nullptr : &it->second;
  HostView h = host(ctx);
  switch (static_cast<ScriptCommand>(command)) {
    case ScriptCommand::kListen:
    case ScriptCommand::kListenOnly: {
      const auto port = static_cast<uint16_t>(value);
      const dmsg::ErrorCode listening = mutable_client().listen(port);
      SIM_ASSERT_MSG(listening == dmsg::ErrorCode::kOk, "scenario listener on port {} refused", port);
      accepting_[port] = static_cast<ScriptCommand>(command) == ScriptCommand::kListen;
      return;
    }
    case ScriptCommand::kDial:
      dial(ctx, peer_, static_cast<uint16_t>(value));
      return;
    case ScriptCommand::kDialSelf:
      dial(ctx, client().identity().public_key(), static_cast<uint16_t>(value));
      return;
    case ScriptCommand::kWrite:
      if (s == nullptr) return;
      s->tx_quota = std::max<uint64_t>(s->tx_quota, s->written) + value;
      write_more(ctx, handle);
      return;
    case ScriptCommand::kWriteForever:
      if (s == nullptr) return;
      s->tx_forever = true;
      write_more(ctx, handle);
      return;
    case ScriptCommand::kLoop:
      if (s == nullptr) return;
      s->loop_message = value;
      s->loop_answered = s->rx().verified;
      s->tx_quota = std::max<uint64_t>(s->tx_quota, s->written) + value;
      write_more(ctx, handle);
      return;
    case ScriptCommand::kStopWriting:
      if (s != nullptr) s->tx_forever = false;
      return;
    case ScriptCommand::kReading:
      if (s == nullptr) return;
      s->reading = value != 0;
      read_more(ctx, handle);
      return;
    case ScriptCommand::kClose:
      if (s == nullptr || s->closed) return;
      s->closed = true;
      mutable_client().close(h, handle);
      return;
  }
  SIM_UNREACHABLE("script command {}", command);
}

void ScriptClient::dial(sim::Context& ctx, const dmsg::PublicKey& pk, uint16_t port) {
  HostView h = host(ctx);
  const uint32_t handle = mutable_client().dial(h, pk, port);
  dials_.push_back(ScriptDial{handle, ctx.now(), std::nullopt, dmsg::ErrorCode::kOk, false});
}

ScriptStream& ScriptClient::open_stream(sim::Context& ctx, uint32_t handle) {
  ScriptStream& s = streams_[handle];
  // A seed per client and stream: the receiver learns it from the stream's first 8 bytes.
  s.tx_seed = seed_ * 0x9e3779b97f4a7c15ULL + uint64_t{client().identity().public_key()[0]} * 65536 + handle;
  s.tx_quota = kPatternHeaderBytes;
  s.last_rx = ctx.now();
  write_more(ctx, handle);
  return s;
}

void ScriptClient::write_more(sim::Context& ctx, uint32_t handle) {
  ScriptStream& s = streams_.at(handle);
  if (s.broken || s.closed) return;
  HostView h = host(ctx);
  uint8_t chunk[kChunk];
  while (s.tx_forever || s.written < s.tx_quota) {
    const size_t n = s.tx_forever ? kChunk : static_cast<size_t>(std::min<uint64_t>(s.tx_quota - s.written, kChunk));
    pattern_stream_fill(s.tx_seed, s.written, chunk, n);
    const size_t taken = mutable_client().write(h, handle, chunk, n);
    s.written += taken;
    if (taken < n) {
      if (!s.blocked_since) s.blocked_since = ctx.now();
      return;
    }
    s.blocked_since.reset();
  }
}

void ScriptClient::read_more(sim::Context& ctx, uint32_t handle) {
  ScriptStream& s = streams_.at(handle);
  if (!s.reading || s.closed) return;
  HostView h = host(ctx);
  uint8_t chunk[kChunk];
  while (true) {
    const dmsg::ReadResult r = mutable_client().read(h, handle, chunk, sizeof chunk);
    if (r.state == dmsg::ReadResult::State::kEnd) s.ended = true;
    if (r.state != dmsg::ReadResult::State::kData) return;
    s.reader.feed(chunk, r.bytes);
    if (s.last_rx && ctx.now() - *s.last_rx > s.longest_rx_gap) {
      s.longest_rx_gap = ctx.now() - *s.last_rx;
      s.longest_rx_gap_end = ctx.now();
    }
    s.last_rx = ctx.now();
    // A loop answers every whole message it read with a message of its own.
    bool answered = false;
    while (s.loop_message > 0 && s.rx().verified >= s.loop_answered + s.loop_message) {
      s.loop_answered += s.loop_message;
      s.tx_quota += s.loop_message;
      answered = true;
    }
    if (answered) write_more(ctx, handle);
  }
}

void ScriptClient::accept_waiting(sim::Context& ctx, uint16_t port) {
  auto listening = accepting_.find(port);
  if (listening == accepting_.end() || !listening->second) return;
  while (const std::optional<uint32_t> handle = mutable_client().accept(port)) {
    accepted_.push_back(*handle);
    open_stream(ctx, *handle);
    read_more(ctx, *handle);
  }
}

void ScriptClient::on_client_event(sim::Context& ctx, const dmsg::ClientEvent& event) {
  using Kind = dmsg::ClientEvent::Kind;
  switch (event.kind) {
    case Kind::kDialed: {
      for (ScriptDial& d : dials_) {
        if (d.stream != event.stream || d.resolved) continue;
        d.resolved = ctx.now();
        d.error = event.error;
        d.timed_out = event.timed_out;
      }
      if (event.dial_succeeded()) open_stream(ctx, event.stream);
      return;
    }
    case Kind::kIncoming:
      accept_waiting(ctx, event.port);
      return;
    case Kind::kReadable:
      if (streams_.count(event.stream) != 0) read_more(ctx, event.stream);
      return;
    case Kind::kWritable:
      if (streams_.count(event.stream) != 0) write_more(ctx, event.stream);
      return;
    case Kind::kClosed:
      if (auto it = streams_.find(event.stream); it != streams_.end()) {
        read_more(ctx, event.stream);  // what had arrived still counts
        it->second.broken = true;
        it->second.broken_at = ctx.now();
        HostView h = host(ctx);
        mutable_client().close(h, event.stream);
        it->second.closed = true;
      }
      return;
    case Kind::kSessionOpened:
      ++sessions_opened_;
      last_session_opened_ = ctx.now();
      return;
    case Kind::kSessionClosed:
      ++sessions_lost_;
      return;
  }
}

}  // namespace scenarios
