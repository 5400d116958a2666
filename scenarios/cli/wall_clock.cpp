// A monotonic wall clock for benchmarks.
#include "scenarios/cli/wall_clock.h"

#include <chrono>

namespace scenarios::cli {

int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace scenarios::cli
