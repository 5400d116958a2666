// Names and descriptions of the plantable bugs.
#include "dmsg/planted_bug.h"

#include "sim/enum_names.h"

#include <array>

namespace dmsg {
namespace {

constexpr std::array<sim::EnumName<PlantedBug>, 8> kNames = {{
    {PlantedBug::kNone, "none"},
    {PlantedBug::kServerKeepsOtherLeg, "server-keeps-other-leg"},
    {PlantedBug::kClientNeverReconnects, "client-never-reconnects"},
    {PlantedBug::kBacklogNeverRejects, "backlog-never-rejects"},
    {PlantedBug::kRelayDropsChunk, "relay-drops-chunk"},
    {PlantedBug::kClientSlowReconnect, "client-slow-reconnect"},
    {PlantedBug::kServerResetsPeerSession, "server-resets-peer-session"},
    {PlantedBug::kClientPortOutsideSnapshot, "client-port-outside-snapshot"},
}};

}  // namespace

std::string_view enum_name(PlantedBug bug) { return sim::name_in(kNames, bug); }

std::optional<PlantedBug> planted_bug_named(std::string_view name) { return sim::value_in(kNames, name); }

std::vector<PlantedBug> all_planted_bugs() {
  std::vector<PlantedBug> bugs;
  for (const auto& entry : kNames) {
    if (entry.value != PlantedBug::kNone) bugs.push_back(entry.value);
  }
  return bugs;
}

std::string_view describe(PlantedBug bug) {
  switch (bug) {
    case PlantedBug::kNone:
      return "no bug";
    case PlantedBug::kServerKeepsOtherLeg:
      return "a server that ends a relay (a leg reset, a session gone) forgets to reset the other leg";
    case PlantedBug::kClientNeverReconnects:
      return "a client that loses a session never looks for servers again";
    case PlantedBug::kBacklogNeverRejects:
      return "a listener that queues dialed streams without limit instead of answering 401";
    case PlantedBug::kRelayDropsChunk:
      return "a server relay that drops one chunk in every 64 it moves";
    case PlantedBug::kClientSlowReconnect:
      return "a client that loses a session waits twice the largest backoff step (2 x 60 s) before it looks for "
             "servers again: only timing catches it";
    case PlantedBug::kServerResetsPeerSession:
      return "a server that answers a window violation on one relayed stream by resetting every stream of the "
             "other leg's session too, so an offender's misbehaviour breaks a bystander's streams";
    case PlantedBug::kClientPortOutsideSnapshot:
      return "a client that keeps its next ephemeral port in a field outside its saved state: a run from the start "
             "and its replay agree, but a world restored from a snapshot numbers its next streams' ports anew; only "
             "the snapshot check (chaos --verify-snapshots) catches it";
  }
  return "?";
}

}  // namespace dmsg
