// Stopping and restarting network nodes: host crash, process kill, restart.
#pragma once

#include "net/address.h"
#include "sim/world.h"

namespace net {

// A silent host crash: every packet in flight from or to the node vanishes, its transport
// state and application are gone, and nothing answers until it restarts. Peers find out
// only by their timeouts.
void crash_node(sim::World& world, sim::ActorId network, NodeAddress node);

// A process kill: the host stays up. Its kernel closes what the process had open (FIN, or
// RST where data was left unread), retransmits those closes as needed, and answers
// everything else with RST until the restart.
void kill_node(sim::World& world, sim::ActorId network, NodeAddress node);

// A graceful stop of the node's application (see Host::stop_app); the host stays up.
void stop_node(sim::World& world, sim::ActorId network, NodeAddress node);

// Starts the node's application again as a new incarnation (events and timers of older
// incarnations are dropped), with fresh transport state and RNG streams whose names
// carry the incarnation.
void restart_node(sim::World& world, sim::ActorId network, NodeAddress node);

}  // namespace net
