// Benchmark groups of `dmsgsim bench`: wall-clock figures, reported and never asserted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace scenarios::bench {

struct Figure {
  std::string name;  // a JSON key: snake_case with its unit last
  double value = 0;
  std::string unit;  // for people
};

struct Group {
  std::string_view name;
  std::string_view description;
  std::vector<Figure> (*run)();
};

std::vector<Figure> run_sim_group();
std::vector<Figure> run_net_group();
std::vector<Figure> run_trace_group();
std::vector<Figure> run_crypto_group();
std::vector<Figure> run_dmsg_group();
std::vector<Figure> run_chaos_group();
std::vector<Figure> run_shrink_group();

const std::vector<Group>& groups();

// Seconds of wall time since `start_ns` (from cli::wall_now_ns).
double seconds_since(int64_t start_ns);

}  // namespace scenarios::bench
