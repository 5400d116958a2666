// Putting a network and its hosts into a world.
#pragma once

#include "net/host.h"
#include "net/network.h"
#include "net/profile.h"
#include "sim/fmt.h"
#include "sim/world.h"

#include <memory>
#include <string>

namespace scenarios {

// Spawns the world's Network actor with the given profile.
sim::ActorId spawn_network(sim::World& world, const net::FaultProfile& profile);

// The profile a spec names ("lossy", "hostile,loss=1/10": net/profile_knobs.h), drawn (for
// swarm) from the world's "net/profile" stream.
sim::Result<net::FaultProfile> world_profile(const sim::World& world, std::string_view spec);
// The same profile as a fresh (not forked) world of `seed` draws it, without the world: for
// what a run's configuration implies before it is built (its bounds, in `info`).
sim::Result<net::FaultProfile> seed_profile(uint64_t seed, std::string_view spec);

// Spawns a host of type H named `name` on the network, constructed as
// H(config, rng, args...), and returns its address.
template <class H, class... Args>
net::NodeAddress add_host(sim::World& world, sim::ActorId network, const std::string& name,
                          const net::TransportOptions& transport, Args&&... args) {
  const sim::ActorId id = world.next_actor_id();
  const net::NodeAddress address = world.mutate<net::Network>(network).add_node(name, id);
  net::HostConfig config;
  config.address = address;
  config.network = network;
  config.transport = transport;
  sim::Rng rng = world.stream(fmt::format("host/{}/incarnation/0", name));
  const sim::ActorId spawned = world.spawn(std::make_unique<H>(config, rng, std::forward<Args>(args)...));
  SIM_ASSERT_EQ(spawned, id);
  return address;
}

}  // namespace scenarios

namespace scenarios {

// The world's Network actor, if it has one.
std::optional<sim::ActorId> find_network(const sim::World& world);

}  // namespace scenarios
