// Building the chaos world and finding its nodes again.
#include "scenarios/chaos/chaos_world.h"

#include "net/network.h"
#include "scenarios/chaos/judge.h"
#include "scenarios/chaos/view.h"
#include "scenarios/world/dmsg_assembly.h"
#include "sim/fmt.h"

#include <algorithm>
#include <charconv>

namespace scenarios::chaos {
namespace {

// Sizes when a run's configuration leaves them at 0 (as `dmsgsim run` does).
constexpr uint32_t kDefaultServers = 5;
constexpr uint32_t kDefaultClients = 50;
constexpr sim::Duration kMaxDuration = sim::Duration::seconds(3600);  // when run without the panel

// The name each of `count` nodes takes its keys from: its own, unless the configuration
// gives it another's.
std::vector<std::string> identity_names(uint32_t count, std::string (*name_of)(size_t),
                                        const std::map<std::string, std::string>& identities) {
  std::vector<std::string> names;
  for (uint32_t i = 0; i < count; ++i) {
    const auto given = identities.find(name_of(i));
    names.push_back(given == identities.end() ? name_of(i) : given->second);
  }
  return names;
}

sim::Status build(sim::World& world, const RunConfig& config) {
  sim::Result<net::FaultProfile> profile = world_profile(world, config.profile);
  if (!profile) return profile.error();
  std::map<std::string, std::string> identities;
  if (!config.scenario_config.empty()) {
    sim::Result<ChaosConfig> recorded = parse_chaos_config(config.scenario_config);
    if (!recorded) return sim::Error{fmt::format("the recorded chaos configuration: {}", recorded.error().message)};
    identities = recorded->identities;
  }
  const uint32_t servers = config.servers != 0 ? config.servers : kDefaultServers;
  const uint32_t clients = config.clients != 0 ? config.clients : kDefaultClients;
  const DmsgCluster cluster =
      spawn_dmsg_cluster(world, *profile, static_cast<int>(servers), chaos_server_options(config.planted_bug, clients),
                         identity_names(servers, &server_name, identities));
  const std::vector<std::string> client_identities = identity_names(clients, &client_name, identities);
  for (uint32_t i = 0; i < clients; ++i) {
    add_client_as<ChaosClient>(world, cluster.network, client_name(i), client_identities[i],
                               chaos_client_options(config.planted_bug));
  }
  return sim::Ok{};
}

std::string tables(const sim::World& world) { return to_text(Viewer(world).look(world)); }

// Without the panel's model, what the final state alone shows: every byte any client read
// was the right stream's and verified.
ScenarioOutcome judge(const sim::World& world) {
  ScenarioOutcome outcome;
  uint64_t mismatched = 0;
  uint64_t misrouted = 0;
  uint64_t verified = 0;
  for (const sim::ActorId id : ChaosNodes::of(world).clients) {
    for (const auto& [handle, s] : world.actor_as<ChaosClient>(id).streams()) {
      mismatched += s.reader.verifier.mismatches;
      misrouted += s.misrouted ? 1 : 0;
      verified += s.delivered();
    }
  }
  outcome.add(Check{CheckKind::kSafety, "content", mismatched == 0,
                    fmt::format("{} bytes differed of {} read", mismatched, verified),
                    "every byte read equals its pattern", static_cast<int64_t>(mismatched)});
  outcome.add(Check{CheckKind::kSafety, "routing", misrouted == 0,
                    fmt::format("{} streams carried another stream's bytes", misrouted),
                    "each stream carries its own dial's bytes", static_cast<int64_t>(misrouted)});
  outcome.figures.push_back(Figure{"bytes_verified", static_cast<int64_t>(verified)});
  return outcome;
}

}  // namespace

std::string server_name(size_t index) { return fmt::format("s{}", index); }
std::string client_name(size_t index) { return fmt::format("c{}", index); }

namespace {

// The index `name` carries after `letter`, if it is exactly the name `name_of` gives it.
std::optional<uint32_t> index_named(std::string_view name, char letter, uint32_t count,
                                    std::string (*name_of)(size_t)) {
  if (name.size() < 2 || name[0] != letter) return std::nullopt;
  uint32_t index = 0;
  const auto [end, error] = std::from_chars(name.data() + 1, name.data() + name.size(), index);
  if (error != std::errc() || end != name.data() + name.size() || index >= count || name_of(index) != name) {
    return std::nullopt;
  }
  return index;
}

}  // namespace

std::optional<uint32_t> server_index_named(std::string_view name, uint32_t count) {
  return index_named(name, 's', count, &server_name);
}
std::optional<uint32_t> client_index_named(std::string_view name, uint32_t count) {
  return index_named(name, 'c', count, &client_name);
}

ChaosNodes ChaosNodes::of(const sim::World& world) {
  ChaosNodes nodes;
  const std::optional<sim::ActorId> network = find_network(world);
  SIM_ASSERT_MSG(network.has_value(), "not a chaos world: no network");
  nodes.network = *network;
  const net::Network& net = world.actor_as<net::Network>(*network);
  for (uint32_t i = 0; i < net.node_count(); ++i) {
    const net::NodeEntry& node = net.node(net::NodeAddress{i});
    const std::string_view type = world.actor(node.actor)->type_name();
    if (type == ServerNode::kTypeName) nodes.servers.push_back(node.actor);
    if (type == ChaosClient::kTypeName) nodes.clients.push_back(node.actor);
  }
  return nodes;
}

dmsg::ClientOptions chaos_client_options(dmsg::PlantedBug bug) {
  dmsg::ClientOptions options;
  options.min_sessions = 0;
  options.planted_bug = bug;
  return options;
}

dmsg::ServerOptions chaos_server_options(dmsg::PlantedBug bug, uint32_t clients) {
  dmsg::ServerOptions options;
  options.max_sessions = std::max(options.max_sessions, clients);
  options.planted_bug = bug;
  return options;
}

ScenarioInfo chaos_scenario() {
  ScenarioInfo info{
      "chaos",      "servers and clients under random events (driven by `dmsgsim chaos`; alone it only starts them)",
      kMaxDuration, true,
      &build,       nullptr,
      &judge,       nullptr,
      &tables};
  info.make_judge = &make_chaos_judge;
  return info;
}

void register_chaos_actors(sim::ActorRegistry& registry) { registry.add<ChaosClient>(); }

}  // namespace scenarios::chaos
