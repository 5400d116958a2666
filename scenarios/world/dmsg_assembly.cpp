// Assembling dmsg worlds.
#include "scenarios/world/dmsg_assembly.h"

#include "scenarios/world/discovery_node.h"
#include "sim/fmt.h"

namespace scenarios {

net::TransportOptions dmsg_transport_options() {
  net::TransportOptions options;
  options.notsent_lowat_bytes = 16 * 1024;
  return options;
}

DmsgCluster spawn_dmsg_cluster(sim::World& world, const net::FaultProfile& profile, int servers,
                               const dmsg::ServerOptions& options, const std::vector<std::string>& identity_names) {
  SIM_ASSERT(identity_names.empty() || identity_names.size() == static_cast<size_t>(servers));
  DmsgCluster cluster;
  cluster.network = spawn_network(world, profile);
  cluster.discovery = world.next_actor_id();
  add_host<DiscoveryNode>(world, cluster.network, "discovery", net::TransportOptions{});
  for (int i = 0; i < servers; ++i) {
    const std::string name = fmt::format("s{}", i);
    dmsg::ServerOptions server = options;
    server.address = server_address(name);
    server.port = kServerPort;
    cluster.servers.push_back(world.next_actor_id());
    const std::string& identity = identity_names.empty() ? name : identity_names[static_cast<size_t>(i)];
    add_host<ServerNode>(world, cluster.network, name, dmsg_transport_options(), node_identity(world.seed(), identity),
                         server);
  }
  return cluster;
}

}  // namespace scenarios
