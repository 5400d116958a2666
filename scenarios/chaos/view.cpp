// Reading a chaos world into its abstraction.
#include "scenarios/chaos/view.h"

#include "sim/binary.h"
#include "sim/fmt.h"

#include <algorithm>

namespace scenarios::chaos {

Viewer::Viewer(const sim::World& world) : nodes_(ChaosNodes::of(world)) {
  for (uint32_t i = 0; i < nodes_.servers.size(); ++i) {
    server_by_key_[world.actor_as<ServerNode>(nodes_.servers[i]).server().identity().public_key()] = i;
  }
}

std::optional<uint32_t> Viewer::server_index(const dmsg::PublicKey& pk) const {
  auto it = server_by_key_.find(pk);
  if (it == server_by_key_.end()) return std::nullopt;
  return it->second;
}

namespace {

uint64_t state_bytes(const sim::Actor& actor) {
  sim::Bytes bytes;
  {
    sim::Writer writer(bytes, sim::Encoding::kSnapshot);  // flushed when it goes
    actor.save(writer);
  }
  return bytes.size();
}

}  // namespace

WorldView Viewer::look(const sim::World& world, bool footprints) const {
  WorldView view;
  view.at = world.now();
  view.footprints = footprints;
  for (const sim::ActorId id : nodes_.servers) {
    const auto& node = world.actor_as<ServerNode>(id);
    ServerView s;
    s.up = node.is_process_up() && !node.server().is_stopped();
    s.sessions = s.up ? static_cast<uint32_t>(node.server().open_session_count()) : 0;
    if (footprints) {
      s.footprint = {state_bytes(node), node.transport().connections().size(), node.server().session_count(),
                     node.server().relay_count(), 0};
    }
    view.servers.push_back(s);
  }
  for (uint32_t i = 0; i < nodes_.clients.size(); ++i) {
    const auto& node = world.actor_as<ChaosClient>(nodes_.clients[i]);
    ClientView c;
    c.up = node.is_running();
    c.handling = node.handling();
    if (footprints) {
      c.footprint = {state_bytes(node), node.transport().connections().size(), node.client().session_count(),
                     node.client().stream_count(), node.streams().size()};
    }
    if (c.up) {
      c.sessions = sessions_of(world, i);
      c.queued = static_cast<uint32_t>(node.client().queued(kChaosPort));
    }
    c.offender.counts = node.hostile_counts();
    c.offender.oldest_dial = node.oldest_pending_dial();
    for (const PendingAct& act : node.pending_consequences()) {
      c.offender.consequences.push_back({act, server_index(act.server)});
    }
    c.offender.first_unexpected = node.offender().first_unexpected;
    view.clients.push_back(c);
    if (c.up) add_ends(world, i, view);  // a stopped application holds no streams
  }
  return view;
}

// Each end joins its stream by dial number; an acceptor that has not read the header yet
// cannot be placed and is left out (the model allows for that within an operation's grace).
void Viewer::add_ends(const sim::World& world, uint32_t client, WorldView& view) const {
  const auto& node = world.actor_as<ChaosClient>(nodes_.clients[client]);
  for (const auto& [handle, s] : node.streams()) {
    if (s.dial_id == 0) continue;
    StreamView& stream = view.streams[s.dial_id];
    stream.id = s.dial_id;
    (s.dialer ? stream.at_dialer : stream.at_acceptor) = end_view(node, handle, s);
    (s.dialer ? stream.dialer : stream.acceptor) = client;
  }
}

EndView Viewer::end_view(const ChaosClient& node, uint32_t handle, const ChaosStream& s) const {
  EndView end;
  end.present = true;
  end.phase = s.phase;
  end.error = s.error;
  end.started = s.started;
  if (s.phase != ChaosPhase::kDialing && s.phase != ChaosPhase::kFailed) end.opened_at = s.resolved;
  end.ended_at = s.ended_at;
  end.requested = s.requested;
  end.written = s.payload_written();
  end.delivered = s.delivered();
  end.mismatches = s.reader.verifier.mismatches;
  if (end.mismatches != 0) end.first_bad_offset = s.reader.verifier.first_mismatch;
  end.misrouted = s.misrouted;
  end.close_requested = s.close_requested;
  if (const dmsg::ClientStream* held = node.client().stream(handle); held != nullptr) {
    end.relay = server_index(held->server);
  }
  return end;
}

EndView Viewer::end_of(const sim::World& world, uint32_t client, uint64_t dial_id) const {
  const auto& node = world.actor_as<ChaosClient>(nodes_.clients.at(client));
  if (!node.is_running()) return EndView{};
  for (const auto& [handle, s] : node.streams()) {
    if (s.dial_id == dial_id) return end_view(node, handle, s);
  }
  return EndView{};
}

std::optional<Viewer::RelayLegs> Viewer::relay_of(const sim::World& world, uint32_t client, uint64_t dial_id) const {
  const auto& node = world.actor_as<ChaosClient>(nodes_.clients.at(client));
  if (!node.is_running()) return std::nullopt;
  for (const auto& [handle, s] : node.streams()) {
    if (s.dial_id != dial_id || !s.dialer) continue;
    const dmsg::ClientStream* held = node.client().stream(handle);
    if (held == nullptr) return std::nullopt;
    const std::optional<uint32_t> server = server_index(held->server);
    if (!server) return std::nullopt;
    const auto& relay_node = world.actor_as<ServerNode>(nodes_.servers.at(*server));
    if (!relay_node.is_process_up()) return std::nullopt;
    const std::optional<dmsg::Server::RelayedBytes> bytes = relay_node.server().relayed(held->request_hash);
    if (!bytes) return std::nullopt;
    return RelayLegs{*server, *bytes};
  }
  return std::nullopt;
}

std::vector<uint32_t> Viewer::sessions_of(const sim::World& world, uint32_t client) const {
  const auto& node = world.actor_as<ChaosClient>(nodes_.clients.at(client));
  std::vector<uint32_t> sessions;
  if (!node.is_running()) return sessions;
  for (const dmsg::PublicKey& pk : node.client().delegated_servers()) {
    if (const std::optional<uint32_t> s = server_index(pk)) sessions.push_back(*s);
  }
  std::sort(sessions.begin(), sessions.end());
  return sessions;
}

namespace {

std::string end_text(const EndView& e) {
  if (!e.present) return "-";
  std::string text = std::string(enum_name(e.phase));
  if (e.error != dmsg::ErrorCode::kOk) text += fmt::format("({})", static_cast<int>(e.error));
  if (e.relay) text += fmt::format(" via s{}", *e.relay);
  if (e.close_requested) text += " closing";
  return text;
}

}  // namespace

std::string end_line(const EndView& e) {
  if (!e.present) return "no record";
  std::string text =
      fmt::format("{}, requested {}, written {}, delivered {}", end_text(e), e.requested, e.written, e.delivered);
  if (e.mismatches != 0) text += fmt::format(", {} bytes wrong from offset {}", e.mismatches, e.first_bad_offset);
  if (e.misrouted) text += ", misrouted";
  return text;
}

std::string to_text(const WorldView& view) {
  std::string out = fmt::format("at {}\n\nservers\n  {:<6} {:<4} {:>8}\n", view.at, "name", "up", "sessions");
  for (size_t s = 0; s < view.servers.size(); ++s) {
    out += fmt::format("  s{:<5} {:<4} {:>8}\n", s, view.servers[s].up ? "yes" : "no", view.servers[s].sessions);
  }
  out += fmt::format("\nclients\n  {:<6} {:<4} {:<7} {:<6} {:>6}  {}\n", "name", "up", "accepts", "reads", "queued",
                     "sessions");
  for (size_t c = 0; c < view.clients.size(); ++c) {
    const ClientView& v = view.clients[c];
    std::string sessions;
    for (const uint32_t s : v.sessions) sessions += fmt::format("s{} ", s);
    out += fmt::format("  c{:<5} {:<4} {:<7} {:<6} {:>6}  {}\n", c, v.up ? "yes" : "no",
                       v.handling.accepts ? "yes" : "no", v.handling.reads ? "yes" : "no", v.queued, sessions);
  }
  out += fmt::format(
      "\nstreams (bytes: requested/written at the writer, delivered at the reader)\n"
      "  {:>6} {:<6} {:<6} {:<22} {:<22} {:>26} {:>26}\n",
      "dial", "from", "to", "dialer end", "acceptor end", "dialer->acceptor", "acceptor->dialer");
  for (const auto& [id, s] : view.streams) {
    const auto bytes = [](const EndView& w, const EndView& r) {
      return fmt::format("{}/{}/{}", w.requested, w.written, r.delivered);
    };
    // An end without a record does not say who it is: the dialer's record does not name its peer.
    const auto who = [](const EndView& e, uint32_t client) {
      return e.present ? fmt::format("c{}", client) : std::string("?");
    };
    out += fmt::format("  {:>6} {:<6} {:<6} {:<22} {:<22} {:>26} {:>26}\n", id, who(s.at_dialer, s.dialer),
                       who(s.at_acceptor, s.acceptor), end_text(s.at_dialer), end_text(s.at_acceptor),
                       bytes(s.at_dialer, s.at_acceptor), bytes(s.at_acceptor, s.at_dialer));
  }
  return out;
}

}  // namespace scenarios::chaos
