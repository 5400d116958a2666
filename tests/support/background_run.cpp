// dmsgsim runs in the background, signalled once under way.
#include "tests/support/background_run.h"

#include "tests/support/dmsgsim_process.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

namespace test_support {

Background start_dmsgsim(const std::vector<std::string>& args) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const std::string binary = test_support::dmsgsim_binary();
  std::vector<std::string> words = {binary};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDERR_FILENO);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  return Background{pid, ::fdopen(pipe_fds[0], "r")};
}

int interrupt_when_running(Background& run, int signal_number, const std::string& marker) {
  return signal_when(run, signal_number,
                     [&](const std::string& line) { return line.find(marker) != std::string::npos; });
}

int signal_when(Background& run, int signal_number, const std::function<bool(const std::string&)>& ready) {
  char line[512];
  bool running = false;
  while (!running && std::fgets(line, sizeof line, run.err) != nullptr) running = ready(line);
  REQUIRE(running);
  REQUIRE(::kill(run.pid, signal_number) == 0);
  while (std::fgets(line, sizeof line, run.err) != nullptr) {
  }
  std::fclose(run.err);
  int status = 0;
  REQUIRE(::waitpid(run.pid, &status, 0) == run.pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace test_support
