// Network assembly.
#include "scenarios/world/net_assembly.h"

#include "net/profile_knobs.h"

namespace scenarios {

sim::ActorId spawn_network(sim::World& world, const net::FaultProfile& profile) {
  const sim::ActorId id = world.next_actor_id();
  const sim::ActorId spawned = world.spawn(std::make_unique<net::Network>(profile, world.stream("net/network"), id));
  SIM_ASSERT_EQ(spawned, id);
  return id;
}

namespace {

constexpr std::string_view kProfileStream = "net/profile";

}  // namespace

sim::Result<net::FaultProfile> world_profile(const sim::World& world, std::string_view spec) {
  sim::Rng rng = world.stream(kProfileStream);
  return net::make_profile_spec(spec, rng);
}

// A fresh world's streams are seeded from its seed (World::stream).
sim::Result<net::FaultProfile> seed_profile(uint64_t seed, std::string_view spec) {
  sim::Rng rng = sim::Rng::stream(seed, kProfileStream);
  return net::make_profile_spec(spec, rng);
}

}  // namespace scenarios

namespace scenarios {

std::optional<sim::ActorId> find_network(const sim::World& world) {
  for (uint32_t i = 0; i < world.actor_count(); ++i) {
    const sim::Actor* actor = world.actor(sim::ActorId{i});
    if (actor != nullptr && actor->type_name() == net::Network::kTypeName) return sim::ActorId{i};
  }
  return std::nullopt;
}

}  // namespace scenarios
