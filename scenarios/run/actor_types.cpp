// Registration of every actor type.
#include "scenarios/run/actor_types.h"

#include "net/network.h"
#include "scenarios/chaos/chaos_world.h"
#include "scenarios/fault/fault_scenarios.h"
#include "scenarios/workloads/bulk_client.h"
#include "scenarios/workloads/demo_world.h"
#include "scenarios/workloads/transfer.h"
#include "scenarios/world/discovery_node.h"
#include "scenarios/world/dmsg_nodes.h"

namespace scenarios {

void register_actor_types(sim::ActorRegistry& registry) {
  register_demo_actors(registry);
  registry.add<net::Network>();
  register_transfer_actors(registry);
  registry.add<DiscoveryNode>();
  registry.add<ServerNode>();
  registry.add<BulkClient>();
  register_fault_scenario_actors(registry);
  chaos::register_chaos_actors(registry);
}

const sim::ActorRegistry& all_actor_types() {
  // Built once on first use and never changed afterwards: a constant, not mutable state.
  static const sim::ActorRegistry registry = [] {
    sim::ActorRegistry r;
    register_actor_types(r);
    return r;
  }();
  return registry;
}

}  // namespace scenarios
