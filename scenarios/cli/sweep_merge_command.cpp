// `dmsgsim sweep merge`: shards' outputs put together, checked complete, summed up.
#include "scenarios/cli/commands.h"
#include "scenarios/sweep/json_fields.h"
#include "scenarios/sweep/merge.h"
#include "scenarios/sweep/summary.h"
#include "sim/file_io.h"
#include "sim/fmt.h"

namespace scenarios::cli {
namespace {

constexpr std::string_view kMergeHelp = R"(usage: dmsgsim sweep merge FILE... [--json]

Puts together the --json outputs of a sweep's shards (one file per shard, as a Slurm array's
tasks write them), checks that every run of the sweep appears exactly once, and prints the
combined summary. Runs that are missing are listed by shard in the form sbatch --array=
takes, so the missing shards can be submitted again.

  --json   one JSON line: the summary, with complete, missing_runs, missing_shards (the
           --array= form) and duplicated_runs

Exit codes: 0 complete and every run passed, 1 failures, or runs missing or duplicated,
2 a file that cannot be read or is no sweep output, or files of different sweeps.
)";

sim::JsonValue merged_json(const sweep::Merged& merged, const sweep::Summary& summary) {
  sim::JsonValue base = sweep::summary_json(summary);
  std::vector<std::pair<std::string, sim::JsonValue>> members = base.members();
  std::vector<sim::JsonValue> duplicates;
  for (const uint64_t index : merged.duplicated_runs) duplicates.push_back(sweep::number_value(index));
  members.emplace_back("complete", sim::JsonValue::boolean(merged.complete()));
  members.emplace_back("missing_runs", sweep::number_value(merged.missing_runs));
  members.emplace_back("missing_shards", sim::JsonValue::string(sweep::array_ranges(merged.missing_shards)));
  members.emplace_back("duplicated_runs", sim::JsonValue::array(std::move(duplicates)));
  return sim::JsonValue::object(std::move(members));
}

void print_text(const Io& io, const sweep::Merged& merged, const sweep::Summary& summary) {
  fmt::print(io.out, "{}", sweep::summary_text(summary));
  if (merged.missing_runs > 0) {
    fmt::print(io.out, "missing: {} runs, in shards {} (sbatch --array={})\n", merged.missing_runs,
               sweep::array_ranges(merged.missing_shards), sweep::array_ranges(merged.missing_shards));
  }
  if (!merged.duplicated_runs.empty()) {
    fmt::print(io.out, "duplicated: {} runs, the first run {}\n", merged.duplicated_runs.size(),
               merged.duplicated_runs.front());
  }
  if (merged.complete()) fmt::print(io.out, "complete: every run of the sweep once\n");
}

}  // namespace

int sweep_merge_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kMergeHelp);
    return kExitOk;
  }
  const bool json = args.take_flag("json");
  const std::vector<std::string> files = args.take_positionals();
  if (sim::Status done = args.finish(); !done) return usage_error(io, "sweep merge", done.error().message);
  if (files.empty()) return usage_error(io, "sweep merge", "give the shards' output files");
  std::vector<sweep::ShardOutput> outputs;
  for (const std::string& file : files) {
    sim::Result<sim::Bytes> bytes = sim::read_file(file);
    if (!bytes) return usage_error(io, "sweep merge", bytes.error().message);
    outputs.push_back(sweep::ShardOutput{file, std::string(bytes->begin(), bytes->end())});
  }
  sim::Result<sweep::Merged> merged = sweep::merge_outputs(outputs);
  if (!merged) return usage_error(io, "sweep merge", merged.error().message);
  const sweep::Summary summary = sweep::summarize(merged->records, merged->interrupted);
  if (json) {
    fmt::print(io.out, "{}\n", merged_json(*merged, summary).to_text());
  } else {
    print_text(io, *merged, summary);
  }
  return merged->complete() && summary.all.failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace scenarios::cli
