// Naming a world's actors.
#include "scenarios/world/actor_names.h"

#include "net/network.h"
#include "scenarios/world/dmsg_nodes.h"
#include "scenarios/world/net_assembly.h"

namespace scenarios {
namespace {

// The key a dmsg node goes by, while its actor is up (a node's identity is the same in
// every incarnation, so one look is enough for the run).
std::optional<dmsg::PublicKey> dmsg_key(const sim::Actor* actor) {
  if (const auto* server = dynamic_cast<const ServerNode*>(actor)) return server->server().identity().public_key();
  if (const auto* client = dynamic_cast<const ClientNode*>(actor)) return client->client().identity().public_key();
  return std::nullopt;
}

}  // namespace

sim::ActorNames name_actors(const sim::World& world) {
  sim::ActorNames names;
  const std::optional<sim::ActorId> network_id = find_network(world);
  if (!network_id) return names;
  names.name(*network_id, "network");
  const auto& network = world.actor_as<net::Network>(*network_id);
  for (uint32_t i = 0; i < network.node_count(); ++i) {
    const net::NodeEntry& node = network.node(static_cast<net::NodeAddress>(i));
    names.name(node.actor, node.name);
    if (std::optional<dmsg::PublicKey> key = dmsg_key(world.actor(node.actor))) {
      names.alias(dmsg::short_key(*key), node.name);
    }
  }
  // Actors outside the network (a fault scenario's conductor) go by their role.
  for (uint32_t i = 0; i < world.actor_count(); ++i) {
    const sim::ActorId id = static_cast<sim::ActorId>(i);
    const sim::Actor* actor = world.actor(id);
    if (names.of(id) || actor == nullptr) continue;
    std::string_view type = actor->type_name();
    const size_t dot = type.rfind('.');
    std::string role(dot == std::string_view::npos ? type : type.substr(dot + 1));
    if (!names.find(role)) names.name(id, role);
  }
  return names;
}

}  // namespace scenarios
