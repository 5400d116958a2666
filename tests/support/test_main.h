// Shared by every test executable: our own flags on top of Catch2's, and the guard
// against OS randomness.
#pragma once

#include <cstdint>
#include <string>

namespace test_support {

// True when the tests were asked to rewrite golden files (--update-golden).
bool update_golden();

// The path of the running test executable, to re-invoke it in a child process.
const std::string& self_executable();

// The seeds a randomized test runs, inclusive: from --seeds FIRST:LAST, else the default,
// cut to its first N seeds when DMSGSIM_SEEDS_AT_MOST=N is set (the `sanitize` test setup).
// Meson splits long seed ranges over several test() entries with it.
struct SeedRange {
  uint64_t first;
  uint64_t last;  // inclusive, like every seed range of dmsgsim
  uint64_t count() const { return last - first + 1; }
};
SeedRange seeds(uint64_t default_first, uint64_t default_last);

// The command that reruns one seed of the tests `test_spec` selects (a tag like "[brutal]").
std::string reproduce_seed(const std::string& test_spec, uint64_t seed);

}  // namespace test_support
