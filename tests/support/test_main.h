// Shared by every test executable: our own flags on top of Catch2's, and the guard
// against OS randomness.
#pragma once

#include <string>

namespace test_support {

// True when the tests were asked to rewrite golden files (--update-golden).
bool update_golden();

// The path of the running test executable, to re-invoke it in a child process.
const std::string& self_executable();

}  // namespace test_support
