// fork, exec of /proc/self/exe, wait4 for the child's resource usage.
#include "scenarios/bench/child_run.h"

#include "scenarios/bench/bench.h"
#include "scenarios/cli/wall_clock.h"
#include "sim/assert.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace scenarios::bench {

ChildRun run_self(const std::vector<std::string>& args) {
  std::vector<std::string> words = {"dmsgsim"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const int64_t start = cli::wall_now_ns();
  const pid_t pid = fork();
  SIM_ASSERT_MSG(pid >= 0, "fork failed");
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  SIM_ASSERT_MSG(wait4(pid, &status, 0, &usage) == pid, "wait4 failed");
  ChildRun run;
  run.wall_s = seconds_since(start);
  run.peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

}  // namespace scenarios::bench
