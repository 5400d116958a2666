// Running the dmsgsim binary as a user does, for tests of the command line.
#pragma once

#include <string>

namespace test_support {

struct DmsgsimRun {
  int exit_code = -1;  // the exit status, or 128 + signal number when killed
  std::string output;  // standard output and standard error together
};

// Runs `dmsgsim ARGS` (a shell word list; quote what needs quoting) with `input` on standard
// input. The binary's path comes from the DMSGSIM_BINARY variable that meson sets.
DmsgsimRun run_dmsgsim(const std::string& args, const std::string& input = "", const std::string& folder = ".");

// The path of the dmsgsim binary under test.
std::string dmsgsim_binary();

// Runs a shell command line and collects its standard output and error together.
DmsgsimRun run_shell(const std::string& command_line);

// A path for a scratch file of this test process, under the temporary folder.
std::string scratch_path(const std::string& name);

}  // namespace test_support
