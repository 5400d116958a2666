// fork and exec of /proc/self/exe, poll over the children's pipes, waitpid without blocking.
#include "scenarios/sweep/child_pool.h"

#include "scenarios/cli/wall_clock.h"
#include "sim/assert.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>

namespace scenarios::sweep {
namespace {

constexpr size_t kErrTailBytes = 16 << 10;

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

ChildPool::ChildPool(size_t max_running) : max_running_(max_running) { SIM_ASSERT(max_running > 0); }

ChildPool::~ChildPool() { kill_all(); }

uint64_t ChildPool::start(const std::vector<std::string>& words, int64_t limit_ns) {
  SIM_ASSERT(has_room());
  int out_pipe[2];
  int err_pipe[2];
  SIM_ASSERT_MSG(pipe2(out_pipe, O_CLOEXEC) == 0 && pipe2(err_pipe, O_CLOEXEC) == 0, "pipe2 failed");
  std::vector<std::string> argv_words = {"dmsgsim"};
  argv_words.insert(argv_words.end(), words.begin(), words.end());
  std::vector<char*> argv;
  for (std::string& w : argv_words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  SIM_ASSERT_MSG(pid >= 0, "fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so the group exists before any kill of it
  close(out_pipe[1]);
  close(err_pipe[1]);
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  Child child;
  child.pid = pid;
  child.out_fd = out_pipe[0];
  child.err_fd = err_pipe[0];
  child.started_ns = cli::wall_now_ns();
  child.deadline_ns = child.started_ns + limit_ns;
  const uint64_t ticket = next_ticket_++;
  children_.emplace(ticket, std::move(child));
  return ticket;
}

void ChildPool::read_available(Child& child) {
  char buffer[1 << 16];
  for (int* fd : {&child.out_fd, &child.err_fd}) {
    while (*fd >= 0) {
      const ssize_t n = read(*fd, buffer, sizeof buffer);
      if (n > 0) {
        std::string& to = fd == &child.out_fd ? child.end.out : child.end.err_tail;
        to.append(buffer, static_cast<size_t>(n));
        if (fd == &child.err_fd && to.size() > 2 * kErrTailBytes) to.erase(0, to.size() - kErrTailBytes);
        if (static_cast<size_t>(n) < sizeof buffer) break;  // drained for now
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      close_fd(*fd);  // end of file (or an error: nothing more will come)
    }
  }
}

void ChildPool::reap(Child& child, bool block) {
  if (child.exited) return;
  int status = 0;
  pid_t got;
  do {
    got = waitpid(child.pid, &status, block ? 0 : WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got == child.pid) {
    child.exited = true;
    child.status = status;
  }
}

std::vector<std::pair<uint64_t, ChildEnd>> ChildPool::collect(int wait_ms) {
  std::vector<pollfd> fds;
  for (auto& [ticket, child] : children_) {
    for (const int fd : {child.out_fd, child.err_fd}) {
      if (fd >= 0) fds.push_back(pollfd{fd, POLLIN, 0});
    }
  }
  // A child whose pipes closed is only waited for: poll on nothing sleeps the wait out.
  poll(fds.data(), fds.size(), wait_ms);  // EINTR (a signal for the sweep) is one more round
  std::vector<std::pair<uint64_t, ChildEnd>> ended;
  const int64_t now = cli::wall_now_ns();
  for (auto it = children_.begin(); it != children_.end();) {
    Child& child = it->second;
    read_available(child);
    reap(child, /*block=*/false);
    if (!child.exited && now > child.deadline_ns) {
      kill(-child.pid, SIGKILL);
      child.end.timed_out = true;
      reap(child, /*block=*/true);
    }
    if (child.exited && child.end.timed_out) {
      close_fd(child.out_fd);  // a grandchild may hold the pipes: do not wait for them
      close_fd(child.err_fd);
    }
    if (!child.exited || child.out_fd >= 0 || child.err_fd >= 0) {
      ++it;
      continue;
    }
    child.end.wall_ns = now - child.started_ns;
    if (WIFEXITED(child.status)) child.end.exit_code = WEXITSTATUS(child.status);
    if (WIFSIGNALED(child.status)) child.end.signal = WTERMSIG(child.status);
    if (child.end.err_tail.size() > kErrTailBytes)
      child.end.err_tail.erase(0, child.end.err_tail.size() - kErrTailBytes);
    ended.emplace_back(it->first, std::move(child.end));
    it = children_.erase(it);
  }
  return ended;
}

void ChildPool::kill_all() {
  for (auto& [ticket, child] : children_) {
    if (!child.exited) kill(-child.pid, SIGKILL);
    reap(child, /*block=*/true);
    close_fd(child.out_fd);
    close_fd(child.err_fd);
  }
  children_.clear();
}

}  // namespace scenarios::sweep
