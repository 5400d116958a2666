// The reference model on hand-made abstractions: what it predicts, what it allows while
// faults settle, and how it names a disagreement.
#include "scenarios/chaos/model.h"

#include <catch2/catch.hpp>

using scenarios::chaos::Action;
using scenarios::chaos::ChaosPhase;
using scenarios::chaos::CheckReport;
using scenarios::chaos::EventKind;
using scenarios::chaos::Handling;
using scenarios::chaos::Model;
using scenarios::chaos::ModelBounds;
using scenarios::chaos::StopHow;
using scenarios::chaos::StreamView;
using scenarios::chaos::WorldView;

namespace {

sim::Instant at(int64_t seconds) { return sim::Instant::zero() + sim::Duration::seconds(seconds); }

// Two servers and two clients, all up, each client with a session to each server.
WorldView settled_view(sim::Instant when) {
  WorldView v;
  v.at = when;
  v.servers = {{true, 2, {}}, {true, 2, {}}};
  v.clients.resize(2);
  for (auto& c : v.clients) {
    c.up = true;
    c.sessions = {0, 1};
  }
  return v;
}

// A stream dialed by c0 to c1, open at both ends, with these byte counts.
StreamView open_stream(uint64_t id, uint64_t asked, uint64_t written, uint64_t delivered) {
  StreamView s;
  s.id = id;
  s.dialer = 0;
  s.acceptor = 1;
  for (auto* e : {&s.at_dialer, &s.at_acceptor}) {
    e->present = true;
    e->phase = ChaosPhase::kOpen;
    e->relay = 0;
  }
  s.at_dialer.requested = asked;
  s.at_dialer.written = written;
  s.at_acceptor.delivered = delivered;
  return s;
}

Action dial(uint32_t from, uint32_t to, uint64_t id) {
  Action a;
  a.kind = EventKind::kDial;
  a.node = from;
  a.peer = to;
  a.stream = id;
  return a;
}

Action write(uint64_t id, uint64_t bytes) {
  Action a;
  a.kind = EventKind::kWrite;
  a.stream = id;
  a.bytes = bytes;
  return a;
}

Action stop_server(uint32_t s, StopHow how) {
  Action a;
  a.kind = EventKind::kStopServer;
  a.node = s;
  a.how = how;
  return a;
}

net::FaultProfile calm_profile() {
  sim::Rng unused = sim::Rng::stream(1, "net/profile");
  return net::make_profile("calm", unused).value();
}

Model model() { return Model(2, 2, ModelBounds::for_profile(calm_profile())); }

bool has_field(const CheckReport& report, const std::string& check, const std::string& field) {
  for (const auto& m : report.mismatches) {
    if (m.kind == check && m.field == field) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("chaos model: a settled world that matches passes an exact check") {
  const Model m = model();
  const CheckReport report = m.check(settled_view(at(199)), settled_view(at(200)));
  CHECK(report.exact);
  CHECK(report.mismatches.empty());
}

TEST_CASE("chaos model: an exact check names the field and both values") {
  const Model m = model();
  WorldView after = settled_view(at(200));
  after.clients[1].sessions = {0};
  after.servers[1].sessions = 1;
  const CheckReport report = m.check(settled_view(at(199)), after);
  // The exact checks, and the reconnect bound (s1 has run for 200 s) on c1's sessions.
  REQUIRE(report.mismatches.size() == 3);
  CHECK(report.mismatches[1].kind == "liveness");
  CHECK(report.mismatches[1].field == "clients/c1/sessions");
  const auto& server = report.mismatches[0];
  CHECK(server.kind == "exact");
  CHECK(server.field == "servers/s1/sessions");
  CHECK(server.actual == "1");
  const auto& client = report.mismatches[2];
  CHECK(client.field == "clients/c1/sessions");
  CHECK(client.expected.find("[s0 s1]") != std::string::npos);
  CHECK(client.actual == "[s0]");
  CHECK(client.describe() ==
        "exact check: clients/c1/sessions: expected [s0 s1] (every running, listed server), world has [s0]");
}

TEST_CASE("chaos model: while faults settle only bounds hold") {
  Model m = model();
  m.apply(stop_server(1, StopHow::kKill), at(100));
  WorldView after = settled_view(at(103));
  after.servers[1] = {false, 0, {}};
  after.clients[0].sessions = {0};
  // c1 has not heard yet, 3 s after a kill: allowed. Missing sessions are allowed too.
  const CheckReport early = m.check(settled_view(at(102)), after);
  CHECK_FALSE(early.exact);
  CHECK(early.mismatches.empty());
  // 10 s after the kill, a session to the killed server is a violation.
  after.at = at(110);
  const CheckReport late = m.check(settled_view(at(109)), after);
  CHECK(has_field(late, "bound", "clients/c1/sessions"));
  // The server's own state always matches the inputs exactly.
  after.servers[1].up = true;
  CHECK(has_field(m.check(settled_view(at(109)), after), "bound", "servers/s1/up"));
}

TEST_CASE("chaos model: a crash leaves sessions until keepalives tell, a partition until it heals") {
  Model m = model();
  m.apply(stop_server(1, StopHow::kCrash), at(100));
  WorldView after = settled_view(at(140));
  after.servers[1] = {false, 0, {}};
  after.clients[0].sessions = {0};
  CHECK(m.check(settled_view(at(139)), after).mismatches.empty());
  after.at = at(151);
  CHECK(has_field(m.check(settled_view(at(150)), after), "bound", "clients/c1/sessions"));
  Action partition;
  partition.kind = EventKind::kPartition;
  m.apply(partition, at(151));
  after.at = at(400);
  CHECK(m.check(settled_view(at(399)), after).mismatches.empty());
}

TEST_CASE("chaos model: a dial while settled opens at both ends and delivers what was asked") {
  Model m = model();
  m.begin_batch(settled_view(at(200)));
  m.apply(dial(0, 1, 1), at(200));
  m.apply(write(1, 5000), at(200));
  WorldView after = settled_view(at(201));
  after.streams[1] = open_stream(1, 5000, 5000, 5000);
  CHECK(m.check(settled_view(at(200)), after).mismatches.empty());
  after.streams[1] = open_stream(1, 5000, 5000, 4000);
  const CheckReport short_read = m.check(settled_view(at(200)), after);
  CHECK(has_field(short_read, "exact", "streams/1/acceptor/delivered"));
  after.streams[1].at_acceptor.phase = ChaosPhase::kBroken;
  CHECK(has_field(m.check(settled_view(at(200)), after), "exact", "streams/1/acceptor/phase"));
}

TEST_CASE("chaos model: a listener that never accepts queues 20 dials, then refuses with 401") {
  Model m = model();
  WorldView before = settled_view(at(200));
  before.clients[1].handling = Handling{false, true};
  Action start;
  start.kind = EventKind::kStartClient;
  start.node = 1;
  m.apply(start, at(0));
  m.set_handling(1, Handling{false, true});
  before.clients[1].queued = 20;
  m.begin_batch(before);
  m.apply(dial(0, 1, 1), at(200));
  WorldView after = before;
  after.at = at(201);
  after.streams[1] = open_stream(1, 0, 0, 0);
  after.streams[1].at_acceptor.present = false;
  after.streams[1].at_dialer.relay.reset();
  after.clients[1].queued = 21;
  const CheckReport report = m.check(before, after);
  CHECK(has_field(report, "bound", "clients/c1/queued"));
  CHECK(has_field(report, "exact", "streams/1/dialer/phase"));
}

TEST_CASE("chaos model: counters never go back, content is verified, deadlines hold") {
  Model m = model();
  m.apply(stop_server(1, StopHow::kKill), at(10));  // not settled: bounds only
  m.begin_batch(settled_view(at(20)));
  m.apply(dial(0, 1, 1), at(20));
  m.apply(write(1, 100), at(20));
  WorldView before = settled_view(at(21));
  before.streams[1] = open_stream(1, 100, 100, 100);
  WorldView after = settled_view(at(22));
  after.streams[1] = open_stream(1, 100, 100, 50);
  CHECK(has_field(m.check(before, after), "bound", "streams/1/acceptor/counters"));
  after.streams[1] = open_stream(1, 100, 100, 100);
  after.streams[1].at_acceptor.mismatches = 3;
  CHECK(has_field(m.check(before, after), "oracle", "streams/1/acceptor/content"));
  after.streams[1] = open_stream(1, 100, 100, 100);
  after.streams[1].at_dialer.phase = ChaosPhase::kDialing;
  after.at = at(42);
  CHECK(has_field(m.check(before, after), "bound", "streams/1/dialer/phase"));
}

TEST_CASE("chaos model: an end left open long after the other end broke is half-open") {
  Model m = model();
  m.apply(stop_server(1, StopHow::kKill), at(10));
  m.begin_batch(settled_view(at(20)));
  m.apply(dial(0, 1, 1), at(20));
  WorldView after = settled_view(at(80));
  after.streams[1] = open_stream(1, 0, 0, 0);
  after.streams[1].at_acceptor.phase = ChaosPhase::kBroken;
  after.streams[1].at_acceptor.ended_at = at(25);
  CHECK(has_field(m.check(settled_view(at(79)), after), "bound", "streams/1/dialer/phase"));
  after.at = at(60);
  CHECK_FALSE(has_field(m.check(settled_view(at(59)), after), "bound", "streams/1/dialer/phase"));
}

TEST_CASE("chaos model: liveness wants every session and no dial from the fault phase pending") {
  Model m = model();
  m.apply(stop_server(1, StopHow::kStop), at(10));
  WorldView view = settled_view(at(130));
  view.servers[1] = {false, 0, {}};
  view.clients[0].sessions = {0};
  view.clients[1].sessions = {0};
  CHECK(m.check_liveness(view).empty());
  view.clients[1].sessions = {};
  view.streams[4] = open_stream(4, 0, 0, 0);
  view.streams[4].at_dialer.phase = ChaosPhase::kDialing;
  view.streams[4].at_dialer.started = at(5);
  const auto late = m.check_liveness(view);
  REQUIRE(late.size() == 2);
  CHECK(late[0].field == "clients/c1/sessions");
  CHECK(late[1].field == "streams/4/dialer/phase");
}

TEST_CASE("chaos model: a node whose state outgrows its buffers breaks the memory bound") {
  Model m = model();
  WorldView v = settled_view(at(200));
  v.footprints = true;
  v.clients[1].footprint = {0, 2, 2, 1, 1};
  const scenarios::MemoryBudget budget;
  const uint64_t bound = budget.bound(v.clients[1].footprint, false);
  // 64 KiB + 2 connections x (768 + 4) KiB + 2 sessions x 4 KiB + 1 stream x (640 + 4) KiB + 1 record x 4 KiB.
  CHECK(bound == (64 + 2 * 772 + 8 + 644 + 4) * 1024);
  v.clients[1].footprint.state_bytes = bound;
  CHECK_FALSE(has_field(m.check(v, v), "bound", "clients/c1/state_bytes"));
  v.clients[1].footprint.state_bytes = bound + 1;
  const CheckReport report = m.check(v, v);
  REQUIRE(has_field(report, "bound", "clients/c1/state_bytes"));
  v.servers[0].footprint = {0, 1, 1, 1, 0};
  CHECK(budget.bound(v.servers[0].footprint, true) == (64 + 772 + 4 + 1024 + 4) * 1024);
  v.servers[0].footprint.state_bytes = 10'000'000;
  CHECK(has_field(m.check(v, v), "bound", "servers/s0/state_bytes"));
  v.footprints = false;  // not measured at this look: nothing to compare
  CHECK_FALSE(has_field(m.check(v, v), "bound", "servers/s0/state_bytes"));
}

TEST_CASE("chaos model: an end is held to the relay incarnation it opened through") {
  Model m = model();
  m.apply(stop_server(0, StopHow::kKill), at(100));
  Action restart;
  restart.kind = EventKind::kStartServer;
  restart.node = 0;
  m.apply(restart, at(101));
  WorldView after = settled_view(at(130));
  after.streams[1] = open_stream(1, 0, 0, 0);  // relayed by s0
  // Dialed before the kill, opened through the restarted s0 after it: nothing is due.
  for (auto* e : {&after.streams[1].at_dialer, &after.streams[1].at_acceptor}) {
    e->started = at(99);
    e->opened_at = at(102);
  }
  CHECK_FALSE(has_field(m.check(settled_view(at(129)), after), "bound", "streams/1/dialer/phase"));
  // Opened before the kill: it had to close within the bound.
  after.streams[1].at_dialer.opened_at = at(99);
  CHECK(has_field(m.check(settled_view(at(129)), after), "bound", "streams/1/dialer/phase"));
}

TEST_CASE("chaos model: a server predicted unlisted holds no session, an uncertain one is owed none") {
  Model m = model();
  m.set_listing(1, scenarios::ServerListing::kUnlisted);
  WorldView v = settled_view(at(200));
  // Settled: every client owes a session to s0 only, and s1 must have none.
  CHECK(has_field(m.check(v, v), "prediction", "servers/s1/sessions"));
  v.servers[1].sessions = 0;
  for (auto& c : v.clients) c.sessions = {0};
  v.servers[0].sessions = 2;
  CHECK(m.check(v, v).mismatches.empty());
  Model uncertain = model();
  uncertain.set_listing(1, scenarios::ServerListing::kUncertain);
  CHECK(uncertain.check(v, v).mismatches.empty());                                          // without s1's sessions
  CHECK(uncertain.check(settled_view(at(200)), settled_view(at(200))).mismatches.empty());  // or with them
}

TEST_CASE("chaos model: an operation's grace is its transfer bound, not a batch") {
  Model m = model();
  m.begin_batch(settled_view(at(200)));
  m.apply(dial(0, 1, 1), at(200));
  m.apply(write(1, 10'000'000), at(200));
  // 10 MB on calm: 39 windows + 8 round trips of 44 ms and 80 ms on each hop: about 2.2 s.
  const sim::Duration grace = m.bounds().operation_grace(10'000'000);
  CHECK(grace > sim::Duration::seconds(2));
  CHECK(grace < sim::Duration::seconds(3));
  WorldView after = settled_view(at(202));
  after.streams[1] = open_stream(1, 10'000'000, 6'000'000, 5'000'000);
  CHECK(m.check(settled_view(at(201)), after).mismatches.empty());
  after.at = at(203);
  CHECK(has_field(m.check(settled_view(at(202)), after), "exact", "streams/1/acceptor/delivered"));
}

TEST_CASE("chaos model: on links that do not keep sessions nothing is exact until the network heals") {
  sim::Rng draws = sim::Rng::stream(1, "net/profile");
  const net::FaultProfile hostile = net::make_profile("hostile", draws).value();
  Model m(2, 2, ModelBounds::for_profile(hostile));
  CHECK_FALSE(m.bounds().links_keep_sessions);
  CHECK_FALSE(m.is_settled(at(1000)));
  m.network_calmed(ModelBounds::for_profile(net::calmed(hostile)), at(1000));
  CHECK_FALSE(m.is_settled(at(1100)));  // the settle window counts from the heal
  CHECK(m.is_settled(at(1110)));
  CHECK(m.bounds().close_on_loss == sim::Duration::seconds(5));
}

TEST_CASE("chaos model: a hostile span excuses the offender's own streams and sessions, not a bystander's") {
  Model m(2, 3, ModelBounds::for_profile(calm_profile()));
  WorldView before = settled_view(at(199));
  before.clients.push_back(before.clients[0]);
  before.servers = {{true, 3, {}}, {true, 3, {}}};
  StreamView offenders = open_stream(1, 0, 0, 0);  // c0 -> c1
  StreamView bystanders = open_stream(2, 0, 0, 0);
  bystanders.dialer = 2;
  before.streams = {{1, offenders}, {2, bystanders}};
  m.begin_batch(before);
  m.apply(dial(0, 1, 1), at(100));
  m.apply(dial(2, 1, 2), at(100));
  m.hostile_began(0);
  CHECK(m.offending(0, at(150)));
  CHECK_FALSE(m.offending(2, at(150)));
  WorldView after = before;
  after.at = at(200);
  for (auto* s : {&after.streams[1], &after.streams[2]}) {
    s->at_dialer.phase = ChaosPhase::kBroken;
    s->at_dialer.ended_at = at(199);
  }
  after.clients[0].sessions = {0};  // the offender lost a session
  after.servers[1].sessions = 2;
  const CheckReport report = m.check(before, after);
  CHECK(report.exact);  // a span is no fault of the network: the others are held exactly
  CHECK_FALSE(has_field(report, "exact", "streams/1/dialer/phase"));
  CHECK(has_field(report, "exact", "streams/2/dialer/phase"));
  CHECK_FALSE(has_field(report, "exact", "clients/c0/sessions"));
  CHECK_FALSE(has_field(report, "exact", "servers/s1/sessions"));  // 2 to 3 while c0 offends
  // The settle window after the span's end, the offender is owed like anyone.
  m.hostile_ended(0, at(160));
  CHECK(m.offending(0, at(269)));
  CHECK_FALSE(m.offending(0, at(270)));
}

TEST_CASE("chaos model: a hostile act answered otherwise, or never, fails its check") {
  const Model m = model();
  WorldView after = settled_view(at(200));
  after.clients[0].offender.first_unexpected = "spoofed-source at t=190s: refused with 306 (no listener)";
  scenarios::chaos::PendingAct dial_act;
  dial_act.kind = scenarios::chaos::HostileKind::kBadSignature;
  dial_act.at = at(150);
  after.clients[0].offender.oldest_dial = dial_act;
  scenarios::chaos::PendingAct frame_act;
  frame_act.kind = scenarios::chaos::HostileKind::kMalformedFrame;
  frame_act.at = at(190);
  after.clients[1].offender.consequences.push_back({frame_act, 0});
  const CheckReport report = m.check(settled_view(at(199)), after);
  CHECK(has_field(report, "oracle", "clients/c0/hostile_outcome"));
  CHECK(has_field(report, "bound", "clients/c0/hostile_dial"));  // 50 s past the 20 s deadline
  CHECK(has_field(report, "bound", "clients/c1/hostile_consequence"));
  // Within its bound a consequence is not due yet.
  after.clients[1].offender.consequences[0].act.at = at(200);
  CHECK_FALSE(has_field(m.check(settled_view(at(199)), after), "bound", "clients/c1/hostile_consequence"));
}
