// Re-invoking the test executable for checks that need a fresh process.
#include "tests/support/child_process.h"

#include "tests/support/test_main.h"

#include <sys/wait.h>

#include <cstdio>
#include <map>

namespace test_support {
namespace {

std::map<std::string, ChildMode>& child_modes() {
  static std::map<std::string, ChildMode> modes;
  return modes;
}

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

ChildModeRegistration::ChildModeRegistration(const char* name, ChildMode mode) { child_modes()[name] = mode; }

int run_child_mode(const std::string& name, const std::vector<std::string>& args) {
  auto it = child_modes().find(name);
  if (it == child_modes().end()) {
    std::fprintf(stderr, "unknown child mode '%s'\n", name.c_str());
    return 2;
  }
  return it->second(args);
}

ChildResult run_child(const std::string& mode, const std::vector<std::string>& args) {
  std::string command = shell_quote(self_executable()) + " --child " + shell_quote(mode);
  for (const std::string& arg : args) command += " " + shell_quote(arg);
  command += " 2>&1";
  ChildResult result;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, got);
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace test_support
