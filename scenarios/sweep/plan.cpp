#include "scenarios/sweep/plan.h"

#include "net/profile.h"
#include "scenarios/run/scenario.h"
#include "sim/assert.h"
#include "sim/fmt.h"
#include "sim/xxh3.h"

#include <algorithm>
#include <cctype>

namespace scenarios::sweep {
namespace {

// More runs than any sweep needs, and few enough that indexes and counts never overflow.
constexpr uint64_t kMaxRuns = uint64_t{1} << 40;
constexpr uint32_t kMaxShards = 1'000'000;

bool is_profile(const std::string& name) {
  const auto& catalog = net::profile_catalog();
  return std::any_of(catalog.begin(), catalog.end(), [&](const net::ProfileInfo& p) { return p.name == name; });
}

std::string profile_names() {
  std::string names;
  for (const net::ProfileInfo& p : net::profile_catalog()) names += (names.empty() ? "" : ", ") + std::string(p.name);
  return names;
}

}  // namespace

std::string shell_word(const std::string& word) {
  const bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("-_./:=,+").find(c) != std::string_view::npos;
  });
  if (safe) return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

uint64_t run_count(const SweepSpec& spec) {
  SIM_ASSERT_LE(spec.first_seed, spec.last_seed);
  return (spec.last_seed - spec.first_seed + 1) * spec.profiles.size() * spec.scenarios.size();
}

RunId run_at(const SweepSpec& spec, uint64_t index) {
  SIM_ASSERT_LT(index, run_count(spec));
  const uint64_t per_seed = spec.profiles.size() * spec.scenarios.size();
  const uint64_t within = index % per_seed;
  return RunId{index, spec.first_seed + index / per_seed, spec.profiles[within / spec.scenarios.size()],
               spec.scenarios[within % spec.scenarios.size()]};
}

uint32_t shard_of(uint64_t index, uint32_t shards) {
  SIM_ASSERT(shards > 0);
  return static_cast<uint32_t>(index % shards);
}

std::vector<RunId> shard_runs(const SweepSpec& spec) {
  std::vector<RunId> runs;
  for (uint64_t i = spec.shard; i < run_count(spec); i += spec.shards) runs.push_back(run_at(spec, i));
  return runs;
}

sim::Status validate(const SweepSpec& spec) {
  if (spec.first_seed > spec.last_seed) {
    return sim::Error{
        fmt::format("--seeds {}:{} is reversed: the first seed comes first", spec.first_seed, spec.last_seed)};
  }
  if (spec.profiles.empty()) return sim::Error{"--profiles names no profile"};
  for (const std::string& profile : spec.profiles) {
    if (!is_profile(profile))
      return sim::Error{fmt::format("unknown profile '{}' (known: {})", profile, profile_names())};
  }
  if (spec.scenarios.empty()) return sim::Error{"no scenario to run"};
  for (const std::string& scenario : spec.scenarios) {
    const ScenarioInfo* info = find_scenario(scenario);
    if (info == nullptr || (scenario != "chaos" && info->scripted_faults == nullptr)) {
      return sim::Error{fmt::format("'{}' is no fault scenario (dmsgsim run --list shows them)", scenario)};
    }
  }
  const bool chaos_only = spec.scenarios == std::vector<std::string>{"chaos"};
  if (!spec.config_path.empty() && !chaos_only) return sim::Error{"--config applies to --chaos only"};
  if (!spec.planted_bug.empty() && !chaos_only) return sim::Error{"--plant-bug applies to --chaos only"};
  if (spec.shards == 0 || spec.shards > kMaxShards) {
    return sim::Error{fmt::format("--shard I/N needs N from 1 to {}", kMaxShards)};
  }
  if (spec.shard >= spec.shards) {
    return sim::Error{
        fmt::format("--shard {}/{} is out of range: I runs from 0 to {}", spec.shard, spec.shards, spec.shards - 1)};
  }
  const uint64_t seeds = spec.last_seed - spec.first_seed + 1;
  if (seeds == 0 || seeds > kMaxRuns / (spec.profiles.size() * spec.scenarios.size())) {
    return sim::Error{"the sweep has too many runs: give a smaller seed range"};
  }
  return sim::Ok{};
}

std::vector<std::string> fault_scenario_names() {
  std::vector<std::string> names;
  for (const ScenarioInfo& info : scenario_catalog()) {
    if (info.scripted_faults != nullptr) names.emplace_back(info.name);
  }
  return names;
}

std::vector<std::string> run_words(const SweepSpec& spec, const RunId& run) {
  std::vector<std::string> words;
  if (run.scenario == "chaos") {
    words = {"chaos", "--seed", std::to_string(run.seed), "--profile", run.profile};
    if (!spec.config_path.empty()) words.insert(words.end(), {"--config", spec.config_path});
    if (!spec.planted_bug.empty()) words.insert(words.end(), {"--plant-bug", spec.planted_bug});
  } else {
    words = {"run", "--scenario", run.scenario, "--seed", std::to_string(run.seed), "--profile", run.profile};
  }
  return words;
}

std::string shell_line(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& word : words) line += (line.empty() ? "" : " ") + shell_word(word);
  return line;
}

std::string reproduce_command(const SweepSpec& spec, const RunId& run) {
  return "dmsgsim " + shell_line(run_words(spec, run));
}

bool double_checked(uint64_t seed, uint32_t percent) {
  SIM_ASSERT_LE(percent, 100u);
  // Salted so the sample is not simply the seeds that are small modulo 100.
  uint8_t bytes[16] = {'s', 'w', 'e', 'e', 'p', '/', 'd', 'c'};
  for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<uint8_t>(seed >> (8 * i));
  return XXH3_64bits(bytes, sizeof bytes) % 100 < percent;
}

std::string array_ranges(const std::vector<uint32_t>& shards) {
  std::vector<uint32_t> sorted = shards;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string out;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(sorted[i]);
    if (j > i) out += "-" + std::to_string(sorted[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace scenarios::sweep
