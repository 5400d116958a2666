// Runs of this dmsgsim binary as child processes, at most N at once, each with a wall-time
// limit: what a sweep isolates its runs with (a crash or hang ends one run, not the sweep).
// Outside the world: wall clocks and processes, never reaching a run's state.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace scenarios::sweep {

struct ChildEnd {
  int exit_code = -1;      // the exit status, or -1 when a signal ended it
  int signal = 0;          // the signal that ended it, or 0
  bool timed_out = false;  // killed for running past its limit
  std::string out;         // everything it wrote to standard output
  std::string err_tail;    // the end of what it wrote to standard error
  int64_t wall_ns = 0;
};

class ChildPool {
 public:
  explicit ChildPool(size_t max_running);
  ~ChildPool();  // kills what still runs: a sweep never leaves children behind
  ChildPool(const ChildPool&) = delete;
  ChildPool& operator=(const ChildPool&) = delete;

  size_t running() const { return children_.size(); }
  bool has_room() const { return children_.size() < max_running_; }
  // Starts `dmsgsim WORDS...` in a process group of its own (a Ctrl-C at the terminal
  // reaches the sweep, which decides, not its children). Returns a ticket for it.
  uint64_t start(const std::vector<std::string>& words, int64_t limit_ns);
  // Waits at most `wait_ms` for children to end; the ones that ended, by ticket. A child past
  // its limit is killed (SIGKILL to its group) and ends timed out.
  std::vector<std::pair<uint64_t, ChildEnd>> collect(int wait_ms);
  // Kills every running child at once and reaps it.
  void kill_all();

 private:
  struct Child {
    pid_t pid = -1;
    int out_fd = -1;
    int err_fd = -1;
    int64_t started_ns = 0;
    int64_t deadline_ns = 0;
    bool exited = false;
    int status = 0;
    ChildEnd end;
  };
  void read_available(Child& child);
  void reap(Child& child, bool block);

  size_t max_running_;
  uint64_t next_ticket_ = 1;
  std::map<uint64_t, Child> children_;
};

}  // namespace scenarios::sweep
