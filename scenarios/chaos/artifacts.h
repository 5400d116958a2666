// What a failed chaos run leaves for the person who debugs it.
#pragma once

#include "scenarios/chaos/panel.h"

#include <string>
#include <vector>

namespace scenarios::chaos {

// Writes into `dir` (created if missing): the run's trace, and the states at the two
// checked boundaries (before.* and after.*) as the world's JSON dump and as text: the
// model's per-entity tables and the world's summary. The earlier state is rebuilt by
// replaying the trace. Returns the paths written.
sim::Result<std::vector<std::string>> write_failure_artifacts(ControlPanel& panel, const ChaosResult& result,
                                                              const std::string& dir);

}  // namespace scenarios::chaos
