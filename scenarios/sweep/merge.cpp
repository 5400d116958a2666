#include "scenarios/sweep/merge.h"

#include "scenarios/sweep/json_fields.h"
#include "sim/fmt.h"

#include <map>
#include <set>

namespace scenarios::sweep {
namespace {

bool same_sweep(const SweepSpec& a, const SweepSpec& b) {
  return a.first_seed == b.first_seed && a.last_seed == b.last_seed && a.profiles == b.profiles &&
         a.scenarios == b.scenarios && a.config_path == b.config_path && a.planted_bug == b.planted_bug &&
         a.shards == b.shards;
}

struct ParsedOutput {
  SweepSpec spec;
  std::vector<RunRecord> records;
  bool interrupted = false;
};

sim::Result<ParsedOutput> parse_output(const ShardOutput& output) {
  ParsedOutput parsed;
  bool has_header = false;
  size_t line_number = 0;
  size_t start = 0;
  while (start < output.text.size()) {
    size_t end = output.text.find('\n', start);
    if (end == std::string::npos) end = output.text.size();
    const std::string_view line(output.text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (line.empty()) continue;
    auto error = [&](const std::string& what) {
      return sim::Error{fmt::format("{}:{}: {}", output.name, line_number, what)};
    };
    sim::Result<sim::JsonValue> value = sim::parse_json(line);
    if (!value || !value->is_object()) return error("not a JSON line of dmsgsim sweep --json");
    const std::string type = text_field(*value, "type");
    if (type == "sweep") {
      if (has_header) return error("a second sweep line");
      sim::Result<SweepSpec> spec = header_from_json(*value);
      if (!spec) return error(spec.error().message);
      parsed.spec = *spec;
      has_header = true;
    } else if (type == "run") {
      if (!has_header) return error("a run line before the sweep line");
      sim::Result<RunRecord> record = record_from_json(*value);
      if (!record) return error(record.error().message);
      if (record->run.index >= run_count(parsed.spec)) return error("a run outside the sweep");
      const RunId expected = run_at(parsed.spec, record->run.index);
      if (expected.seed != record->run.seed || expected.profile != record->run.profile ||
          expected.scenario != record->run.scenario) {
        return error(fmt::format("run {} names another seed, profile or scenario than the sweep's run {}",
                                 record->run.index, record->run.index));
      }
      if (record->shard != parsed.spec.shard || shard_of(record->run.index, parsed.spec.shards) != record->shard) {
        return error(fmt::format("run {} does not belong to shard {}", record->run.index, parsed.spec.shard));
      }
      parsed.records.push_back(std::move(*record));
    } else if (type == "summary") {
      const sim::JsonValue* interrupted = value->find("interrupted");
      parsed.interrupted = interrupted != nullptr && interrupted->scalar() == "true";
    } else {
      return error(fmt::format("an unknown line type '{}'", type));
    }
  }
  if (!has_header)
    return sim::Error{fmt::format("{}: no sweep line: not the output of dmsgsim sweep --json", output.name)};
  return parsed;
}

}  // namespace

sim::JsonValue header_json(const SweepSpec& spec, uint64_t shard_runs) {
  return sim::JsonValue::object({
      {"type", sim::JsonValue::string("sweep")},
      {"first_seed", number_value(spec.first_seed)},
      {"last_seed", number_value(spec.last_seed)},
      {"profiles", strings_value(spec.profiles)},
      {"scenarios", strings_value(spec.scenarios)},
      {"config", text_or_null(spec.config_path)},
      {"planted_bug", text_or_null(spec.planted_bug)},
      {"shard", number_value(spec.shard)},
      {"shards", number_value(spec.shards)},
      {"runs", number_value(run_count(spec))},
      {"shard_runs", number_value(shard_runs)},
  });
}

sim::Result<SweepSpec> header_from_json(const sim::JsonValue& line) {
  SweepSpec spec;
  const std::optional<uint64_t> first = u64_field(line, "first_seed");
  const std::optional<uint64_t> last = u64_field(line, "last_seed");
  const std::optional<uint64_t> shard = u64_field(line, "shard");
  const std::optional<uint64_t> shards = u64_field(line, "shards");
  std::optional<std::vector<std::string>> profiles = strings_field(line, "profiles");
  std::optional<std::vector<std::string>> scenarios = strings_field(line, "scenarios");
  if (!first || !last || !shard || !shards || !profiles || !scenarios || *shards > UINT32_MAX) {
    return sim::Error{"a sweep line needs first_seed, last_seed, profiles, scenarios, shard and shards"};
  }
  spec.first_seed = *first;
  spec.last_seed = *last;
  spec.profiles = std::move(*profiles);
  spec.scenarios = std::move(*scenarios);
  spec.config_path = text_field(line, "config");
  spec.planted_bug = text_field(line, "planted_bug");
  spec.shard = static_cast<uint32_t>(std::min<uint64_t>(*shard, UINT32_MAX));
  spec.shards = static_cast<uint32_t>(*shards);
  if (sim::Status valid = validate(spec); !valid) return sim::Error{"its sweep: " + valid.error().message};
  return spec;
}

sim::Result<Merged> merge_outputs(const std::vector<ShardOutput>& outputs) {
  if (outputs.empty()) return sim::Error{"no sweep output to merge"};
  Merged merged;
  std::map<uint64_t, uint32_t> seen;  // run index -> times
  for (const ShardOutput& output : outputs) {
    sim::Result<ParsedOutput> parsed = parse_output(output);
    if (!parsed) return parsed.error();
    if (&output == &outputs.front()) {
      merged.spec = parsed->spec;
    } else if (!same_sweep(merged.spec, parsed->spec)) {
      return sim::Error{
          fmt::format("{} is the output of another sweep than {} (range, profiles, scenarios, config, "
                      "planted bug or shard count differ)",
                      output.name, outputs.front().name)};
    }
    merged.interrupted = merged.interrupted || parsed->interrupted;
    for (RunRecord& record : parsed->records) {
      if (++seen[record.run.index] == 2) merged.duplicated_runs.push_back(record.run.index);
      merged.records.push_back(std::move(record));
    }
  }
  // Per shard, the runs it owes against the distinct runs seen: bounded by the shard count,
  // whatever range a header claims.
  const uint64_t total = run_count(merged.spec);
  std::map<uint32_t, uint64_t> seen_per_shard;
  for (const auto& [index, times] : seen) ++seen_per_shard[shard_of(index, merged.spec.shards)];
  std::set<uint32_t> missing;
  for (uint32_t shard = 0; shard < merged.spec.shards; ++shard) {
    const uint64_t owed = total / merged.spec.shards + (shard < total % merged.spec.shards ? 1 : 0);
    const uint64_t have = seen_per_shard.count(shard) == 0 ? 0 : seen_per_shard.at(shard);
    if (have < owed) missing.insert(shard);
    merged.missing_runs += owed - have;
  }
  merged.missing_shards.assign(missing.begin(), missing.end());
  return merged;
}

}  // namespace scenarios::sweep
