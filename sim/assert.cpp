// Reports a failed assertion with its run's virtual time and seed, then aborts.
#include "sim/assert.h"

#include <cstdio>
#include <cstdlib>

namespace sim {
namespace {

// The one mutable static of sim/ (allowlisted in the determinism lint): it is read only
// when the process is about to abort, so it never reaches behaviour, a hash or a trace.
const AssertContext* current_context = nullptr;

}  // namespace

AssertScope::AssertScope(const AssertContext* context) : previous_(current_context) { current_context = context; }

AssertScope::~AssertScope() { current_context = previous_; }

void assertion_failed(const char* file, int line, std::string_view expression, std::string_view detail) {
  std::string where = "outside a simulation run";
  if (current_context != nullptr) {
    where = fmt::format("virtual time {} ns, seed 0x{:016x}", current_context->now_ns, current_context->seed);
  }
  std::string message = fmt::format("assertion failed at {}:{}: {} ({})", file, line, expression, where);
  if (!detail.empty()) {
    message += fmt::format("\n  {}", detail);
  }
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace sim
