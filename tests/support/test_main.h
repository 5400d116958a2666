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

// The seeds a randomized test runs: [from, to) from --seeds FROM:TO, else the default.
// Meson splits long seed ranges over several test() entries with it.
struct SeedRange {
  uint64_t from;
  uint64_t to;
};
SeedRange seeds(uint64_t default_from, uint64_t default_to);

// The command that reruns one seed of the tests `test_spec` selects (a tag like "[brutal]").
std::string reproduce_seed(const std::string& test_spec, uint64_t seed);

}  // namespace test_support
