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
  v.servers = {{true, 2}, {true, 2}};
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
  REQUIRE(report.mismatches.size() == 2);
  const auto& server = report.mismatches[0];
  CHECK(server.kind == "exact");
  CHECK(server.field == "servers/s1/sessions");
  CHECK(server.actual == "1");
  const auto& client = report.mismatches[1];
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
  after.servers[1] = {false, 0};
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
  after.servers[1] = {false, 0};
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
  view.servers[1] = {false, 0};
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
