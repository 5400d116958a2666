// What a failed chaos run leaves for the person who debugs it.
#pragma once

#include "scenarios/chaos/panel.h"
#include "scenarios/replay/failure_file.h"

#include <string>
#include <vector>

namespace scenarios::chaos {

struct FailureArtifacts {
  std::vector<std::string> written;  // the paths
  FailureOrigin origin;              // where the failure first showed
};

// Writes into `dir` (created if missing): the run's trace, failure.json, and the states at
// the two checked boundaries (before.* and after.*) and where the violated condition first
// held (first.*), as the world's JSON dump and as text: the model's per-entity tables and
// the world's summary. The earlier states are rebuilt by replaying the trace. A failure of
// the snapshot check leaves instead the snapshot restored (restored.snap; the trace keeps
// it too), the differences found (snapshot-differences.txt) and the state after.
sim::Result<FailureArtifacts> write_failure_artifacts(ControlPanel& panel, const ChaosResult& result,
                                                      const std::string& dir);

}  // namespace scenarios::chaos
