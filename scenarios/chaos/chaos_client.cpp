// What chaos clients do when told, and what they record.
#include "scenarios/chaos/chaos_client.h"

#include "sim/enum_names.h"
#include "sim/fmt.h"
#include "sim/world.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace scenarios::chaos {
namespace {

constexpr size_t kChunk = 16 * 1024;
constexpr uint64_t kMaxWriteBytes = uint64_t{1} << 30;

constexpr std::array<sim::EnumName<ChaosPhase>, 5> kPhaseNames = {{
    {ChaosPhase::kDialing, "dialing"},
    {ChaosPhase::kFailed, "failed"},
    {ChaosPhase::kOpen, "open"},
    {ChaosPhase::kClosed, "closed"},
    {ChaosPhase::kBroken, "broken"},
}};

std::optional<uint64_t> number(const std::string& text, uint64_t min, uint64_t max) {
  uint64_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc() || end != text.data() + text.size() || n < min || n > max) return std::nullopt;
  return n;
}

constexpr std::string_view kCommandSyntax =
    "handling accept|no-accept read|no-read  |  dial NODE ID  |  write ID dialer|acceptor BYTES [close]  |  "
    "hostile KIND|end (spoofed-source NODE)";

}  // namespace

std::string_view enum_name(ChaosPhase phase) { return sim::name_in(kPhaseNames, phase); }

sim::Result<ChaosCommand> parse_chaos_command(const std::vector<std::string>& w) {
  const auto bad = [&](std::string_view what) {
    return sim::Error{fmt::format("chaos client command: {}; the forms are: {}", what, kCommandSyntax)};
  };
  if (w.empty()) return bad("no command");
  ChaosCommand c;
  if (w[0] == "handling") {
    if (w.size() != 3 || (w[1] != "accept" && w[1] != "no-accept") || (w[2] != "read" && w[2] != "no-read")) {
      return bad("expected handling accept|no-accept read|no-read");
    }
    c.handling = Handling{w[1] == "accept", w[2] == "read"};
    return c;
  }
  if (w[0] == "dial") {
    const std::optional<uint64_t> id =
        w.size() == 3 ? number(w[2], 1, ChaosStream::kAcceptorSeedBit - 1) : std::nullopt;
    if (!id || w[1].empty()) return bad("expected dial NODE ID, ID a number from 1 to 2^63-1");
    c.kind = ChaosCommand::Kind::kDial;
    c.peer = w[1];
    c.dial_id = *id;
    return c;
  }
  if (w[0] == "write") {
    const bool close = w.size() == 5 && w[4] == "close";
    const bool sized = w.size() == 4 || close;
    const std::optional<uint64_t> id = sized ? number(w[1], 1, ChaosStream::kAcceptorSeedBit - 1) : std::nullopt;
    const std::optional<uint64_t> bytes = sized ? number(w[3], 0, kMaxWriteBytes) : std::nullopt;
    if (!id || !bytes || (w[2] != "dialer" && w[2] != "acceptor")) {
      return bad("expected write ID dialer|acceptor BYTES [close], BYTES at most 2^30");
    }
    c.kind = ChaosCommand::Kind::kWrite;
    c.dial_id = *id;
    c.dialer_end = w[2] == "dialer";
    c.bytes = *bytes;
    c.close = close;
    return c;
  }
  if (w[0] == "hostile") {
    c.kind = ChaosCommand::Kind::kHostile;
    if (w.size() == 2 && w[1] == "end") return c;
    c.hostile = w.size() >= 2 ? hostile_kind_named(w[1]) : std::nullopt;
    const bool names_victim = c.hostile == HostileKind::kSpoofedSource;
    if (!c.hostile || w.size() != (names_victim ? 3u : 2u)) {
      return bad(
          "expected hostile end, hostile KIND (malformed-frame, bad-signature, replayed-request, dial-flood, "
          "window-violation, bad-record, stalled-handshake, never-reads) or hostile spoofed-source NODE");
    }
    if (names_victim) c.peer = w[2];
    return c;
  }
  return bad(fmt::format("unknown command '{}'", w[0]));
}

sim::Status ChaosClient::check_command(const std::vector<std::string>& w) const {
  const sim::Result<ChaosCommand> parsed = parse_chaos_command(w);
  if (!parsed) return parsed.error();
  return sim::Ok{};
}

void ChaosClient::run_command(sim::Context& ctx, const std::vector<std::string>& w) {
  const sim::Result<ChaosCommand> parsed = parse_chaos_command(w);
  SIM_ASSERT_MSG(parsed.ok(), "unchecked chaos command");
  if (!is_running()) return;  // a command to a stopped client finds nobody to carry it out
  const ChaosCommand& c = *parsed;
  act(ctx, [&](dmsg::Client&, dmsg::Host&) {
    switch (c.kind) {
      case ChaosCommand::Kind::kHandling:
        handling_ = c.handling;
        accept_waiting(ctx);
        return;
      case ChaosCommand::Kind::kDial:
        dial(ctx, c.peer, c.dial_id);
        return;
      case ChaosCommand::Kind::kWrite:
        // A self-dial has both ends here, hence the end in the command.
        if (const std::optional<uint32_t> handle = find(c.dial_id, c.dialer_end)) {
          ChaosStream& s = streams_.at(*handle);
          s.requested += c.bytes;
          s.close_requested = s.close_requested || c.close;
          write_more(ctx, *handle);
          close_if_done(ctx, *handle);
        }
        return;
      case ChaosCommand::Kind::kHostile:
        if (c.hostile) {
          begin_hostile(ctx, *c.hostile, c.peer);
        } else {
          end_hostile(ctx);
        }
        return;
    }
  });
}

std::optional<uint32_t> ChaosClient::find(uint64_t dial_id, bool dialer) const {
  for (const auto& [handle, s] : streams_) {
    if (s.dial_id == dial_id && s.dialer == dialer && s.phase == ChaosPhase::kOpen) return handle;
  }
  return std::nullopt;
}

void ChaosClient::on_workload_start(sim::Context&) {
  const dmsg::ErrorCode listening = mutable_client().listen(kChaosPort);
  SIM_ASSERT_MSG(listening == dmsg::ErrorCode::kOk, "the chaos port was taken");
}

void ChaosClient::dial(sim::Context& ctx, const std::string& node, uint64_t dial_id) {
  HostView h = host(ctx);
  const dmsg::PublicKey pk = node_identity(ctx.world().seed(), node).public_key();
  const uint32_t handle = mutable_client().dial(h, pk, kChaosPort);
  ChaosStream& s = streams_[handle];
  s.dial_id = dial_id;
  s.dialer = true;
  s.started = ctx.now();
}

void ChaosClient::accept_waiting(sim::Context& ctx) {
  if (!handling_.accepts) return;
  while (const std::optional<uint32_t> handle = mutable_client().accept(kChaosPort)) {
    ChaosStream& s = streams_[*handle];
    s.phase = ChaosPhase::kOpen;
    s.started = ctx.now();
    s.resolved = ctx.now();
    read_more(ctx, *handle);
  }
}

// Writes the header, then what was asked. An acceptor writes nothing before it knows the
// stream's number from the dialer's header.
void ChaosClient::write_more(sim::Context& ctx, uint32_t handle) {
  ChaosStream& s = streams_.at(handle);
  if (s.phase != ChaosPhase::kOpen || s.dial_id == 0) return;
  HostView h = host(ctx);
  uint8_t chunk[kChunk];
  const uint64_t quota = kPatternHeaderBytes + s.requested;
  while (s.written < quota) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(quota - s.written, kChunk));
    pattern_stream_fill(s.tx_seed(), s.written, chunk, n);
    const size_t taken = mutable_client().write(h, handle, chunk, n);
    s.written += taken;
    if (taken < n) return;
  }
}

// Reads everything when reading; otherwise only the header, which names the stream.
void ChaosClient::read_more(sim::Context& ctx, uint32_t handle) {
  ChaosStream& s = streams_.at(handle);
  if (s.phase != ChaosPhase::kOpen && s.phase != ChaosPhase::kBroken) return;
  HostView h = host(ctx);
  uint8_t chunk[kChunk];
  while (true) {
    const bool header_only = !handling_.reads;
    const size_t want = header_only ? kPatternHeaderBytes - s.reader.header.size() : sizeof chunk;
    if (want == 0) return;
    const dmsg::ReadResult r = mutable_client().read(h, handle, chunk, want);
    if (r.state == dmsg::ReadResult::State::kEnd) {
      s.peer_ended = true;
      s.close_requested = true;
      close_if_done(ctx, handle);
    }
    if (r.state != dmsg::ReadResult::State::kData) return;
    const bool had_header = s.reader.header.size() == kPatternHeaderBytes;
    s.reader.feed(chunk, r.bytes);
    if (had_header || s.reader.header.size() < kPatternHeaderBytes) continue;
    // The header just completed: it names the stream.
    const uint64_t seed = s.reader.verifier.seed;
    if (s.dialer) {
      s.misrouted = seed != (s.dial_id | ChaosStream::kAcceptorSeedBit);
    } else {
      s.misrouted = (seed & ChaosStream::kAcceptorSeedBit) != 0 || seed == 0;
      if (!s.misrouted) s.dial_id = seed;
      write_more(ctx, handle);
    }
  }
}

void ChaosClient::close_if_done(sim::Context& ctx, uint32_t handle) {
  ChaosStream& s = streams_.at(handle);
  if (s.phase != ChaosPhase::kOpen || !s.close_requested || s.dial_id == 0) return;
  if (s.written < kPatternHeaderBytes + s.requested) return;
  HostView h = host(ctx);
  mutable_client().close(h, handle);
  end(ctx, handle, ChaosPhase::kClosed);
}

void ChaosClient::end(sim::Context& ctx, uint32_t handle, ChaosPhase phase) {
  ChaosStream& s = streams_.at(handle);
  s.phase = phase;
  s.ended_at = ctx.now();
  attacked_stream_ended(handle, phase, s.error);
}

void ChaosClient::on_client_event(sim::Context& ctx, const dmsg::ClientEvent& event) {
  using Kind = dmsg::ClientEvent::Kind;
  if (settle_act(ctx, event)) return;  // a hostile act's own dial
  auto it = streams_.find(event.stream);
  switch (event.kind) {
    case Kind::kDialed:
      if (it == streams_.end()) return;
      it->second.resolved = ctx.now();
      if (!event.dial_succeeded()) {
        it->second.error = event.error;
        it->second.timed_out = event.timed_out;
        end(ctx, event.stream, ChaosPhase::kFailed);
        return;
      }
      it->second.phase = ChaosPhase::kOpen;
      write_more(ctx, event.stream);
      close_if_done(ctx, event.stream);
      return;
    case Kind::kIncoming:
      accept_waiting(ctx);
      return;
    case Kind::kReadable:
      if (it != streams_.end()) read_more(ctx, event.stream);
      return;
    case Kind::kWritable:
      if (it != streams_.end()) {
        write_more(ctx, event.stream);
        close_if_done(ctx, event.stream);
      }
      return;
    case Kind::kClosed:
      if (it == streams_.end() || it->second.phase != ChaosPhase::kOpen) return;
      it->second.error = event.error;
      end(ctx, event.stream, ChaosPhase::kBroken);
      read_more(ctx, event.stream);  // what had arrived still counts
      {
        HostView h = host(ctx);
        mutable_client().close(h, event.stream);
      }
      return;
    case Kind::kSessionOpened:
    case Kind::kSessionClosed:
      return;
  }
}

}  // namespace scenarios::chaos
