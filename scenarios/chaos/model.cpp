// The reference model's predictions and comparisons.
#include "scenarios/chaos/model.h"

#include "dmsg/backoff.h"
#include "dmsg/client.h"
#include "dmsg/mux.h"
#include "dmsg/session.h"
#include "sim/enum_names.h"
#include "sim/fmt.h"

#include <algorithm>
#include <array>

namespace scenarios::chaos {
namespace {

constexpr std::array<sim::EnumName<StopHow>, 3> kStopNames = {{
    {StopHow::kKill, "kill"},
    {StopHow::kCrash, "crash"},
    {StopHow::kStop, "stop"},
}};

std::string end_field(uint64_t id, bool dialer_end, std::string_view what) {
  return fmt::format("streams/{}/{}/{}", id, dialer_end ? "dialer" : "acceptor", what);
}

std::string list(const std::vector<uint32_t>& servers) {
  std::string out = "[";
  for (size_t i = 0; i < servers.size(); ++i) out += fmt::format("{}s{}", i == 0 ? "" : " ", servers[i]);
  return out + "]";
}

std::string memory_text(const MemoryBudget& budget, const NodeFootprint& f, bool server) {
  return fmt::format("at most {} bytes ({} connections, {} sessions, {} {}, {} records)", budget.bound(f, server),
                     f.connections, f.sessions, f.streams, server ? "relays" : "streams", f.records);
}

const EndView& end_of(const StreamView& s, bool dialer_end) { return dialer_end ? s.at_dialer : s.at_acceptor; }

}  // namespace

std::string_view enum_name(StopHow how) { return sim::name_in(kStopNames, how); }

std::string Mismatch::describe() const {
  return fmt::format("{} check: {}: expected {}, world has {}", kind, field, expected, actual);
}

ModelBounds ModelBounds::for_profile(const net::FaultProfile& profile) {
  ModelBounds b;
  const dmsg::MuxOptions mux;
  b.delivery = DeliveryBounds::of(profile, net::TransportOptions{}, mux.window_bytes);
  const bool calm =
      profile.link.loss.is_zero() && profile.link.duplication.is_zero() && profile.clog_chance_per_s.is_zero();
  b.close_on_loss = calm ? sim::Duration::seconds(5) : sim::Duration::seconds(20);
  b.harsh = !calm;
  b.links_keep_sessions = DeliveryBounds::links_keep_sessions(profile, net::TransportOptions{}, mux.ping_timeout);
  const dmsg::ClientOptions client;
  b.reconnect =
      b.delivery.exchange(1) + std::max(client.recheck_interval, dmsg::Backoff::kCap) + b.delivery.session_setup();
  const net::TransportOptions transport;
  b.hostile_consequence = b.delivery.transfer(dmsg::SessionConn::kQueueLimit + transport.send_buffer_bytes);
  b.handshake_drop = dmsg::SessionHandshake::kTimeout + b.delivery.exchange(1);
  return b;
}

sim::Duration ModelBounds::operation_grace(uint64_t outstanding_bytes) const {
  constexpr uint32_t kDialRoundTrips = 3;  // request to the server, on to the peer, answer back
  return delivery.transfer(outstanding_bytes, kDialRoundTrips);
}

Model::Model(uint32_t servers, uint32_t clients, ModelBounds bounds)
    : bounds_(bounds), servers_(servers), clients_(clients) {}

sim::Duration Model::close_bound(StopHow how) const {
  return how == StopHow::kCrash ? bounds_.close_on_crash : bounds_.close_on_loss;
}

bool Model::news_overdue(sim::Instant since, sim::Duration bound, sim::Instant now) const {
  // Retransmission backoff (at most 2 s per step) can carry a disturbance's effect a little
  // past its end.
  constexpr sim::Duration kAftermath = sim::Duration::seconds(10);
  if (partitioned_) return false;
  if (disturbed_until_ + kAftermath > since) return now > std::max(since, disturbed_until_) + bounds_.close_on_crash;
  return now > since + bound;
}

bool Model::ran_since(const Node& n, sim::Instant since) const {
  return n.up && (!n.stopped_at || *n.stopped_at < since) && n.up_since <= since;
}

bool Model::stop_news_overdue(const Node& n, sim::Instant since, sim::Instant now) const {
  auto overdue = [&](const std::optional<sim::Instant>& at, sim::Duration bound) -> std::optional<bool> {
    if (!at || *at <= since) return std::nullopt;
    return news_overdue(*at, bound, now);
  };
  const std::optional<bool> stop = overdue(n.stopped_at, close_bound(n.how));
  const std::optional<bool> crash = overdue(n.crashed_at, bounds_.close_on_crash);
  if (!stop && !crash) return false;
  return stop.value_or(true) && crash.value_or(true);
}

void Model::begin_batch(const WorldView& view) {
  queued_.clear();
  dials_this_batch_.clear();
  for (uint32_t c = 0; c < view.clients.size(); ++c) queued_[c] = view.clients[c].queued;
  for (const auto& [id, seen] : view.streams) {
    auto known = streams_.find(id);
    if (known == streams_.end()) continue;
    known->second.delivered_at_batch[0] = seen.at_acceptor.delivered;
    known->second.delivered_at_batch[1] = seen.at_dialer.delivered;
    Stream& stream = known->second;
    if (!stream.opened && seen.at_dialer.opened_at) {
      stream.opened = true;
      harsh_dials_.opened += stream.harsh ? 1 : 0;
    }
  }
}

void Model::network_calmed(const ModelBounds& calmed, sim::Instant now) {
  SIM_ASSERT_MSG(!calmed.harsh, "calmed bounds with background faults");
  bounds_ = calmed;
  last_fault_ = now;
  // Packets the faults held back are still on their way.
  disturbed_until_ = std::max(disturbed_until_, now);
  for (auto& [id, s] : streams_) s.outcome = DialOutcome::kUnknown;
}

void Model::apply(const Action& a, sim::Instant now) {
  if (a.kind != EventKind::kDial && a.kind != EventKind::kWrite) {
    // A fault may end any stream: from now on the model knows each one only as the views
    // show it.
    for (auto& [id, s] : streams_) s.outcome = DialOutcome::kUnknown;
  }
  switch (a.kind) {
    case EventKind::kStartServer:
      servers_.at(a.node).up = true;
      servers_.at(a.node).up_since = now;
      last_fault_ = now;
      return;
    case EventKind::kStopServer:
      servers_.at(a.node).stop(a.how, now);
      last_fault_ = now;
      return;
    case EventKind::kStartClient:
      clients_.at(a.node).up = true;
      clients_.at(a.node).up_since = now;
      clients_.at(a.node).handling = Handling{};  // a new incarnation's, until set_handling()
      last_fault_ = now;
      return;
    case EventKind::kStopClient:
      clients_.at(a.node).stop(a.how, now);
      last_fault_ = now;
      return;
    case EventKind::kDial: {
      SIM_ASSERT_MSG(streams_.count(a.stream) == 0, "dial number {} used twice", a.stream);
      Stream& s = streams_[a.stream];
      s.dialer = a.node;
      s.acceptor = a.peer;
      s.last_op = now;
      s.harsh = bounds_.harsh;
      harsh_dials_.made += s.harsh ? 1 : 0;
      s.hostile = offending(a.node, now) || offending(a.peer, now);
      const Node& peer = clients_.at(a.peer);
      const bool any_server = !reachable_servers().empty();
      if (s.hostile || !is_settled(now) || any_uncertain_server_up()) {
        s.outcome = DialOutcome::kUnknown;
      } else if (!peer.up || !any_server) {
        s.outcome = DialOutcome::kFailed;
      } else if (peer.handling.accepts) {
        s.outcome = DialOutcome::kAccepted;
      } else {
        // Dials of one batch reach a full listener in no fixed order: only a batch whose
        // dials all fit, or that finds the backlog full already, has a known outcome.
        const uint32_t queued = queued_[a.peer];
        const uint32_t rank = ++dials_this_batch_[a.peer];
        s.outcome = queued >= bounds_.backlog          ? DialOutcome::kRejected
                    : queued + rank <= bounds_.backlog ? DialOutcome::kQueued
                                                       : DialOutcome::kUnknown;
        if (queued + rank > bounds_.backlog) {
          // Earlier dials of this batch to it are no longer certain either.
          for (auto& [id, other] : streams_) {
            if (other.acceptor == a.peer && other.last_op == now && other.outcome == DialOutcome::kQueued) {
              other.outcome = DialOutcome::kUnknown;
            }
          }
        }
      }
      return;
    }
    case EventKind::kWrite: {
      Stream& s = streams_.at(a.stream);
      const int end = a.dialer_end ? 0 : 1;
      s.requested[end] += a.bytes;
      s.close[end] = s.close[end] || a.close;
      for (const int e : {0, 1}) s.outstanding[e] = s.requested[e] - std::min(s.requested[e], s.delivered_at_batch[e]);
      s.last_op = now;
      return;
    }
    case EventKind::kPartition:
    case EventKind::kHeal:
      partitioned_ = a.kind == EventKind::kPartition;
      disturbed_until_ = std::max(disturbed_until_, now);
      last_fault_ = now;
      return;
    case EventKind::kClog:
    case EventKind::kLossBurst:
      disturbed_until_ = std::max(disturbed_until_, now + a.span);
      last_fault_ = now;
      return;
  }
}

void Model::hostile_began(uint32_t c) {
  clients_.at(c).hostile = true;
  for (auto& [id, s] : streams_) {
    if (s.dialer != c && s.acceptor != c) continue;
    s.hostile = true;
    s.outcome = DialOutcome::kUnknown;
  }
}

void Model::hostile_ended(uint32_t c, sim::Instant now) {
  clients_.at(c).hostile = false;
  clients_.at(c).hostile_ended = now;
}

void Model::end_hostile_spans(sim::Instant now) {
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    if (clients_[c].hostile) hostile_ended(c, now);
  }
}

bool Model::offending(uint32_t c, sim::Instant now) const {
  const Node& n = clients_.at(c);
  return n.hostile || (n.hostile_ended && now - *n.hostile_ended < bounds_.settle);
}

bool Model::any_offending(sim::Instant now) const {
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    if (offending(c, now)) return true;
  }
  return false;
}

void Model::set_handling(uint32_t c, const Handling& handling) {
  clients_.at(c).handling = handling;
  for (auto& [id, s] : streams_) s.outcome = DialOutcome::kUnknown;
}

CheckReport Model::check(const WorldView& before, const WorldView& after) const {
  CheckReport report;
  report.exact = is_settled(after.at);
  check_nodes(after, report.exact, report);
  for (const auto& [id, stream] : after.streams) {
    auto was = before.streams.find(id);
    check_stream_bounds(was == before.streams.end() ? nullptr : &was->second, stream, after.at, report);
  }
  if (report.exact) {
    for (const auto& [id, s] : streams_) {
      auto was = before.streams.find(id);
      auto now = after.streams.find(id);
      check_stream_exact(id, s, was == before.streams.end() ? nullptr : &was->second,
                         now == after.streams.end() ? nullptr : &now->second, after.at, report);
    }
  }
  return report;
}

std::vector<uint32_t> Model::reachable_servers() const {
  std::vector<uint32_t> out;
  for (uint32_t s = 0; s < servers_.size(); ++s) {
    if (servers_[s].up && servers_[s].listing == ServerListing::kListed) out.push_back(s);
  }
  return out;
}

std::vector<uint32_t> Model::owed_sessions(const std::vector<uint32_t>& sessions) const {
  std::vector<uint32_t> out;
  for (const uint32_t s : sessions) {
    if (servers_.at(s).listing != ServerListing::kUncertain) out.push_back(s);
  }
  return out;
}

bool Model::any_uncertain_server_up() const {
  for (const Node& s : servers_) {
    if (s.up && s.listing == ServerListing::kUncertain) return true;
  }
  return false;
}

void Model::check_nodes(const WorldView& after, bool settled, CheckReport& report) const {
  auto bad = [&](std::string check, std::string field, std::string expected, std::string actual) {
    report.mismatches.push_back({std::move(check), std::move(field), std::move(expected), std::move(actual), {}});
  };
  const std::vector<uint32_t> up_servers = reachable_servers();
  uint32_t up_clients = 0;
  uint32_t up_offenders = 0;  // whose sessions a server may or may not hold
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    up_clients += clients_[c].up ? 1 : 0;
    up_offenders += clients_[c].up && offending(c, after.at) ? 1 : 0;
  }
  for (uint32_t s = 0; s < servers_.size(); ++s) {
    const ServerView& v = after.servers.at(s);
    const std::string name = fmt::format("servers/s{}", s);
    if (v.up != servers_[s].up) bad("bound", name + "/up", fmt::to_string(servers_[s].up), fmt::to_string(v.up));
    if (v.sessions > bounds_.max_sessions) {
      bad("bound", name + "/sessions", fmt::format("at most {}", bounds_.max_sessions), fmt::to_string(v.sessions));
    }
    if (after.footprints && v.footprint.state_bytes > bounds_.memory.bound(v.footprint, true)) {
      bad("bound", name + "/state_bytes", memory_text(bounds_.memory, v.footprint, true),
          fmt::to_string(v.footprint.state_bytes));
    }
    if (servers_[s].listing == ServerListing::kUnlisted && v.sessions != 0) {
      bad("prediction", name + "/sessions", "0 (discovery refuses its entries: its clock is outside the window)",
          fmt::to_string(v.sessions));
    }
    if (settled && servers_[s].up && servers_[s].listing == ServerListing::kListed &&
        (v.sessions > up_clients || v.sessions + up_offenders < up_clients)) {
      bad("exact", name + "/sessions",
          up_offenders == 0 ? fmt::format("{} (one per running client)", up_clients)
                            : fmt::format("{} to {} (one per running client, hostile ones perhaps not)",
                                          up_clients - up_offenders, up_clients),
          fmt::to_string(v.sessions));
    }
  }
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    const ClientView& v = after.clients.at(c);
    const Node& m = clients_[c];
    const std::string name = fmt::format("clients/c{}", c);
    if (v.up != m.up) bad("bound", name + "/up", fmt::to_string(m.up), fmt::to_string(v.up));
    if (after.footprints && v.footprint.state_bytes > bounds_.memory.bound(v.footprint, false)) {
      bad("bound", name + "/state_bytes", memory_text(bounds_.memory, v.footprint, false),
          fmt::to_string(v.footprint.state_bytes));
    }
    if (!v.up || !m.up) continue;
    if (v.handling.accepts != m.handling.accepts) {
      bad("bound", name + "/accepts", fmt::to_string(m.handling.accepts), fmt::to_string(v.handling.accepts));
    }
    if (v.handling.reads != m.handling.reads) {
      bad("bound", name + "/reads", fmt::to_string(m.handling.reads), fmt::to_string(v.handling.reads));
    }
    if (v.queued > bounds_.backlog) {
      bad("bound", name + "/queued", fmt::format("at most the backlog, {}", bounds_.backlog), fmt::to_string(v.queued));
    }
    // A session may outlive its server only until the client can know it is gone (an
    // offender may not listen).
    for (const uint32_t s : offending(c, after.at) ? std::vector<uint32_t>{} : v.sessions) {
      const Node& server = servers_.at(s);
      if (!server.up && stop_news_overdue(server, sim::Instant::zero(), after.at)) {
        bad("bound", name + "/sessions",
            fmt::format("no session to s{} ({} at {}, {} ago)", s, enum_name(server.how), *server.stopped_at,
                        after.at - *server.stopped_at),
            list(v.sessions));
      }
    }
    check_offender(c, v, after.at, report);
    check_reconnects(c, v, after.at, report);
    if (settled && !offending(c, after.at) && owed_sessions(v.sessions) != up_servers) {
      bad("exact", name + "/sessions", list(up_servers) + " (every running, listed server)", list(v.sessions));
    }
  }
}

void Model::check_offender(uint32_t c, const ClientView& v, sim::Instant now, CheckReport& report) const {
  const OffenderView& o = v.offender;
  const std::string name = fmt::format("clients/c{}", c);
  if (!o.first_unexpected.empty()) {
    report.mismatches.push_back({"oracle",
                                 name + "/hostile_outcome",
                                 "every hostile act answered as the protocol says (README, \"Hostile peers\")",
                                 o.first_unexpected,
                                 {}});
  }
  if (o.oldest_dial && now - o.oldest_dial->at > bounds_.dial_deadline) {
    report.mismatches.push_back(
        {"bound",
         name + "/hostile_dial",
         fmt::format("a {} dial resolved within {}", enum_name(o.oldest_dial->kind), bounds_.dial_deadline),
         fmt::format("unanswered since {}", o.oldest_dial->at),
         {}});
  }
  // A consequence travels the links: owed only on links that keep sessions, and only while
  // the act's server (and, for an act on a stream, its peer) ran on since the act: a crash
  // leaves a connection nobody drops.
  if (!bounds_.links_keep_sessions) return;
  for (const OffenderView::Consequence& pending : o.consequences) {
    const PendingAct& act = pending.act;
    if (!pending.server || !ran_since(servers_.at(*pending.server), act.at)) continue;
    const bool on_stream = act.kind == HostileKind::kWindowViolation || act.kind == HostileKind::kBadRecord;
    SIM_ASSERT_MSG(!on_stream || act.dial_id != 0, "an act on a stream names it");
    if (on_stream) {
      auto stream = streams_.find(act.dial_id);
      if (stream == streams_.end()) continue;
      const uint32_t peer = stream->second.dialer == c ? stream->second.acceptor : stream->second.dialer;
      const Node& p = clients_.at(peer);
      if (!ran_since(p, act.at)) continue;
      // A peer hostile itself since the act (one that stopped reading, say) owes nothing.
      if (p.hostile || (p.hostile_ended && *p.hostile_ended >= act.at)) continue;
      // A record is opened when it is read: a peer that does not read never finds it bad.
      if (act.kind == HostileKind::kBadRecord && !p.handling.reads) continue;
    }
    const bool stalled = act.kind == HostileKind::kStalledHandshake;
    // The server's close reaches an idle connection with no keepalive once: lost (on lossy
    // links, in a disturbance since the act), nothing repeats it.
    if (stalled && (bounds_.harsh || disturbed_until_ >= act.at)) continue;
    const sim::Duration bound = stalled ? bounds_.handshake_drop : bounds_.hostile_consequence;
    if (!news_overdue(act.at, bound, now)) continue;
    report.mismatches.push_back(
        {"bound",
         name + "/hostile_consequence",
         fmt::format("{} at {} answered within {}: {}", enum_name(act.kind), act.at, bound, expected_outcome(act.kind)),
         fmt::format("not yet, {} after it", now - act.at),
         {}});
    return;
  }
}

void Model::check_reconnects(uint32_t c, const ClientView& v, sim::Instant now, CheckReport& report) const {
  if (!bounds_.links_keep_sessions || partitioned_ || clients_[c].hostile) return;
  for (const uint32_t s : reachable_servers()) {
    if (std::find(v.sessions.begin(), v.sessions.end(), s) != v.sessions.end()) continue;
    const sim::Instant since = std::max({servers_[s].up_since, clients_[c].up_since, disturbed_until_,
                                         clients_[c].hostile_ended.value_or(sim::Instant::zero())});
    if (now - since <= bounds_.reconnect) continue;
    // An obligation with a deadline: of the liveness class, like the settle window's check.
    report.mismatches.push_back({"liveness",
                                 fmt::format("clients/c{}/sessions", c),
                                 fmt::format("a session to s{} within {} of both running and the links calm (since {})",
                                             s, bounds_.reconnect, since),
                                 list(v.sessions),
                                 {}});
  }
}

void Model::check_stream_bounds(const StreamView* before, const StreamView& after, sim::Instant now,
                                CheckReport& report) const {
  auto bad = [&](std::string check, std::string field, std::string expected, std::string actual) {
    report.mismatches.push_back({std::move(check), std::move(field), std::move(expected), std::move(actual), {}});
  };
  auto known = streams_.find(after.id);
  for (const bool dialer_end : {true, false}) {
    const EndView& e = end_of(after, dialer_end);
    if (!e.present) continue;
    const EndView& other = end_of(after, !dialer_end);
    if (e.mismatches != 0) {
      bad("oracle", end_field(after.id, dialer_end, "content"), "every byte read equals its pattern",
          fmt::format("{} bytes differed, the first at offset {}", e.mismatches, e.first_bad_offset));
      report.mismatches.back().byte_offset = e.first_bad_offset;
    }
    if (e.misrouted) bad("oracle", end_field(after.id, dialer_end, "routing"), "its own stream's bytes", "another's");
    if (known != streams_.end() && e.requested != known->second.requested[dialer_end ? 0 : 1]) {
      bad("bound", end_field(after.id, dialer_end, "requested"),
          fmt::to_string(known->second.requested[dialer_end ? 0 : 1]), fmt::to_string(e.requested));
    }
    if (e.written > e.requested) {
      bad("bound", end_field(after.id, dialer_end, "written"), fmt::format("at most requested, {}", e.requested),
          fmt::to_string(e.written));
    }
    if (other.present && e.delivered > other.written) {
      bad("oracle", end_field(after.id, dialer_end, "delivered"),
          fmt::format("at most what the other end wrote, {}", other.written), fmt::to_string(e.delivered));
    }
    if (before != nullptr && end_of(*before, dialer_end).present) {
      const EndView& was = end_of(*before, dialer_end);
      if (e.requested < was.requested || e.written < was.written || e.delivered < was.delivered) {
        bad("bound", end_field(after.id, dialer_end, "counters"), "never decreasing",
            fmt::format("requested {}->{}, written {}->{}, delivered {}->{}", was.requested, e.requested, was.written,
                        e.written, was.delivered, e.delivered));
      }
    }
    if (e.phase == ChaosPhase::kDialing && now - e.started > bounds_.dial_deadline) {
      bad("bound", end_field(after.id, dialer_end, "phase"), fmt::format("resolved within {}", bounds_.dial_deadline),
          fmt::format("dialing since {} ({} ago)", e.started, now - e.started));
    }
    // An offender may not hear the news (one that stopped reading cannot): its own ends
    // owe no release while it offends.
    const uint32_t holder = dialer_end ? after.dialer : after.acceptor;
    if (e.phase == ChaosPhase::kOpen && !offending(holder, now)) check_end_released(after, dialer_end, now, report);
  }
}

// An open end must learn within its bound that its stream cannot go on: its relay server
// stopped, its peer stopped, or the other end broke.
void Model::check_end_released(const StreamView& stream, bool dialer_end, sim::Instant now, CheckReport& report) const {
  const EndView& e = end_of(stream, dialer_end);
  // The relay and the peer this end holds are the incarnations running when it opened: a
  // dial may outlast a stop and its restart, and opens through the new incarnation.
  const sim::Instant opened = e.opened_at.value_or(e.started);
  const std::string field = end_field(stream.id, dialer_end, "phase");
  auto bad = [&](std::string expected, std::string actual) {
    report.mismatches.push_back({"bound", field, std::move(expected), std::move(actual), {}});
  };
  if (e.relay) {
    const Node& server = servers_.at(*e.relay);
    if (server.stopped_at && *server.stopped_at > opened) {
      if (stop_news_overdue(server, opened, now)) {
        bad(fmt::format("closed within {} of its server s{} stopping ({} at {})", close_bound(server.how), *e.relay,
                        enum_name(server.how), *server.stopped_at),
            "open");
      }
      return;  // news of the peer travels through the relay: once it stopped, only its bound applies
    }
  }
  auto known = streams_.find(stream.id);
  if (known != streams_.end() && known->second.dialer != known->second.acceptor) {
    const uint32_t peer = dialer_end ? known->second.acceptor : known->second.dialer;
    const Node& p = clients_.at(peer);
    if (stop_news_overdue(p, opened, now)) {
      bad(fmt::format("closed within {} of its peer c{} stopping ({} at {})", close_bound(p.how), peer,
                      enum_name(p.how), *p.stopped_at),
          "open");
    }
  }
  const EndView& other = end_of(stream, !dialer_end);
  if (other.present && other.phase == ChaosPhase::kBroken && other.ended_at &&
      news_overdue(*other.ended_at, bounds_.close_on_crash, now)) {
    bad(fmt::format("closed within {} of the other end breaking (at {})", bounds_.close_on_crash, *other.ended_at),
        "open: half-open stream");
  }
}

void Model::check_stream_exact(uint64_t id, const Stream& s, const StreamView* before, const StreamView* after,
                               sim::Instant now, CheckReport& report) const {
  if (s.hostile) return;  // the offender's: it may break, and its bytes stop
  // Its outcome is not due yet. A dial that must fail may wait for servers that are gone
  // but still listed, up to its deadline.
  const sim::Duration grace = s.outcome == DialOutcome::kFailed
                                  ? bounds_.dial_deadline
                                  : bounds_.operation_grace(s.outstanding[0] + s.outstanding[1]);
  if (now - s.last_op < grace) return;
  auto bad = [&](std::string field, std::string expected, std::string actual) {
    report.mismatches.push_back({"exact", std::move(field), std::move(expected), std::move(actual), {}});
  };
  static const StreamView kAbsent;
  const StreamView& v = after != nullptr ? *after : kAbsent;
  auto expect_phase = [&](bool dialer_end, std::optional<ChaosPhase> phase, std::string_view why) {
    const EndView& e = end_of(v, dialer_end);
    const std::string actual = e.present ? std::string(enum_name(e.phase)) : "no record";
    const std::string expected = phase ? std::string(enum_name(*phase)) : "no record";
    if (actual != expected) bad(end_field(id, dialer_end, "phase"), fmt::format("{} ({})", expected, why), actual);
  };
  const bool any_close = s.close[0] || s.close[1];
  const ChaosPhase open_or_closed = any_close ? ChaosPhase::kClosed : ChaosPhase::kOpen;
  switch (s.outcome) {
    case DialOutcome::kFailed:
      expect_phase(true, ChaosPhase::kFailed, "the peer or every server was not running");
      return;
    case DialOutcome::kRejected:
      expect_phase(true, ChaosPhase::kFailed, "the peer's backlog was full");
      if (v.at_dialer.present && v.at_dialer.error != dmsg::ErrorCode::kAcceptBacklogFull) {
        bad(end_field(id, true, "error"), "401", fmt::to_string(static_cast<int>(v.at_dialer.error)));
      }
      return;
    case DialOutcome::kQueued:
      expect_phase(true, ChaosPhase::kOpen, "answered from the backlog of a listener that never accepts");
      expect_phase(false, std::nullopt, "never accepted");
      return;
    case DialOutcome::kAccepted:
      expect_phase(true, open_or_closed, "dialed while settled");
      expect_phase(false, open_or_closed, "dialed while settled");
      break;
    case DialOutcome::kUnknown:
      // Made while faults were possible: the model takes the ends as the last view had them.
      if (before != nullptr) {
        for (const bool dialer_end : {true, false}) {
          const EndView& was = end_of(*before, dialer_end);
          if (was.present && was.phase == ChaosPhase::kDialing) continue;  // resolves by its deadline
          const bool closing = was.present && was.phase == ChaosPhase::kOpen && any_close;
          expect_phase(dialer_end,
                       was.present ? std::optional(closing ? ChaosPhase::kClosed : was.phase) : std::nullopt,
                       "unchanged since the last view");
        }
      }
      break;
  }
  // Bytes: what was asked is written and read, toward an end that reads.
  const bool live = v.at_dialer.present && v.at_acceptor.present &&
                    (v.at_dialer.phase == ChaosPhase::kOpen || v.at_dialer.phase == ChaosPhase::kClosed) &&
                    (v.at_acceptor.phase == ChaosPhase::kOpen || v.at_acceptor.phase == ChaosPhase::kClosed);
  if (!live) return;
  for (const bool dialer_end : {true, false}) {
    const EndView& w = end_of(v, dialer_end);
    const EndView& r = end_of(v, !dialer_end);
    const uint64_t asked = s.requested[dialer_end ? 0 : 1];
    const bool reads = clients_.at(dialer_end ? s.acceptor : s.dialer).handling.reads;
    // An end asked to close stops reading once its own bytes went: what the other end
    // wrote meanwhile may never be read (the bounds still hold).
    if (s.close[dialer_end ? 1 : 0]) continue;
    if (reads && w.written != asked)
      bad(end_field(id, dialer_end, "written"), fmt::to_string(asked), fmt::to_string(w.written));
    const uint64_t want = reads ? asked : 0;
    if (r.delivered != want) {
      bad(end_field(id, !dialer_end, "delivered"),
          fmt::format("{} ({})", want, reads ? "everything asked of the other end" : "nothing: it does not read"),
          fmt::to_string(r.delivered));
      report.mismatches.back().byte_offset = std::min(r.delivered, want);
    }
  }
}

std::vector<Mismatch> Model::check_liveness(const WorldView& view) const {
  std::vector<Mismatch> out;
  const std::vector<uint32_t> up_servers = reachable_servers();
  for (uint32_t c = 0; c < view.clients.size(); ++c) {
    const ClientView& v = view.clients[c];
    if (v.up && owed_sessions(v.sessions) != up_servers) {
      out.push_back({"liveness",
                     fmt::format("clients/c{}/sessions", c),
                     list(up_servers) + " (MinSessions: every running, listed server) within the settle window",
                     list(v.sessions),
                     {}});
    }
  }
  for (const auto& [id, stream] : view.streams) {
    // Dials made since then are the deadline bound's (checked with every view).
    if (stream.at_dialer.present && stream.at_dialer.phase == ChaosPhase::kDialing &&
        stream.at_dialer.started <= last_fault_) {
      out.push_back(
          {"liveness",
           end_field(id, true, "phase"),
           fmt::format("resolved: dialed at {}, before faults stopped ({})", stream.at_dialer.started, last_fault_),
           "dialing",
           {}});
    }
  }
  return out;
}

}  // namespace scenarios::chaos
