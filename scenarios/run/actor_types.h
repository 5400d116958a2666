// The one place that registers every actor type of every layer with a registry.
#pragma once

#include "sim/actor.h"

namespace scenarios {

// Programs and tests call this before building or restoring a world: registration is
// explicit because static registration objects are dropped from static libraries.
void register_actor_types(sim::ActorRegistry& registry);

// A registry with every type registered.
const sim::ActorRegistry& all_actor_types();

}  // namespace scenarios
