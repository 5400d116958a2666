// The names people know actors by ("s0", "c25", "network"), given by the layer that built
// the world. Only for reading (log lines, text and JSON dumps, debugger paths): nothing in a
// run depends on them, they are not state and not hashed.
#pragma once

#include "sim/event.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

class ActorNames {
 public:
  // Names `actor`; a name is given once, to one actor.
  void name(ActorId actor, std::string name);
  // Another token that means the actor named `name` in log messages (for example a short
  // form of its public key), replaced by the name when a line is formatted.
  void alias(std::string token, std::string name);

  bool empty() const { return by_actor_.empty(); }
  // The actor's name, or nullopt when it has none.
  std::optional<std::string_view> of(ActorId actor) const;
  // The name, or "actor N".
  std::string label(ActorId actor) const;
  std::optional<ActorId> find(std::string_view name) const;
  // `text` with every alias token (a whole word) replaced by its actor's name.
  std::string apply_aliases(std::string_view text) const;
  // Every name, in actor order, for messages that list what exists.
  std::string list() const;

 private:
  std::map<uint32_t, std::string> by_actor_;
  std::map<std::string, uint32_t, std::less<>> by_name_;
  std::map<std::string, std::string, std::less<>> aliases_;
};

}  // namespace sim
