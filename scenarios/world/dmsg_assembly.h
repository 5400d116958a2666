// Putting discovery, dmsg servers and clients into a world.
#pragma once

#include "scenarios/world/dmsg_nodes.h"
#include "scenarios/world/net_assembly.h"

#include <string>
#include <vector>

namespace scenarios {

struct DmsgCluster {
  sim::ActorId network{};
  sim::ActorId discovery{};
  std::vector<sim::ActorId> servers;  // named s0, s1, ...
};

// The transport settings of dmsg nodes: little unsent data kept in the transport (16 KiB,
// as HTTP/2 servers set TCP_NOTSENT_LOWAT), so that a session's control frames, signed
// objects and new streams wait behind at most that much bulk data, not a whole send buffer.
net::TransportOptions dmsg_transport_options();

// The network with `profile`, the discovery node "discovery" and `servers` servers with
// identities from the world seed: server i's from its name, or from identity_names[i]
// when given (a shrunk world keeps its servers' keys that way).
DmsgCluster spawn_dmsg_cluster(sim::World& world, const net::FaultProfile& profile, int servers,
                               const dmsg::ServerOptions& options = {},
                               const std::vector<std::string>& identity_names = {});

// A client node of type C named `name`, its identity from the world seed and the name
// `identity_name`, constructed as C(config, rng, identity, options, args...). Returns its
// actor id.
template <class C, class... Args>
sim::ActorId add_client_as(sim::World& world, sim::ActorId network, const std::string& name,
                           const std::string& identity_name, const dmsg::ClientOptions& options, Args&&... args) {
  const sim::ActorId id = world.next_actor_id();
  add_host<C>(world, network, name, dmsg_transport_options(), node_identity(world.seed(), identity_name), options,
              std::forward<Args>(args)...);
  return id;
}

// The same, with the identity of its own name.
template <class C, class... Args>
sim::ActorId add_client(sim::World& world, sim::ActorId network, const std::string& name,
                        const dmsg::ClientOptions& options, Args&&... args) {
  return add_client_as<C>(world, network, name, name, options, std::forward<Args>(args)...);
}

}  // namespace scenarios
