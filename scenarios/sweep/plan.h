// What a sweep runs: every (seed, profile, scenario) of a range, in a fixed order, split
// into shards that map straight to a Slurm array index or a GNU parallel argument.
#pragma once

#include "sim/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace scenarios::sweep {

struct SweepSpec {
  uint64_t first_seed = 1;  // inclusive
  uint64_t last_seed = 1;   // inclusive
  std::vector<std::string> profiles{"calm"};
  // "chaos", or fault scenarios by name (--scenarios: the six of the test plan).
  std::vector<std::string> scenarios{"chaos"};
  std::string config_path;  // chaos only: its --config FILE
  std::string planted_bug;  // chaos only: a checker self-test's --plant-bug NAME
  uint32_t shard = 0;       // this process's shard, in [0, shards)
  uint32_t shards = 1;
};

// One run of a sweep.
struct RunId {
  uint64_t index = 0;  // its place in the sweep's order
  uint64_t seed = 0;
  std::string profile;
  std::string scenario;
};

// The sweep's order is seed-major, then profile, then scenario, each in the order given.
// Run i belongs to shard i mod N: the shards interleave, so each gets a like share of
// seeds and scenarios however the range divides.
uint64_t run_count(const SweepSpec& spec);
RunId run_at(const SweepSpec& spec, uint64_t index);
uint32_t shard_of(uint64_t index, uint32_t shards);
std::vector<RunId> shard_runs(const SweepSpec& spec);

// Checks a spec before anything runs: a range that is reversed or too big, a shard out of
// range, an unknown profile or scenario, a config with fault scenarios.
sim::Status validate(const SweepSpec& spec);

// The six fault scenarios of the test plan, in the catalog's order.
std::vector<std::string> fault_scenario_names();

// The dmsgsim words that run `run` on its own (after "dmsgsim"), and the same as one shell
// line a person can paste (its reproduction command).
std::vector<std::string> run_words(const SweepSpec& spec, const RunId& run);
std::string reproduce_command(const SweepSpec& spec, const RunId& run);

// A word for a POSIX shell: as it is when it holds only safe characters, else single-quoted.
std::string shell_word(const std::string& word);
// Words as one shell line, each quoted as shell_word() does.
std::string shell_line(const std::vector<std::string>& words);

// Whether --double-check PCT re-runs this seed: a hash of the seed alone, so every shard,
// every profile and every machine picks the same seeds.
bool double_checked(uint64_t seed, uint32_t percent);

// Shard numbers as `sbatch --array=` takes them: "0-2,5,7-8".
std::string array_ranges(const std::vector<uint32_t>& shards);

}  // namespace scenarios::sweep
