// A chaos client as a hostile peer: its acts, and the outcomes it records of them.
#include "dmsg/frame.h"
#include "dmsg/stream_request.h"
#include "scenarios/chaos/chaos_client.h"
#include "sim/fmt.h"
#include "sim/world.h"

namespace scenarios::chaos {
namespace {

// Requests that no one should ever answer with a stream go to the offender's own key on a
// port nobody listens on: if the server wrongly relayed one, it would come back here.
constexpr uint16_t kUnlistenedPort = 2;
// An undecodable request: shorter than a signature.
constexpr size_t kFloodRequestBytes = 10;
// A record claims its length in 2 bytes; the peer opens at most 4096.
constexpr size_t kOversizedRecordBytes = 5000;

sim::Bytes frame(dmsg::FrameType type, uint32_t stream, uint32_t length) {
  const auto header = dmsg::encode_frame_header(dmsg::FrameHeader{type, 0, stream, length});
  const size_t payload = type == dmsg::FrameType::kData ? length : 0;
  sim::Bytes bytes(header.size() + payload, 0x5a);
  std::copy(header.begin(), header.end(), bytes.begin());
  return bytes;
}

std::string code_text(dmsg::ErrorCode error) {
  return fmt::format("{} ({})", static_cast<int>(error), dmsg::describe(error));
}

}  // namespace

void ChaosClient::begin_hostile(sim::Context& ctx, HostileKind kind, const std::string& victim) {
  end_hostile(ctx);  // one span at a time
  offender_.kind = kind;
  offender_.victim = victim;
  ++offender_.span;
  if (kind == HostileKind::kNeverReads) {
    HostView h = host(ctx);
    mutable_client().set_deaf(h, true);
    ++offender_.counts[static_cast<size_t>(kind)].acts;
    return;
  }
  act_hostile(ctx);
}

void ChaosClient::end_hostile(sim::Context& ctx) {
  if (!offender_.kind) return;
  if (*offender_.kind == HostileKind::kNeverReads) {
    HostView h = host(ctx);
    mutable_client().set_deaf(h, false);
    ++offender_.counts[static_cast<size_t>(HostileKind::kNeverReads)].answered;
  }
  offender_.kind.reset();
}

void ChaosClient::on_workload_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) {
  SIM_ASSERT_EQ(timer_id, kHostileTimer);
  if (!offender_.kind || arg != offender_.span || !is_running()) return;  // a span that ended
  act_hostile(ctx);
}

void ChaosClient::act_hostile(sim::Context& ctx) {
  const HostileKind kind = *offender_.kind;
  HostileCounts& counts = offender_.counts[static_cast<size_t>(kind)];
  ++counts.acts;
  if (!act_once(ctx, kind)) ++counts.idle;
  set_workload_timer(ctx, act_period(kind), kHostileTimer, offender_.span);
}

bool ChaosClient::act_once(sim::Context& ctx, HostileKind kind) {
  HostView h = host(ctx);
  dmsg::Client& c = mutable_client();
  const dmsg::Address self{c.identity().public_key(), kUnlistenedPort};
  switch (kind) {
    case HostileKind::kMalformedFrame: {
      const std::optional<dmsg::PublicKey> server = random_session(ctx);
      if (!server) return false;
      sim::Bytes bad = frame(dmsg::FrameType::kPing, 0, 1);
      bad[0] = 7;  // an unknown version
      offender_.frames.emplace(*server, PendingAct{kind, ctx.now(), false, *server});
      c.inject_session_bytes(h, *server, bad);
      return true;
    }
    case HostileKind::kBadSignature: {
      sim::Bytes forged = signed_request(ctx, c.identity(), self);
      forged[forged.size() - 10] ^= 0x80;
      return raw_dial(ctx, kind, forged, self);
    }
    case HostileKind::kReplayedRequest:
      if (!offender_.replayable) {
        const sim::Bytes original = signed_request(ctx, c.identity(), self);
        const std::optional<dmsg::PublicKey> server = random_session(ctx);
        if (!server) return false;
        offender_.replayable = original;
        offender_.replay_server = *server;
        return raw_dial(ctx, kind, original, self, server, /*original=*/true);
      }
      // The same server: replays are refused per session, by the timestamp it last took.
      return raw_dial(ctx, kind, *offender_.replayable, self, offender_.replay_server);
    case HostileKind::kDialFlood:
      return raw_dial(ctx, kind, sim::Bytes(kFloodRequestBytes, 0x42), self);
    case HostileKind::kWindowViolation: {
      const std::optional<uint32_t> handle = open_stream_to_attack(ctx);
      if (!handle) return false;
      const dmsg::ClientStream& s = *client().stream(*handle);
      // A full window's frame, then one byte more than any window the server has left.
      sim::Bytes bytes = frame(dmsg::FrameType::kData, s.mux_stream, c.options().mux.window_bytes);
      const sim::Bytes past = frame(dmsg::FrameType::kData, s.mux_stream, 1);
      bytes.insert(bytes.end(), past.begin(), past.end());
      offender_.streams.emplace(*handle, PendingAct{kind, ctx.now(), false, s.server, streams_.at(*handle).dial_id});
      c.inject_session_bytes(h, s.server, bytes);
      return true;
    }
    case HostileKind::kBadRecord: {
      const std::optional<uint32_t> handle = open_stream_to_attack(ctx);
      if (!handle) return false;
      // Sized once, then the length written in: growing a 2-byte vector makes GCC 12 at -O3
      // warn falsely of an out-of-bounds memmove.
      sim::Bytes oversized(2 + kOversizedRecordBytes, 0x11);
      oversized[0] = static_cast<uint8_t>(kOversizedRecordBytes >> 8);
      oversized[1] = static_cast<uint8_t>(kOversizedRecordBytes & 0xff);
      offender_.streams.emplace(
          *handle, PendingAct{kind, ctx.now(), false, client().stream(*handle)->server, streams_.at(*handle).dial_id});
      c.inject_stream_bytes(h, *handle, oversized);
      return true;
    }
    case HostileKind::kStalledHandshake: {
      const std::optional<dmsg::PublicKey> server = random_session(ctx);
      if (!server || !c.open_silent_connection(h, *server)) return false;
      ++offender_.silent_opened;
      return true;
    }
    case HostileKind::kNeverReads:
      SIM_UNREACHABLE("never-reads acts once, at its start");
    case HostileKind::kSpoofedSource: {
      // Signed by the victim's own key: only the server's check that a request's source is
      // its session's client stops it.
      const dmsg::Identity stolen = node_identity(ctx.world().seed(), offender_.victim);
      return raw_dial(ctx, kind, signed_request(ctx, stolen, self), self);
    }
  }
  SIM_UNREACHABLE("hostile kind {}", static_cast<int>(kind));
}

bool ChaosClient::raw_dial(sim::Context& ctx, HostileKind kind, const sim::Bytes& request, const dmsg::Address& dst,
                           std::optional<dmsg::PublicKey> server, bool original) {
  if (!server) server = random_session(ctx);
  if (!server) return false;
  HostView h = host(ctx);
  // A dial that fails at once still reports it as an event, delivered after this handler.
  const uint32_t handle = mutable_client().dial_raw(h, *server, request, dst);
  offender_.dials.emplace(handle, PendingAct{kind, ctx.now(), original, *server});
  return true;
}

sim::Bytes ChaosClient::signed_request(sim::Context& ctx, const dmsg::Identity& as, const dmsg::Address& dst) {
  HostView h = host(ctx);
  dmsg::StreamRequest r;
  r.timestamp = h.wall_now().ns();
  r.src = dmsg::Address{as.public_key(), kUnlistenedPort};
  r.dst = dst;
  return dmsg::sign_request(r, as);
}

std::optional<uint32_t> ChaosClient::open_stream_to_attack(sim::Context& ctx) {
  std::vector<uint32_t> open;
  for (const auto& [handle, s] : streams_) {
    const dmsg::ClientStream* cs = client().stream(handle);
    // Only a stream whose number it knows (an acceptor learns it from the header): the
    // model finds the act's peer by it.
    if (s.phase == ChaosPhase::kOpen && s.dial_id != 0 && cs != nullptr && cs->has_mux_stream &&
        offender_.streams.count(handle) == 0) {
      open.push_back(handle);
    }
  }
  if (open.empty()) return std::nullopt;
  HostView h = host(ctx);
  return open[h.rng().below(open.size())];
}

std::optional<dmsg::PublicKey> ChaosClient::random_session(sim::Context& ctx) {
  const std::vector<dmsg::PublicKey> servers = client().delegated_servers();
  if (servers.empty()) return std::nullopt;
  HostView h = host(ctx);
  return servers[h.rng().below(servers.size())];
}

void ChaosClient::count_outcome(const PendingAct& act, bool answered, const std::string& otherwise) {
  HostileCounts& counts = offender_.counts[static_cast<size_t>(act.kind)];
  if (answered) {
    ++counts.answered;
    return;
  }
  if (otherwise.empty()) {
    ++counts.lost;
    return;
  }
  ++counts.unexpected;
  if (offender_.first_unexpected.empty()) {
    offender_.first_unexpected = fmt::format("{} at {}: {}", enum_name(act.kind), act.at, otherwise);
  }
}

bool ChaosClient::settle_act(sim::Context& ctx, const dmsg::ClientEvent& event) {
  using Kind = dmsg::ClientEvent::Kind;
  if (event.kind == Kind::kSessionClosed) {
    // A replay is refused by the session that took the original: a new one starts over.
    if (event.server == offender_.replay_server) offender_.replayable.reset();
    if (auto it = offender_.frames.find(event.server); it != offender_.frames.end()) {
      count_outcome(it->second, true, "");
      offender_.frames.erase(it);
    }
    return false;
  }
  auto it = offender_.dials.find(event.stream);
  if (it == offender_.dials.end()) return false;
  const PendingAct act = it->second;
  offender_.dials.erase(it);
  if (event.kind != Kind::kDialed) return true;
  const bool lost = event.timed_out || event.error == dmsg::ErrorCode::kSessionClosed ||
                    event.error == dmsg::ErrorCode::kEntityClosed;
  if (event.dial_succeeded()) {
    // Nobody listens there: a stream that opened was relayed where it must not be.
    HostView h = host(ctx);
    mutable_client().close(h, event.stream);
    count_outcome(act, false, "the dial opened a stream");
  } else if (act.original) {
    count_outcome(act, true, "");  // any refusal answers the first sending
  } else {
    count_outcome(act, answers_dial(act.kind, event.error), lost ? "" : "refused with " + code_text(event.error));
  }
  return true;
}

void ChaosClient::attacked_stream_ended(uint32_t handle, ChaosPhase phase, dmsg::ErrorCode error) {
  auto it = offender_.streams.find(handle);
  if (it == offender_.streams.end()) return;
  // A reset or a refused record ends the stream with 200; its session's end is another cause.
  count_outcome(it->second, phase == ChaosPhase::kBroken && error == dmsg::ErrorCode::kEntityClosed, "");
  offender_.streams.erase(it);
}

HostileTable ChaosClient::hostile_counts() const {
  HostileTable table = offender_.counts;
  HostileCounts& stalled = table[static_cast<size_t>(HostileKind::kStalledHandshake)];
  stalled.answered += offender_.silent_opened - client().silent_connections().size();
  return table;
}

namespace {

template <class Map>
void keep_oldest(const Map& pending, std::optional<PendingAct>& oldest) {
  for (const auto& [key, act] : pending) {
    if (!oldest || act.at < oldest->at) oldest = act;
  }
}

}  // namespace

std::optional<PendingAct> ChaosClient::oldest_pending_dial() const {
  std::optional<PendingAct> oldest;
  keep_oldest(offender_.dials, oldest);
  return oldest;
}

std::vector<PendingAct> ChaosClient::pending_consequences() const {
  std::vector<PendingAct> out;
  for (const auto& [handle, act] : offender_.streams) out.push_back(act);
  for (const auto& [server, act] : offender_.frames) out.push_back(act);
  for (const auto& [conn, silent] : client().silent_connections()) {
    out.push_back(PendingAct{HostileKind::kStalledHandshake, silent.opened, false, silent.server});
  }
  return out;
}

}  // namespace scenarios::chaos
