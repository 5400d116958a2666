// `dmsgsim sweep merge`: the outputs of a sweep's shards (their --json lines) put together,
// checked to hold every run of the sweep exactly once.
#pragma once

#include "scenarios/sweep/record.h"
#include "scenarios/sweep/summary.h"
#include "sim/json_value.h"
#include "sim/result.h"

#include <string>
#include <vector>

namespace scenarios::sweep {

// A sweep's "sweep" line: what every shard of one sweep shares, and its own shard.
sim::JsonValue header_json(const SweepSpec& spec, uint64_t shard_runs);
sim::Result<SweepSpec> header_from_json(const sim::JsonValue& line);

struct ShardOutput {
  std::string name;  // the file, for messages
  std::string text;  // its JSON lines
};

struct Merged {
  SweepSpec spec;  // shard and shards as the sweep's: the shard field is meaningless here
  std::vector<RunRecord> records;
  std::vector<uint32_t> missing_shards;  // shards with a run not seen
  uint64_t missing_runs = 0;
  std::vector<uint64_t> duplicated_runs;  // run indexes seen more than once
  bool interrupted = false;               // some shard's summary said so
  bool complete() const { return missing_runs == 0 && duplicated_runs.empty(); }
};

// An error for a file that is no sweep output, or for outputs of different sweeps (range,
// profiles, scenarios, config, planted bug or shard count differ) or a run line that does
// not belong to the sweep or to its file's shard.
sim::Result<Merged> merge_outputs(const std::vector<ShardOutput>& outputs);

}  // namespace scenarios::sweep
