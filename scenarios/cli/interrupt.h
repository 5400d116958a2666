// Ctrl-C and kill for long runs: the first SIGINT or SIGTERM asks the run to stop at the
// next tick boundary, so it can write what it recorded so far; a second one exits at once.
#pragma once

namespace scenarios::cli {

// Installs the handlers for its lifetime and restores the previous ones after.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Whether a stop was asked for since the guard was installed.
  static bool requested();
  // The exit code of a run stopped by the signal: 130 for SIGINT, 143 for SIGTERM.
  static int exit_code();
};

}  // namespace scenarios::cli
