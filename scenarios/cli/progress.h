// The progress line of long runs on standard error: virtual time, ticks per second, speed-up
// over real time and, when the run's length is known, the time left.
#pragma once

#include "scenarios/cli/commands.h"
#include "sim/time.h"

#include <cstdint>
#include <optional>

namespace scenarios::cli {

class ProgressLine {
 public:
  // Shown when `forced` (--progress) or when standard error is a terminal. `total` is the
  // virtual time the run will take, when known.
  ProgressLine(const Io& io, bool forced, sim::Duration tick_length, std::optional<sim::Duration> total);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Called after every tick; prints at most a few times a second.
  void update(uint64_t tick);

 private:
  void print(uint64_t tick, int64_t now_ns);

  const Io& io_;
  bool enabled_ = false;
  bool on_terminal_ = false;
  bool printed_ = false;
  sim::Duration tick_length_;
  std::optional<sim::Duration> total_;
  int64_t started_ns_ = 0;
  int64_t last_print_ns_ = 0;
  uint64_t first_tick_ = 0;
  bool has_first_tick_ = false;
};

}  // namespace scenarios::cli
