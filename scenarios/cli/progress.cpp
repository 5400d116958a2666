// The progress line.
#include "scenarios/cli/progress.h"

#include "scenarios/cli/wall_clock.h"
#include "sim/fmt.h"

#include <unistd.h>

namespace scenarios::cli {
namespace {

constexpr int64_t kPrintEveryNs = 250'000'000;  // four times a second
constexpr uint64_t kCheckEveryTicks = 1024;     // the wall clock is read this often

// Whole seconds of wall time, for an ETA: "2m05s", "9s".
std::string wall_seconds(int64_t seconds) {
  if (seconds >= 60) return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  return fmt::format("{}s", seconds);
}

}  // namespace

ProgressLine::ProgressLine(const Io& io, bool forced, sim::Duration tick_length, std::optional<sim::Duration> total)
    : io_(io), tick_length_(tick_length), total_(total) {
  on_terminal_ = isatty(fileno(io.err)) != 0;
  enabled_ = forced || on_terminal_;
  started_ns_ = wall_now_ns();
  last_print_ns_ = started_ns_;
}

ProgressLine::~ProgressLine() {
  // On a terminal the line is rewritten in place and cleared at the end; elsewhere each
  // update was its own line.
  if (printed_ && on_terminal_) fmt::print(io_.err, "\r\033[K");
}

void ProgressLine::update(uint64_t tick) {
  if (!enabled_) return;
  if (!has_first_tick_) {
    first_tick_ = tick;
    has_first_tick_ = true;
  }
  if (tick % kCheckEveryTicks != 0) return;
  const int64_t now = wall_now_ns();
  if (now - last_print_ns_ < kPrintEveryNs) return;
  last_print_ns_ = now;
  print(tick, now);
}

void ProgressLine::print(uint64_t tick, int64_t now_ns) {
  const int64_t wall_ns = std::max<int64_t>(now_ns - started_ns_, 1);
  const sim::Duration virtual_time = tick_length_ * static_cast<int64_t>(tick);
  const sim::Duration run_so_far = tick_length_ * static_cast<int64_t>(tick - first_tick_);
  const double ticks_per_s = static_cast<double>(tick - first_tick_) * 1e9 / static_cast<double>(wall_ns);
  const double speedup = static_cast<double>(run_so_far.ns()) / static_cast<double>(wall_ns);
  std::string line = fmt::format("virtual {}", sim::format_duration(virtual_time));
  if (total_) line += fmt::format(" of {}", sim::format_duration(*total_));
  line += fmt::format(", {:.0f} ticks/s, {:.0f}x real time", ticks_per_s, speedup);
  if (total_ && speedup > 0 && *total_ > virtual_time) {
    const double left_s = static_cast<double>((*total_ - virtual_time).ns()) / speedup / 1e9;
    line += fmt::format(", ETA {}", wall_seconds(static_cast<int64_t>(left_s + 0.5)));
  }
  if (on_terminal_) {
    fmt::print(io_.err, "\r\033[K{}", line);
  } else {
    fmt::print(io_.err, "{}\n", line);
  }
  std::fflush(io_.err);
  printed_ = true;
}

}  // namespace scenarios::cli
