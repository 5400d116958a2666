// A candidate of the shrinker: a run to try, as a trace describes it (scenario, configuration,
// external inputs), and the edits every pass makes to one.
#pragma once

#include "scenarios/chaos/chaos_client.h"
#include "scenarios/chaos/config.h"
#include "scenarios/replay/trace_session.h"

#include <optional>
#include <string>
#include <vector>

namespace scenarios::shrink {

using Candidate = RunDescription;

// The candidate's encoding: equal runs have equal keys (the outcome cache's key).
std::string candidate_key(const Candidate& candidate);

bool is_chaos(const Candidate& candidate);
// The chaos configuration a chaos candidate records (its judge reads it back).
chaos::ChaosConfig chaos_config_of(const Candidate& candidate);
// `candidate` with `config` recorded, and the run's own sizes and profile set to agree.
Candidate with_chaos_config(Candidate candidate, const chaos::ChaosConfig& config);
// `candidate` on the network profile `spec`, wherever the run records it.
Candidate with_profile(Candidate candidate, const std::string& spec);

// An input rewritten from its (edited) fields, so its text says what it does.
FaultInput rewritten(FaultInput input);
// The chaos command an input carries, if it is one a chaos client reads.
std::optional<chaos::ChaosCommand> chaos_command_of(const FaultInput& input);

// The candidate with its inputs in the order a runner applies them (stably by tick), so
// that lists compare, and units pair, as runs see them.
Candidate in_run_order(Candidate candidate);

// The inputs without those at `indices` (sorted, distinct).
std::vector<FaultInput> without(const std::vector<FaultInput>& inputs, const std::vector<size_t>& indices);
// The inputs at `indices` only.
std::vector<FaultInput> only(const std::vector<FaultInput>& inputs, const std::vector<size_t>& indices);

// The first write whose stream no earlier input dials, if any: a candidate never has one
// (the shrinker removes a dial with its writes).
std::optional<std::string> orphan_write(const Candidate& candidate);

// Sizes a person compares before and after.
struct CandidateSize {
  bool chaos = false;  // servers and clients count only in a chaos world
  uint64_t inputs = 0;
  uint64_t units = 0;
  uint64_t servers = 0;
  uint64_t clients = 0;
  uint64_t streams = 0;  // dials
  uint64_t bytes = 0;    // written by write commands
};
CandidateSize size_of(const Candidate& candidate);

}  // namespace scenarios::shrink
