// The actor type registry.
#include "sim/actor.h"

namespace sim {

void ActorRegistry::add(std::string_view type_name, Factory factory) {
  SIM_ASSERT(factory != nullptr);
  SIM_ASSERT(!type_name.empty());
  const bool inserted = factories_.emplace(std::string(type_name), factory).second;
  SIM_ASSERT_MSG(inserted, "actor type '{}' registered twice", type_name);
}

bool ActorRegistry::contains(std::string_view type_name) const {
  return factories_.find(type_name) != factories_.end();
}

std::unique_ptr<Actor> ActorRegistry::create(std::string_view type_name) const {
  auto it = factories_.find(type_name);
  if (it == factories_.end()) return nullptr;
  std::unique_ptr<Actor> actor = it->second();
  SIM_ASSERT_EQ(actor->type_name(), type_name);
  return actor;
}

}  // namespace sim
