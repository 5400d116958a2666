// The scenario catalog: how each named scenario is built and judged.
#include "scenarios/run/scenario.h"

#include "net/network.h"
#include "scenarios/chaos/chaos_world.h"
#include "scenarios/fault/fault_scenarios.h"
#include "scenarios/workloads/demo_world.h"
#include "scenarios/workloads/transfer.h"
#include "scenarios/world/net_assembly.h"
#include "sim/fmt.h"

namespace scenarios {
namespace {

sim::Status build_demo(sim::World& world, const RunConfig&) {
  build_demo_world(world, DemoOptions{});
  return sim::Ok{};
}

// The demo has no protocol to fail; it checks that the gossip actually flowed.
ScenarioOutcome judge_demo(const sim::World& world) {
  uint64_t sent = 0;
  uint64_t received = 0;
  for (uint32_t i = 0; i < world.actor_count(); ++i) {
    const auto& gossiper = world.actor_as<Gossiper>(sim::ActorId{i});
    sent += gossiper.sent();
    received += gossiper.received();
  }
  ScenarioOutcome outcome;
  const std::string counts = fmt::format("{} sent, {} received", sent, received);
  outcome.add(Check{CheckKind::kLiveness, "messages_flow", received > 0, counts, "some messages received",
                    static_cast<int64_t>(received)});
  outcome.add(Check{CheckKind::kSafety, "no_message_invented", received <= sent, counts,
                    "never more received than sent", static_cast<int64_t>(received)});
  return outcome;
}

sim::Status build_transfer(sim::World& world, const RunConfig& config) {
  sim::Result<net::FaultProfile> profile = world_profile(world, config.profile);
  if (!profile) return profile.error();
  build_transfer_world(world, *profile, TransferOptions{});
  return sim::Ok{};
}

std::string transfer_parameters(const RunConfig&) {
  const TransferOptions options;
  return fmt::format(R"({{"pairs": {}, "bytes_forward": {}, "bytes_back": {}}})", options.pairs, options.bytes_forward,
                     options.bytes_back);
}

template <class F>
void for_each_transfer_node(const sim::World& world, F&& f) {
  for (uint32_t i = 0; i < world.actor_count(); ++i) {
    const sim::ActorId id{i};
    const sim::Actor* actor = world.actor(id);
    if (actor != nullptr && actor->type_name() == TransferNode::kTypeName) f(world.actor_as<TransferNode>(id));
  }
}

bool transfer_finished(const sim::World& world) {
  bool all = true;
  for_each_transfer_node(world, [&](const TransferNode& node) { all = all && node.completed_at().has_value(); });
  return all;
}

ScenarioOutcome judge_transfer(const sim::World& world) {
  ScenarioOutcome outcome;
  uint64_t sent = 0;
  uint64_t delivered = 0;
  uint64_t expected = 0;
  uint64_t complete = 0;
  uint64_t nodes = 0;
  uint64_t mismatches = 0;
  net::RepairCounts repairs;
  uint64_t redials = 0;
  uint64_t failed = 0;
  for_each_transfer_node(world, [&](const TransferNode& node) {
    ++nodes;
    sent += node.bytes_sent();
    delivered += node.verifier().verified;
    expected += node.settings().bytes_expected;
    mismatches += node.verifier().mismatches;
    complete += node.is_complete() ? 1 : 0;
    repairs += node.transport().repairs();
    redials += node.redials();
    failed += node.transport().connections_failed();
  });
  outcome.add(Check{CheckKind::kSafety, "bytes_verified", mismatches == 0,
                    fmt::format("{} mismatched bytes", mismatches), "every received byte matches its pattern",
                    static_cast<int64_t>(mismatches)});
  outcome.add(Check{CheckKind::kLiveness, "transfers_complete", complete == nodes,
                    fmt::format("{} of {} nodes complete", complete, nodes),
                    "every node sent, received and verified everything, then saw end of stream",
                    static_cast<int64_t>(complete)});
  const sim::ActorId network_id = find_network(world).value();
  const net::NetworkStats& stats = world.actor_as<net::Network>(network_id).stats();
  outcome.figures = {
      {"bytes_sent", static_cast<int64_t>(sent)},
      {"bytes_delivered", static_cast<int64_t>(delivered)},
      {"bytes_expected", static_cast<int64_t>(expected)},
      {"retransmissions", static_cast<int64_t>(repairs.retransmissions)},
      {"timeouts", static_cast<int64_t>(repairs.timeouts)},
      {"fast_recoveries", static_cast<int64_t>(repairs.fast_recoveries)},
      {"tail_probes", static_cast<int64_t>(repairs.tail_probes)},
      {"recoveries_undone", static_cast<int64_t>(repairs.recoveries_undone)},
      {"packets_sent", static_cast<int64_t>(stats.packets_sent)},
      {"packets_lost", static_cast<int64_t>(stats.packets_lost)},
      {"connections_failed", static_cast<int64_t>(failed)},
      {"redials", static_cast<int64_t>(redials)},
  };
  return outcome;
}

}  // namespace

std::string state_text(const ScenarioInfo& scenario, sim::World& world) {
  std::string text = world.summary();
  if (scenario.state_tables != nullptr) text += "\n" + scenario.state_tables(world);
  return text;
}

void ScenarioOutcome::add(Check check) {
  passed = passed && check.passed;
  checks.push_back(std::move(check));
}

const std::vector<ScenarioInfo>& scenario_catalog() {
  static const std::vector<ScenarioInfo> catalog = [] {
    std::vector<ScenarioInfo> all = fault_scenarios();
    ScenarioInfo transfer{"transfer",
                          "pairs of nodes exchange 1 MiB each way over the transport, verified byte by byte",
                          sim::Duration::seconds(600),
                          true,
                          &build_transfer,
                          &transfer_finished,
                          &judge_transfer};
    transfer.parameters = &transfer_parameters;
    all.push_back(transfer);
    all.push_back(chaos::chaos_scenario());
    all.push_back({"demo", "gossiping timer and message actors (the simulation core on its own)",
                   sim::Duration::seconds(1), false, &build_demo, nullptr, &judge_demo});
    return all;
  }();
  return catalog;
}

const ScenarioInfo* find_scenario(std::string_view name) {
  for (const ScenarioInfo& info : scenario_catalog()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace scenarios
