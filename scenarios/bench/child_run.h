// Running this dmsgsim binary as a child for a benchmark: its wall time and peak memory,
// which only a process of its own can show (a run's peak RSS, not the benchmark's).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scenarios::bench {

struct ChildRun {
  int exit_code = -1;  // 128 + signal when killed
  double wall_s = 0;
  uint64_t peak_rss_bytes = 0;
};

// Runs `dmsgsim ARGS...` (this executable) with its output discarded.
ChildRun run_self(const std::vector<std::string>& args);

}  // namespace scenarios::bench
