// Backpressure, partitions, crashes, kills and restarts as the transport's users see them.
#include "tests/net/net_fixture.h"

#include "scenarios/run/runner.h"
#include "scenarios/world/inputs.h"

#include <catch2/catch.hpp>

namespace {

using Kind = net::TransportEvent::Kind;
using sim::Duration;
using test_net::TestHost;

constexpr uint16_t kPort = 80;
constexpr uint64_t kSeedH0 = 0x1000;  // pattern h0 writes
constexpr uint64_t kSeedH1 = 0x2000;  // pattern h1 writes

struct Pair {
  test_net::TwoNodes nodes;
  net::ConnId client = 0;  // on h0
  net::ConnId server = 0;  // on h1
};

// h0 connects to h1, which listens (and verifies h0's pattern).
Pair connected_pair(uint64_t seed, const net::FaultProfile& profile, bool server_reads = true,
                    const net::TransportOptions& transport = {}) {
  TestHost::Settings client;
  client.recv_seed = kSeedH1;
  TestHost::Settings server;
  server.listen_port = kPort;
  server.auto_read = server_reads;
  server.recv_seed = kSeedH0;
  Pair p{test_net::make_nodes(seed, profile, {client, server}, transport)};
  sim::Context ctx = p.nodes.ctx(0);
  p.client = p.nodes.host(0).do_connect(ctx, p.nodes.addresses[1], kPort);
  const bool up = p.nodes.world->run_until(
      [&](const sim::World&) { return !p.nodes.view(1).accepted().empty() && p.nodes.view(0).first(Kind::kConnected); },
      20'000);
  REQUIRE(up);
  p.server = p.nodes.view(1).accepted().front();
  return p;
}

void apply(test_net::TwoNodes& nodes, const char* text) {
  sim::Result<scenarios::FaultInput> input = scenarios::parse_fault(text);
  REQUIRE(input.ok());
  REQUIRE(scenarios::validate_fault(*nodes.world, nodes.network, *input).ok());
  scenarios::apply_fault(*nodes.world, nodes.network, *input);
}

// Writes as much of the pattern as the connection takes; returns the new offset.
uint64_t write_all_you_can(test_net::TwoNodes& nodes, size_t host, net::ConnId conn, uint64_t seed, uint64_t offset) {
  while (true) {
    sim::Context ctx = nodes.ctx(host);
    const size_t taken = nodes.host(host).write_pattern(ctx, conn, seed, offset, 64 * 1024);
    offset += taken;
    if (taken < 64 * 1024) return offset;
  }
}

// Writes what the connection takes while it is established; returns the new offset.
uint64_t write_while_established(test_net::TwoNodes& nodes, size_t host, net::ConnId conn, uint64_t seed,
                                 uint64_t offset) {
  const net::Transport& transport = nodes.view(host).transport();
  if (!transport.exists(conn) || transport.connection(conn).state() != net::ConnState::kEstablished) return offset;
  return write_all_you_can(nodes, host, conn, seed, offset);
}

// Both ends keep writing (so data is outstanding both ways) for `ticks` ticks.
void keep_writing(Pair& p, uint64_t ticks, uint64_t& sent0, uint64_t& sent1) {
  for (uint64_t t = 0; t < ticks; ++t) {
    sent0 = write_while_established(p.nodes, 0, p.client, kSeedH0, sent0);
    sent1 = write_while_established(p.nodes, 1, p.server, kSeedH1, sent1);
    p.nodes.world->run_tick();
  }
}

}  // namespace

TEST_CASE("net: backpressure: a writer facing a reader that never reads stops at send buffer plus window") {
  const net::TransportOptions options;
  Pair p = connected_pair(1, test_net::named_profile("calm"), /*server_reads=*/false);
  uint64_t offset = 0;
  for (int round = 0; round < 3000; ++round) {
    offset = write_all_you_can(p.nodes, 0, p.client, kSeedH0, offset);
    p.nodes.world->run_tick();
  }
  const uint64_t stuck_at = offset;
  CHECK(stuck_at == uint64_t{options.send_buffer_bytes} + options.recv_buffer_bytes);
  // Still stuck seconds later: every write takes nothing.
  p.nodes.world->run_ticks(5000);
  sim::Context ctx = p.nodes.ctx(0);
  CHECK(p.nodes.host(0).write_pattern(ctx, p.client, kSeedH0, offset, 1000) == 0);
  CHECK(p.nodes.view(0).transport().connection(p.client).state() == net::ConnState::kEstablished);

  // The reader starts reading: the writer is told it can write, and everything arrives.
  p.nodes.host(1).set_auto_read(true);
  sim::Context server_ctx = p.nodes.ctx(1);
  p.nodes.host(1).drain(server_ctx, p.server);
  p.nodes.world->run_until([&](const sim::World&) { return p.nodes.view(0).first(Kind::kWritable).has_value(); }, 5000);
  REQUIRE(p.nodes.view(0).first(Kind::kWritable));
  for (int round = 0; round < 200; ++round) {
    if (offset < stuck_at + 300'000) offset = write_all_you_can(p.nodes, 0, p.client, kSeedH0, offset);
    p.nodes.world->run_tick();
  }
  p.nodes.world->run_until([&](const sim::World&) { return p.nodes.view(1).bytes_read() >= offset; }, 20'000);
  CHECK(offset > stuck_at + 200'000);
  CHECK(p.nodes.view(1).bytes_read() == offset);
  CHECK(p.nodes.view(1).verifier().is_clean());
}

TEST_CASE("net: partition: longer than the user timeout fails the connection at both ends") {
  Pair p = connected_pair(2, test_net::named_profile("calm"));
  uint64_t sent0 = 0;
  uint64_t sent1 = 0;
  keep_writing(p, 200, sent0, sent1);
  const sim::Instant cut = p.nodes.world->now();
  apply(p.nodes, "0s partition h0|h1");
  keep_writing(p, 70'000, sent0, sent1);
  const auto failed0 = p.nodes.view(0).first(Kind::kFailed, p.client);
  const auto failed1 = p.nodes.view(1).first(Kind::kFailed, p.server);
  REQUIRE(failed0);
  REQUIRE(failed1);
  CHECK(failed0->reason == net::FailReason::kTimedOut);
  CHECK(failed1->reason == net::FailReason::kTimedOut);
  // The user timeout runs from the last segment heard, a moment before the cut.
  for (const auto& failure : {*failed0, *failed1}) {
    CHECK(failure.at - cut >= Duration::seconds(59));
    CHECK(failure.at - cut <= Duration::seconds(63));
  }
}

// Found by the chaos run: the user timeout counted an idle peer's silence, so the first
// write after a minute of quiet failed the connection at once.
TEST_CASE("net: user timeout: silence while idle does not count; silence after a write does") {
  Pair p = connected_pair(5, test_net::named_profile("calm"));
  p.nodes.world->run_ticks(70'000);  // idle longer than the 60 s user timeout
  const uint64_t sent = write_all_you_can(p.nodes, 0, p.client, kSeedH0, 0);
  p.nodes.world->run_until([&](const sim::World&) { return p.nodes.view(1).bytes_read() >= sent; }, 2'000);
  CHECK(p.nodes.view(1).bytes_read() == sent);
  CHECK_FALSE(p.nodes.view(0).first(Kind::kFailed, p.client));
  // Idle again, then cut off: the timeout runs from the write that goes unanswered.
  p.nodes.world->run_ticks(70'000);
  apply(p.nodes, "0s partition h0|h1");
  const sim::Instant wrote = p.nodes.world->now();
  write_all_you_can(p.nodes, 0, p.client, kSeedH0, sent);
  p.nodes.world->run_ticks(65'000);
  const auto failed = p.nodes.view(0).first(Kind::kFailed, p.client);
  REQUIRE(failed);
  CHECK(failed->reason == net::FailReason::kTimedOut);
  CHECK(failed->at - wrote >= Duration::seconds(60));
  CHECK(failed->at - wrote <= Duration::seconds(61));
}

TEST_CASE("net: partition: an idle end with keepalive learns of it too") {
  net::TransportOptions options;
  options.keepalive.enabled = true;
  Pair p = connected_pair(3, test_net::named_profile("calm"), true, options);
  p.nodes.world->run_ticks(100);
  const sim::Instant cut = p.nodes.world->now();
  apply(p.nodes, "0s partition h0|h1");
  p.nodes.world->run_ticks(30'000);
  for (size_t h : {size_t{0}, size_t{1}}) {
    const auto failed = p.nodes.view(h).first(Kind::kFailed);
    REQUIRE(failed);
    CHECK(failed->reason == net::FailReason::kTimedOut);
    // idle 10 s, then 3 probes 2 s apart, then one more interval.
    CHECK(failed->at - cut <= Duration::seconds(20));
  }
}

TEST_CASE("net: partition: a shorter one only delays the transfer") {
  Pair p = connected_pair(4, test_net::named_profile("calm"));
  uint64_t sent0 = 0;
  uint64_t sent1 = 0;
  keep_writing(p, 100, sent0, sent1);
  apply(p.nodes, "0s partition h0|h1");
  keep_writing(p, 20'000, sent0, sent1);
  apply(p.nodes, "0s heal");
  keep_writing(p, 10, sent0, sent1);
  p.nodes.world->run_until(
      [&](const sim::World&) { return p.nodes.view(1).bytes_read() == sent0 && p.nodes.view(0).bytes_read() == sent1; },
      60'000);
  CHECK_FALSE(p.nodes.view(0).first(Kind::kFailed));
  CHECK_FALSE(p.nodes.view(1).first(Kind::kFailed));
  CHECK(p.nodes.view(1).bytes_read() == sent0);
  CHECK(p.nodes.view(0).bytes_read() == sent1);
  CHECK(p.nodes.view(0).verifier().is_clean());
  CHECK(p.nodes.view(1).verifier().is_clean());
}

TEST_CASE("net: partition: a one-way partition affects only its direction") {
  Pair p = connected_pair(5, test_net::named_profile("calm"));
  uint64_t sent0 = 0;
  uint64_t sent1 = 0;
  keep_writing(p, 100, sent0, sent1);
  const uint64_t h1_read_before = p.nodes.view(1).bytes_read();
  const uint64_t h0_read_before = p.nodes.view(0).bytes_read();
  apply(p.nodes, "0s partition-oneway h0>h1");
  keep_writing(p, 2000, sent0, sent1);
  // Nothing of h0's reaches h1 any more (what was in flight is dropped on arrival). h1's
  // segments still reach h0: h1 runs out of window once its acks stop coming back, but
  // what it had in flight and its retransmissions arrive.
  CHECK(p.nodes.view(1).bytes_read() == h1_read_before);
  CHECK(p.nodes.view(0).bytes_read() > h0_read_before);
  CHECK(p.nodes.network_view().stats().packets_partitioned > 0);
}

TEST_CASE("net: crash: a silently crashed peer is detected by timeout, never by reset") {
  Pair p = connected_pair(6, test_net::named_profile("calm"));
  uint64_t sent0 = 0;
  uint64_t sent1 = 0;
  keep_writing(p, 100, sent0, sent1);
  const sim::Instant crash_at = p.nodes.world->now();
  apply(p.nodes, "0s crash h1");
  for (int t = 0; t < 65'000; ++t) {
    sent0 = write_while_established(p.nodes, 0, p.client, kSeedH0, sent0);
    p.nodes.world->run_tick();
  }
  const auto failed = p.nodes.view(0).first(Kind::kFailed, p.client);
  REQUIRE(failed);
  CHECK(failed->reason == net::FailReason::kTimedOut);
  CHECK(failed->at - crash_at >= Duration::seconds(59));
  CHECK(failed->at - crash_at <= Duration::seconds(63));
}

TEST_CASE("net: kill: the peer sees a reset within a round trip") {
  Pair p = connected_pair(7, test_net::named_profile("calm"));
  uint64_t sent0 = 0;
  uint64_t sent1 = 0;
  keep_writing(p, 100, sent0, sent1);
  const sim::Instant kill_at = p.nodes.world->now();
  apply(p.nodes, "0s kill h1");
  p.nodes.world->run_ticks(50);
  const auto failed = p.nodes.view(0).first(Kind::kFailed, p.client);
  REQUIRE(failed);
  CHECK(failed->reason == net::FailReason::kReset);
  // calm: one-way latency 1 ms plus an exponential with mean 1 ms.
  CHECK(failed->at - kill_at <= Duration::milliseconds(20));
}

TEST_CASE("net: restart: a restarted node never receives data of its old incarnation") {
  for (const char* how : {"crash", "kill"}) {
    INFO(how);
    Pair p = connected_pair(8, test_net::named_profile("calm"));
    uint64_t sent0 = 0;
    uint64_t sent1 = 0;
    keep_writing(p, 100, sent0, sent1);
    apply(p.nodes, fmt::format("0s {} h1", how).c_str());
    p.nodes.world->run_ticks(500);
    // A crash replaces the host at once; a kill leaves the host (its kernel) up.
    const uint32_t before = p.nodes.world->incarnation(p.nodes.hosts[1]);
    CHECK(before == (std::string_view(how) == "crash" ? 1U : 0U));
    apply(p.nodes, "0s restart h1");
    CHECK(p.nodes.world->incarnation(p.nodes.hosts[1]) == before + 1);
    // h0 keeps retransmitting into the new incarnation (after a crash it has not noticed).
    for (int t = 0; t < 3000; ++t) {
      sent0 = write_while_established(p.nodes, 0, p.client, kSeedH0, sent0);
      p.nodes.world->run_tick();
    }
    CHECK(p.nodes.view(1).bytes_read() == 0);
    CHECK(p.nodes.view(1).accepted().empty());
    CHECK(p.nodes.view(1).transport().connections().empty());
    const auto failed = p.nodes.view(0).first(Kind::kFailed, p.client);
    REQUIRE(failed);
    CHECK(failed->reason == net::FailReason::kReset);
    // The restarted node serves new connections.
    sim::Context ctx = p.nodes.ctx(0);
    const net::ConnId again = p.nodes.host(0).do_connect(ctx, p.nodes.addresses[1], kPort);
    p.nodes.world->run_ticks(100);
    CHECK(p.nodes.view(0).first(Kind::kConnected, again));
    CHECK(p.nodes.view(1).accepted().size() == 1);
    CHECK(p.nodes.world->state_hash() == p.nodes.world->state_hash_from_scratch());
  }
}

TEST_CASE("net: connect: no listener is refused at once, a dead host times out") {
  test_net::TwoNodes nodes = test_net::make_nodes(9, test_net::named_profile("calm"), {{}, {}});
  sim::Context ctx = nodes.ctx(0);
  const net::ConnId refused = nodes.host(0).do_connect(ctx, nodes.addresses[1], 4242);
  nodes.world->run_ticks(50);
  const auto failed = nodes.view(0).first(Kind::kFailed, refused);
  REQUIRE(failed);
  CHECK(failed->reason == net::FailReason::kRefused);

  apply(nodes, "0s crash h1");
  const sim::Instant start = nodes.world->now();
  sim::Context again = nodes.ctx(0);
  const net::ConnId lost = nodes.host(0).do_connect(again, nodes.addresses[1], 4242);
  nodes.world->run_ticks(11'000);
  const auto timed_out = nodes.view(0).first(Kind::kFailed, lost);
  REQUIRE(timed_out);
  CHECK(timed_out->reason == net::FailReason::kTimedOut);
  CHECK(timed_out->at - start == Duration::seconds(10));
}

TEST_CASE("net: hold and release: held packets travel only after release") {
  Pair p = connected_pair(10, test_net::named_profile("calm"));
  apply(p.nodes, "0s hold h0>h1");
  sim::Context ctx = p.nodes.ctx(0);
  const size_t taken = p.nodes.host(0).write_pattern(ctx, p.client, kSeedH0, 0, 5000);
  p.nodes.world->run_ticks(100);
  CHECK(p.nodes.view(1).bytes_read() == 0);
  apply(p.nodes, "0s release h0>h1");
  p.nodes.world->run_ticks(100);
  CHECK(p.nodes.view(1).bytes_read() == taken);
  CHECK(p.nodes.view(1).verifier().is_clean());
}

TEST_CASE("net: inputs: malformed fault text is refused with the syntax") {
  for (const char* bad : {"partition a|b", "2s partition a", "2s clog a", "2s explode a", "2s loss-burst 2 1s",
                          "2s hold a>b,c", "2s crash a,b", "2 heal", "2s clock a 3"}) {
    INFO(bad);
    sim::Result<scenarios::FaultInput> input = scenarios::parse_fault(bad);
    REQUIRE_FALSE(input.ok());
    CHECK_THAT(input.error().message, Catch::Contains("the forms are"));
  }
  test_net::TwoNodes nodes = test_net::make_nodes(1, test_net::named_profile("calm"), {{}, {}});
  sim::Result<scenarios::FaultInput> unknown = scenarios::parse_fault("1s crash zz");
  REQUIRE(unknown.ok());
  const sim::Status valid = scenarios::validate_fault(*nodes.world, nodes.network, *unknown);
  REQUIRE_FALSE(valid.ok());
  CHECK_THAT(valid.error().message, Catch::Contains("node 'zz'"));
  CHECK_THAT(valid.error().message, Catch::Contains("h0, h1"));
}

TEST_CASE("net: inputs: a run with a changed input diverges exactly at that input's tick") {
  auto chain_with = [](const char* fault) {
    sim::Result<scenarios::FaultInput> input = scenarios::parse_fault(fault);
    REQUIRE(input.ok());
    scenarios::RunConfig config;
    config.seed = 12;
    auto runner = scenarios::ScenarioRunner::create(*scenarios::find_scenario("transfer"), config, {*input});
    REQUIRE(runner.ok());
    std::vector<uint64_t> chain;
    for (int t = 0; t < 600; ++t) {
      chain.push_back((*runner)->world().chain_hash());
      (*runner)->run_tick();
    }
    return chain;
  };
  const std::vector<uint64_t> early = chain_with("300ms partition a0|b0");
  const std::vector<uint64_t> late = chain_with("400ms partition a0|b0");
  // The input enters at the start of tick 300, so the boundary hash of tick 301 is the
  // first to see it.
  for (size_t t = 0; t <= 300; ++t) REQUIRE(early[t] == late[t]);
  CHECK(early[301] != late[301]);
}
