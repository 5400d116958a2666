// Crash, kill and restart as replacements of a node's Host actor.
#include "net/node_faults.h"

#include "net/host.h"
#include "net/network.h"
#include "sim/fmt.h"

namespace net {
namespace {

// Replaces the node's host by a fresh one of the same kind, process up or down. The
// replacement is built from the current host's own recipe, so a node can be restarted
// whatever happened to it before.
void replace_host(sim::World& world, sim::ActorId network_id, NodeAddress node, bool process_up) {
  const Network& network = world.actor_as<Network>(network_id);
  const NodeEntry& entry = network.node(node);
  const Host& current = world.mutate_as<Host>(entry.actor);
  HostConfig config = current.config();
  config.process_up = process_up;
  const uint32_t incarnation = world.incarnation(entry.actor) + 1;
  sim::Rng rng = world.stream(fmt::format("host/{}/incarnation/{}", entry.name, incarnation));
  world.restart(entry.actor, current.make_fresh(config, rng));
}

}  // namespace

void crash_node(sim::World& world, sim::ActorId network_id, NodeAddress node) {
  world.mutate<Network>(network_id).crash(node);
  replace_host(world, network_id, node, /*process_up=*/false);
}

void kill_node(sim::World& world, sim::ActorId network_id, NodeAddress node) {
  const sim::ActorId actor = world.actor_as<Network>(network_id).node(node).actor;
  sim::Context ctx = world.context_for(actor);
  world.mutate_as<Host>(actor).kill_process(ctx);
}

void stop_node(sim::World& world, sim::ActorId network_id, NodeAddress node) {
  const sim::ActorId actor = world.actor_as<Network>(network_id).node(node).actor;
  sim::Context ctx = world.context_for(actor);
  world.mutate_as<Host>(actor).stop_app(ctx);
}

void restart_node(sim::World& world, sim::ActorId network_id, NodeAddress node) {
  world.mutate<Network>(network_id).mark_up(node);
  replace_host(world, network_id, node, /*process_up=*/true);
}

}  // namespace net
