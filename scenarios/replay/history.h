// `dmsgsim history`: one entity's life in a trace, in time order with ticks: the inputs that
// name it, its state changes, and the log lines that mention it. Entities are nodes by name
// (`c25`, `s4`, `discovery`), chaos streams by dial number (`stream:26`: both ends) and
// sessions (`session:c25-s4`, as the client holds it).
#pragma once

#include "scenarios/replay/trace_session.h"

#include <string>
#include <string_view>
#include <vector>

namespace scenarios {

struct HistoryEntry {
  uint64_t tick = 0;
  std::string kind;  // "input", "state" or "log"
  std::string text;
};

// The entity's history over the boundaries [from, to] of the trace. An unknown entity, or
// one of a kind the trace's world does not have, is an error that names what exists.
sim::Result<std::vector<HistoryEntry>> entity_history(const TraceSession& session, std::string_view entity,
                                                      uint64_t from, uint64_t to);

}  // namespace scenarios
