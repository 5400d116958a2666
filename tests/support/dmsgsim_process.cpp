// Running the dmsgsim binary for command-line tests.
#include "tests/support/dmsgsim_process.h"

#include "tests/support/test_main.h"

#include "sim/fmt.h"

#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace test_support {

std::string scratch_path(const std::string& name) {
  return fmt::format("{}/dmsgsim-test-{}-{}", P_tmpdir, ::getpid(), name);
}

// DMSGSIM_BINARY when meson runs the test; otherwise (a test executable run by hand) the
// dmsgsim of the build the executable belongs to, found in a folder above it.
std::string dmsgsim_binary() {
  if (const char* binary = std::getenv("DMSGSIM_BINARY")) return binary;
  std::filesystem::path dir = std::filesystem::path(self_executable()).parent_path();
  for (; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    std::error_code error;
    if (std::filesystem::is_regular_file(dir / "dmsgsim", error)) return (dir / "dmsgsim").string();
  }
  FAIL("no dmsgsim binary: set DMSGSIM_BINARY or run the test executable from its build folder");
  return "";
}

DmsgsimRun run_dmsgsim(const std::string& args, const std::string& input, const std::string& folder) {
  const std::string binary = dmsgsim_binary();
  const std::string input_path = scratch_path("stdin");
  {
    std::ofstream file(input_path, std::ios::binary);
    file << input;
  }
  DmsgsimRun run = run_shell(fmt::format("cd '{}' && {} {} < {}", folder, binary, args, input_path));
  std::remove(input_path.c_str());
  return run;
}

DmsgsimRun run_shell(const std::string& command_line) {
  std::FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  DmsgsimRun run;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, got);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

}  // namespace test_support
