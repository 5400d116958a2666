#include "scenarios/sweep/emit.h"

#include "sim/assert.h"
#include "sim/fmt.h"

namespace scenarios::sweep {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& word : words) line += (line.empty() ? "" : " ") + word;
  return line;
}

std::string comma_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

std::vector<std::string> shard_words(const EmitRequest& r, const std::string& shard) {
  const SweepSpec& spec = r.spec;
  std::vector<std::string> words = {"sweep", "--seeds", fmt::format("{}:{}", spec.first_seed, spec.last_seed)};
  if (spec.scenarios == std::vector<std::string>{"chaos"}) {
    words.emplace_back("--chaos");
  } else if (spec.scenarios == fault_scenario_names()) {
    words.emplace_back("--scenarios");
  } else {
    SIM_ASSERT_EQ(spec.scenarios.size(), 1u);
    words.insert(words.end(), {"--scenario", spec.scenarios.front()});
  }
  words.insert(words.end(), {"--profiles", comma_list(spec.profiles)});
  if (!spec.config_path.empty()) words.insert(words.end(), {"--config", spec.config_path});
  if (!spec.planted_bug.empty()) words.insert(words.end(), {"--plant-bug", spec.planted_bug});
  words.insert(words.end(), {"--jobs", std::to_string(r.jobs_per_shard), "--timeout",
                             fmt::format("{}ms", r.timeout_ns / 1'000'000), "--artifacts", r.artifacts});
  if (r.shrink) words.emplace_back("--shrink");
  if (r.double_check_percent > 0) words.insert(words.end(), {"--double-check", std::to_string(r.double_check_percent)});
  words.insert(words.end(), {"--json", "--shard", fmt::format("{}/{}", shard, spec.shards)});
  return words;
}

std::string slurm_script(const EmitRequest& r) {
  const uint32_t shards = r.spec.shards;
  const uint32_t limit = r.array_limit == 0 ? shards : r.array_limit;
  const std::string out = shell_word(r.out_dir);
  // The array task's shard comes from Slurm at run time: the word stays unquoted for it.
  std::vector<std::string> words = shard_words(r, "SHARD");
  std::string task = shell_word(r.dmsgsim);
  for (const std::string& word : words) {
    task += " " + (word == "SHARD/" + std::to_string(shards) ? "\"$SLURM_ARRAY_TASK_ID/" + std::to_string(shards) + "\""
                                                             : shell_word(word));
  }
  const std::string merge = fmt::format("{} sweep merge --json {}/\"$array_job\"_*.jsonl", shell_word(r.dmsgsim), out);
  return fmt::format(
      R"(#!/bin/bash
# dmsgsim sweep of seeds {first}-{last} on Slurm: {shards} array tasks, one shard each (at most {limit}
# at once), each writing its JSON lines to {out_dir}/JOB_TASK.jsonl; then their merge, a job that
# waits for every task however it ended (afterany), into {out_dir}/JOB.merged.json.
# Submit it with: bash THIS-FILE   (it prints the array's and the merge's job ids)
set -euo pipefail
mkdir -p {out} {artifacts}
array_job=$(sbatch --parsable <<'TASK'
#!/bin/bash
#SBATCH --job-name=dmsgsim-sweep
#SBATCH --array=0-{last_shard}%{limit}
#SBATCH --cpus-per-task={jobs}
#SBATCH --output={out_raw}/%A_%a.jsonl
#SBATCH --error={out_raw}/%A_%a.err
exec {task}
TASK
)
array_job=${{array_job%%;*}}
merge_job=$(sbatch --parsable --job-name=dmsgsim-sweep-merge --dependency=afterany:"$array_job" \
  --output={out}/"$array_job".merged.json --error={out}/"$array_job".merge.err \
  --wrap="{merge}")
echo "$array_job ${{merge_job%%;*}}"
)",
      fmt::arg("first", r.spec.first_seed), fmt::arg("last", r.spec.last_seed), fmt::arg("shards", shards),
      fmt::arg("limit", limit), fmt::arg("out_dir", r.out_dir), fmt::arg("out", out), fmt::arg("out_raw", r.out_dir),
      fmt::arg("artifacts", shell_word(r.artifacts)), fmt::arg("last_shard", shards - 1),
      fmt::arg("jobs", r.jobs_per_shard), fmt::arg("task", task), fmt::arg("merge", merge));
}

std::string parallel_command(const EmitRequest& r) {
  const std::string hosts = r.hosts.empty() ? ":" : comma_list(r.hosts);
  std::vector<std::string> shard_args;
  for (uint32_t shard = 0; shard < r.spec.shards; ++shard) shard_args.push_back(std::to_string(shard));
  // One word for parallel, which replaces {} by the shard and hands it to a shell (on its
  // host), where the redirection happens.
  std::vector<std::string> words = {r.dmsgsim};
  for (const std::string& word : shard_words(r, "{}")) words.push_back(word);
  const std::string run = shell_line(words) + " > " + shell_word(r.out_dir + "/") + "{}.jsonl";
  return fmt::format(
      "mkdir -p {out} {artifacts} && parallel --jobs 1 --sshlogin {hosts} --joblog {log} {run} ::: {shards}"
      " ; {dmsgsim} sweep merge --json {out}/*.jsonl > {merged}\n",
      fmt::arg("out", shell_word(r.out_dir)), fmt::arg("artifacts", shell_word(r.artifacts)),
      fmt::arg("hosts", shell_word(hosts)), fmt::arg("log", shell_word(r.out_dir + "/parallel.log")),
      fmt::arg("run", shell_word(run)), fmt::arg("shards", joined(shard_args)),
      fmt::arg("dmsgsim", shell_word(r.dmsgsim)), fmt::arg("merged", shell_word(r.out_dir + "/merged.json")));
}

}  // namespace scenarios::sweep
