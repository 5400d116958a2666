// Wall-clock time for benchmarks and progress lines only: never read by the simulation.
#pragma once

#include <cstdint>

namespace scenarios::cli {

// Nanoseconds from a monotonic clock. The one wall clock of the simulated code folders,
// allowlisted in the determinism lint: what it returns is printed, never fed to a world.
int64_t wall_now_ns();

}  // namespace scenarios::cli
