// The chaos run's world: discovery, servers s0.. and chaos clients c0.., all started at
// the first tick. Everything that happens afterwards enters as recorded inputs.
#pragma once

#include "scenarios/chaos/chaos_client.h"
#include "scenarios/run/scenario.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scenarios::chaos {

// The nodes of a chaos world, by index (server i is "s<i>", client i is "c<i>").
struct ChaosNodes {
  sim::ActorId network{};
  std::vector<sim::ActorId> servers;
  std::vector<sim::ActorId> clients;

  // Finds them in a built or restored world; a world that is not a chaos world is a
  // programmer error.
  static ChaosNodes of(const sim::World& world);
};

std::string server_name(size_t index);
std::string client_name(size_t index);
// The index named by server_name() or client_name(), if `name` is one of `count` such nodes.
std::optional<uint32_t> server_index_named(std::string_view name, uint32_t count);
std::optional<uint32_t> client_index_named(std::string_view name, uint32_t count);

// The options every chaos node is built with: clients keep a session to every server
// they find (MinSessions 0 means all), and both carry the planted bug, if any.
dmsg::ClientOptions chaos_client_options(dmsg::PlantedBug bug);
// Servers take a session from every client (MaxSessions at least the client count).
dmsg::ServerOptions chaos_server_options(dmsg::PlantedBug bug, uint32_t clients);

// The catalog entry "chaos". `dmsgsim chaos` drives it; `dmsgsim run`, replay and seek
// rebuild it from a run's configuration and inputs.
ScenarioInfo chaos_scenario();
void register_chaos_actors(sim::ActorRegistry& registry);

}  // namespace scenarios::chaos
