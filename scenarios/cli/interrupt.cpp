// Signal handling for long runs.
#include "scenarios/cli/interrupt.h"

#include "sim/assert.h"

#include <unistd.h>

#include <csignal>

namespace scenarios::cli {
namespace {

// Written by the handler, read between ticks: the only state a signal handler may touch.
volatile std::sig_atomic_t received_signal = 0;

struct sigaction previous_int;
struct sigaction previous_term;

extern "C" void on_stop_signal(int signal_number) {
  if (received_signal != 0) _exit(128 + signal_number);  // asked twice: leave now
  received_signal = signal_number;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  received_signal = 0;
  struct sigaction action {};
  action.sa_handler = &on_stop_signal;
  sigemptyset(&action.sa_mask);
  SIM_ASSERT(sigaction(SIGINT, &action, &previous_int) == 0);
  SIM_ASSERT(sigaction(SIGTERM, &action, &previous_term) == 0);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

bool InterruptGuard::requested() { return received_signal != 0; }

int InterruptGuard::exit_code() {
  SIM_ASSERT(requested());
  return 128 + received_signal;
}

}  // namespace scenarios::cli
