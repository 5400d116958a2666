// The names of a dmsg world's actors for people: every network node by its node name (the
// name fault inputs use), the network and the fault conductor by their roles, and each dmsg
// node's short key as an alias, so log lines say "session to s0" and not "to e14bcf13".
#pragma once

#include "sim/actor_names.h"
#include "sim/world.h"

namespace scenarios {

sim::ActorNames name_actors(const sim::World& world);

}  // namespace scenarios
