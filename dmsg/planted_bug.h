// Known bug classes that can be planted in the dmsg implementation on purpose, so that a
// checker (the chaos run) can show it catches them. Never set outside checker self-tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace dmsg {

enum class PlantedBug : uint8_t {
  kNone,
  kServerKeepsOtherLeg,        // a server that ends a relay forgets to reset the other leg
  kClientNeverReconnects,      // a client that loses a session never looks for servers again
  kBacklogNeverRejects,        // a listener that queues streams without limit (no 401)
  kRelayDropsChunk,            // a relay that drops one chunk in every 64 it moves
  kClientSlowReconnect,        // a client that waits twice the largest backoff step after a loss
  kServerResetsPeerSession,    // a server that answers a window violation by resetting every
                               // stream of the other leg's session too
  kClientPortOutsideSnapshot,  // a client that keeps its next ephemeral port outside its state
};
std::string_view enum_name(PlantedBug bug);
// The bug named `name` ("server-keeps-other-leg", ...).
std::optional<PlantedBug> planted_bug_named(std::string_view name);
// Every bug but kNone, in declaration order.
std::vector<PlantedBug> all_planted_bugs();
// What the bug does, for --list-bugs and the README.
std::string_view describe(PlantedBug bug);

}  // namespace dmsg
