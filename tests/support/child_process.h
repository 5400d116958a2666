// Running the test executable again in a child process, and child modes to run there.
#pragma once

#include <string>
#include <vector>

namespace test_support {

struct ChildResult {
  int exit_code = -1;  // the exit status, or 128 + signal number when killed
  std::string output;  // stdout and stderr together
};

// Runs this test executable with `--child MODE ARGS...` and collects what it prints.
ChildResult run_child(const std::string& mode, const std::vector<std::string>& args);

using ChildMode = int (*)(const std::vector<std::string>& args);

// Registers a child mode. Test files register theirs with a file-scope
// ChildModeRegistration, which is safe here: test sources are linked directly into their
// executable, never through a static library that could drop the initializer.
struct ChildModeRegistration {
  ChildModeRegistration(const char* name, ChildMode mode);
};

// Runs a registered child mode (exit code 2 for an unknown one).
int run_child_mode(const std::string& name, const std::vector<std::string>& args);

}  // namespace test_support
