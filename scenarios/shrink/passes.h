// The shrinker's passes. Each tries candidates derived from the best run so far through
// Shrinking::attempt(), which keeps those that fail the same way, and returns whether it
// changed the best run.
#pragma once

#include "scenarios/shrink/shrinking.h"

namespace scenarios::shrink {

// 1. Drops the inputs due at or after the failing boundary: they cannot have caused it.
bool cut_at_failure(Shrinking& s);
// 2. ddmin over units, then over the inputs within each unit that others depend on not.
bool remove_units(Shrinking& s);
bool remove_within_units(Shrinking& s);
// 3. Fewer clients, then fewer servers (chaos runs); inputs naming removed nodes go.
bool remove_nodes(Shrinking& s);
// 4. Shorter clogs, loss bursts and partitions, smaller ratios; crash to kill to stop.
bool weaken_faults(Shrinking& s);
// 5. Each profile knob toward calm's value, recording where the failure stops.
bool calm_knobs(Shrinking& s);
// 6. Idle gaps closed (inputs moved earlier, a chaos fault phase ended sooner); writes
//    made smaller.
bool close_gaps(Shrinking& s);
bool shrink_values(Shrinking& s);
// 7. Nodes with their own names' keys; nodes and streams renamed in order of first use
//    (c0 dials c1 as stream 1).
bool renumber(Shrinking& s);
bool renumber_nodes_and_dials(Shrinking& s);
// 8. Each remaining input removed alone (with what depends on it): keeps a removal that
//    still fails, and otherwise records why the input is essential.
bool remove_each(Shrinking& s, std::vector<InputFinding>& findings);

}  // namespace scenarios::shrink
