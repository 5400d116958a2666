// A sweep spread over existing engines: a Slurm job array with its merge as a dependent
// job, or a GNU parallel command line over ssh hosts. Each shard is one array task or one
// parallel job, writing its JSON lines to a file of its own.
#pragma once

#include "scenarios/sweep/plan.h"

#include <string>
#include <vector>

namespace scenarios::sweep {

struct EmitRequest {
  SweepSpec spec;             // its shard is ignored: every shard is emitted
  std::string dmsgsim;        // the binary's absolute path, as the nodes see it
  std::string out_dir;        // absolute: the shards' outputs, the merge's result
  std::string artifacts;      // absolute: the failing runs' folders, shared by the shards
  size_t jobs_per_shard = 1;  // children at once in each shard (Slurm: --cpus-per-task)
  int64_t timeout_ns = 0;     // each run's wall-time limit
  uint32_t double_check_percent = 0;
  bool shrink = false;
  uint32_t array_limit = 0;        // Slurm: array tasks at once (0: all)
  std::vector<std::string> hosts;  // parallel: ssh logins (":" is this host)
};

// The words of one shard's sweep after "dmsgsim", with SHARD standing for its index.
std::vector<std::string> shard_words(const EmitRequest& request, const std::string& shard);

// A bash script that submits the array (one task per shard, at most array_limit at once,
// --output one file per task) and the merge with --dependency=afterany, then prints both job
// ids. The array's own script is in it, with its #SBATCH lines.
std::string slurm_script(const EmitRequest& request);

// A GNU parallel command line: one job per shard over the hosts (--sshlogin), a job log,
// each shard's output into out_dir, then the merge.
std::string parallel_command(const EmitRequest& request);

}  // namespace scenarios::sweep
