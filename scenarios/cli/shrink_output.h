// What `dmsgsim shrink` prints: the table of passes and sizes, the explanation of the
// result, as text or as one JSON object.
#pragma once

#include "scenarios/cli/commands.h"
#include "scenarios/shrink/shrinker.h"
#include "sim/time.h"

#include <cstdio>
#include <optional>
#include <string>

namespace scenarios::cli {

// A shrink as the command reports it.
struct ShrinkReport {
  std::string trace_path;
  std::string out_path;
  const shrink::ShrinkResult* result = nullptr;
  std::optional<uint64_t> first_failing_tick;  // where the shrunk run's failure first held
  std::string replay;                          // "verified", or what the replay found instead
  int64_t wall_ns = 0;
};

void print_shrink_text(std::FILE* out, const ShrinkReport& report);
void print_shrink_json(std::FILE* out, const ShrinkReport& report);

// What to shrink, and within what budget (`dmsgsim shrink`'s options).
struct ShrinkRequest {
  std::string trace;
  std::string out;
  uint64_t max_runs = 2000;
  std::optional<sim::Duration> max_time;
  bool json = false;
  bool progress = false;
};

// Shrinks `request.trace` into `request.out` and prints the report on io.out; returns the
// exit code of `dmsgsim shrink` (`chaos --shrink` calls it on its failure's trace).
int shrink_trace(const ShrinkRequest& request, const Io& io);

}  // namespace scenarios::cli
