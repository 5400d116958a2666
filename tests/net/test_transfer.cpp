// Reliable delivery under loss, duplication and reordering; golden chains; snapshots.
#include "tests/net/net_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/golden.h"
#include "tests/support/test_main.h"

#include "scenarios/run/runner.h"
#include "scenarios/workloads/transfer.h"
#include "scenarios/world/inputs.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/snapshot.h"

#include <catch2/catch.hpp>

namespace {

using sim::Duration;

// 30 % loss, 50 % duplication, and delays from 1 ms to well over 100 ms: most segments
// arrive out of order.
net::FaultProfile brutal_profile() {
  net::FaultProfile p;
  p.name = "brutal";
  p.link.latency_min = Duration::milliseconds(1);
  p.link.latency_mean = Duration::milliseconds(40);
  p.link.loss = sim::Ratio(30, 100);
  p.link.duplication = sim::Ratio(50, 100);
  p.link.bandwidth_bits_per_s = 100'000'000;
  return p;
}

std::unique_ptr<sim::World> transfer_world(uint64_t seed, const net::FaultProfile& profile, uint64_t bytes) {
  auto world = std::make_unique<sim::World>(sim::WorldOptions{seed, Duration::milliseconds(1)}, test_net::registry());
  scenarios::TransferOptions options;
  options.pairs = 1;
  options.bytes_forward = bytes;
  options.bytes_back = bytes;
  scenarios::build_transfer_world(*world, profile, options);
  return world;
}

bool all_complete(const sim::World& world) {
  for (uint32_t i = 0; i < world.actor_count(); ++i) {
    const sim::Actor* a = world.actor(sim::ActorId{i});
    if (a != nullptr && a->type_name() == scenarios::TransferNode::kTypeName &&
        !world.actor_as<scenarios::TransferNode>(sim::ActorId{i}).is_complete()) {
      return false;
    }
  }
  return true;
}

// One line per node: what it sent, verified and saw, and its connection's state.
std::string diagnose(const sim::World& world) {
  std::string text;
  for (uint32_t i = 1; i < world.actor_count(); ++i) {
    const auto& node = world.actor_as<scenarios::TransferNode>(sim::ActorId{i});
    text +=
        fmt::format("node {}: sent {}, verified {}, eof {}, failure {}, retransmissions {}\n", i, node.bytes_sent(),
                    node.verifier().verified, node.got_eof(), node.failure() ? net::enum_name(*node.failure()) : "none",
                    node.transport().repairs().retransmissions);
    for (const auto& [id, c] : node.transport().connections()) {
      text += fmt::format("  conn {}: {}, acked {}, received {}, readable {}, peer closed {}\n", id,
                          net::enum_name(c.state()), c.bytes_acked(), c.bytes_received(), c.readable_bytes(),
                          c.peer_closed());
    }
  }
  return text;
}

void check_transfer(uint64_t seed, const net::FaultProfile& profile, const std::string& test_name) {
  auto world = transfer_world(seed, profile, 1 << 20);
  // Virtual time is cheap: allow an hour before calling it a hang.
  const bool done = world->run_until([](const sim::World& w) { return all_complete(w); }, 3'600'000);
  INFO("seed " << seed << "; reproduce: " << test_support::reproduce_seed(test_name, seed));
  INFO(diagnose(*world));
  REQUIRE(done);
  for (uint32_t i = 1; i < world->actor_count(); ++i) {
    const auto& node = world->actor_as<scenarios::TransferNode>(sim::ActorId{i});
    CHECK(node.verifier().verified == 1u << 20);
    CHECK(node.verifier().mismatches == 0);
    CHECK(node.got_eof());
    CHECK_FALSE(node.failure().has_value());
  }
}

}  // namespace

TEST_CASE("net: transport: 1 MiB each way arrives byte-exact under 30% loss, 50% duplication and reordering",
          "[brutal]") {
  const test_support::SeedRange range = test_support::seeds(0, 19);
  for (uint64_t seed = range.first; seed <= range.last; ++seed) check_transfer(seed, brutal_profile(), "[brutal]");
}

TEST_CASE("net: transport: transfers complete on every named profile") {
  for (const char* name : {"calm", "lossy", "hostile"}) {
    INFO("profile " << name);
    check_transfer(7, test_net::named_profile(name), "net: transport: transfers complete on every named profile");
  }
  sim::Rng swarm_rng = sim::Rng::stream(7, "net/profile");
  check_transfer(7, net::make_profile("swarm", swarm_rng).value(),
                 "net: transport: transfers complete on every named profile");
}

TEST_CASE("net: transport: the same seed gives the same chain, different seeds differ") {
  auto a = transfer_world(3, test_net::named_profile("lossy"), 200'000);
  auto b = transfer_world(3, test_net::named_profile("lossy"), 200'000);
  auto c = transfer_world(4, test_net::named_profile("lossy"), 200'000);
  a->run_ticks(3000);
  b->run_ticks(3000);
  c->run_ticks(3000);
  CHECK(a->chain_hash() == b->chain_hash());
  CHECK(a->chain_hash() != c->chain_hash());
  CHECK(a->state_hash() == a->state_hash_from_scratch());
}

namespace {

int restore_transfer(const std::vector<std::string>& args) {
  sim::Result<sim::Bytes> file = sim::read_file(args.at(0));
  if (!file) return 3;
  sim::Result<sim::Snapshot> snapshot = sim::decode_snapshot_file(*file);
  if (!snapshot) return 4;
  auto world = sim::World::restore(*snapshot, test_net::registry());
  if (!world) {
    std::printf("%s\n", world.error().message.c_str());
    return 5;
  }
  const uint64_t until = std::stoull(args.at(1));
  (*world)->run_ticks(until - (*world)->tick());
  std::printf("chain 0x%016llx\n", static_cast<unsigned long long>((*world)->chain_hash()));
  return 0;
}

const test_support::ChildModeRegistration restore_mode("restore-transfer", &restore_transfer);

}  // namespace

TEST_CASE("net: snapshot: a transfer restored mid-flight continues the uninterrupted chain") {
  constexpr uint64_t kEnd = 2500;
  auto reference = transfer_world(11, test_net::named_profile("lossy"), 300'000);
  reference->run_ticks(kEnd);
  for (uint64_t at : {uint64_t{1}, uint64_t{700}, uint64_t{1800}}) {
    INFO("snapshot at tick " << at);
    auto world = transfer_world(11, test_net::named_profile("lossy"), 300'000);
    world->run_ticks(at);
    REQUIRE(world->actor_as<net::Network>(sim::ActorId{0}).packets_in_flight() + at > 1);
    auto restored = sim::World::restore(world->snapshot(), test_net::registry());
    REQUIRE(restored.ok());
    (*restored)->run_ticks(kEnd - at);
    CHECK((*restored)->chain_hash() == reference->chain_hash());
    CHECK((*restored)->state_hash() == (*restored)->state_hash_from_scratch());
  }
  auto world = transfer_world(11, test_net::named_profile("lossy"), 300'000);
  world->run_ticks(1234);
  const std::string path = fmt::format("{}/dmsgsim-net-snapshot-{}.bin", P_tmpdir, ::getpid());
  REQUIRE(sim::write_file(path, sim::encode_snapshot_file(world->snapshot())).ok());
  const test_support::ChildResult child = test_support::run_child("restore-transfer", {path, std::to_string(kEnd)});
  std::remove(path.c_str());
  INFO(child.output);
  REQUIRE(child.exit_code == 0);
  CHECK(child.output == fmt::format("chain 0x{:016x}\n", reference->chain_hash()));
}

TEST_CASE("net: golden: transfer chains match the recorded golden files") {
  for (const char* profile : {"calm", "lossy"}) {
    auto world = transfer_world(5, test_net::named_profile(profile), 100'000);
    std::string text =
        fmt::format("# transfer of 100000 bytes each way, seed 5, profile {}, chain every 500 ticks\n", profile);
    for (int step = 0; step <= 6; ++step) {
      if (step > 0) world->run_ticks(500);
      text += fmt::format("{} 0x{:016x}\n", world->tick(), world->chain_hash());
    }
    test_support::check_golden(fmt::format("transfer-{}-seed-5.chain", profile), text, "net");
  }
}

namespace {

// The transfer scenario as `dmsgsim run --scenario transfer` runs and judges it.
scenarios::RunReport run_transfer_scenario(uint64_t seed, const std::string& profile,
                                           std::vector<scenarios::FaultInput> inputs = {}) {
  scenarios::RunConfig config;
  config.seed = seed;
  config.profile = profile;
  auto runner = scenarios::ScenarioRunner::create(*scenarios::find_scenario("transfer"), config, std::move(inputs));
  REQUIRE(runner.ok());
  return runner.value()->run(std::nullopt);
}

std::string failed_checks(const scenarios::RunReport& report) {
  std::string text;
  for (const scenarios::Check& check : report.outcome.checks) {
    if (!check.passed) text += fmt::format("{}: {}; expected {}\n", check.name, check.measured, check.expected);
  }
  return text;
}

}  // namespace

TEST_CASE("net: transfer: the scenario passes on hostile for every seed", "[hostile-seeds]") {
  const test_support::SeedRange range = test_support::seeds(1, 20);
  for (uint64_t seed = range.first; seed <= range.last; ++seed) {
    const scenarios::RunReport report = run_transfer_scenario(seed, "hostile");
    INFO("seed " << seed << "; reproduce: dmsgsim run --scenario transfer --profile hostile --seed " << seed << "\n"
                 << failed_checks(report));
    REQUIRE(report.outcome.passed);
  }
}

TEST_CASE("net: transfer: a connection that cannot be made is dialed again, and every byte arrives") {
  // Every SYN of the first connects is lost: a partition for 25 s, longer than two
  // 10 s connect timeouts.
  std::vector<scenarios::FaultInput> inputs;
  for (const char* text : {"0s partition a0|b0", "25s heal"}) {
    sim::Result<scenarios::FaultInput> input = scenarios::parse_fault(text);
    REQUIRE(input.ok());
    inputs.push_back(*input);
  }
  const scenarios::RunReport report = run_transfer_scenario(5, "calm", inputs);
  INFO(failed_checks(report));
  CHECK(report.outcome.passed);
  int64_t redials = 0;
  for (const scenarios::Figure& figure : report.outcome.figures) redials += figure.name == "redials" ? figure.value : 0;
  CHECK(redials >= 2);
}
