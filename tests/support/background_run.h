// A dmsgsim run in the background, whose standard error is read line by line, so a test can
// signal it once it is under way (the SIGINT and SIGTERM tests of long commands).
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace test_support {

struct Background {
  pid_t pid = -1;
  std::FILE* err = nullptr;
};

// Starts `dmsgsim ARGS`, its standard error piped to the test, its standard output dropped.
Background start_dmsgsim(const std::vector<std::string>& args);

// Waits for a line of standard error holding `marker` (the run is under way, its handlers
// installed), sends `signal_number`, reads the rest, and returns the exit code.
int interrupt_when_running(Background& run, int signal_number, const std::string& marker);
// The same, once `ready` says so after a line (it sees each line of standard error).
int signal_when(Background& run, int signal_number, const std::function<bool(const std::string&)>& ready);

}  // namespace test_support
