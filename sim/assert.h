// Always-on assertions that name the file, line, virtual time and seed of the failing run.
#pragma once

#include "sim/fmt.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace sim {

// What an assertion failure reports about the run it happened in. The world that is
// running installs one for the duration of its run (see AssertScope); outside any run
// the failure reports no time and no seed.
struct AssertContext {
  int64_t now_ns = 0;
  uint64_t seed = 0;
};

// Installs `context` as the one reported by assertion failures until destroyed, and
// restores the previous one then (scopes nest, e.g. a world restored inside a test).
class AssertScope {
 public:
  explicit AssertScope(const AssertContext* context);
  ~AssertScope();
  AssertScope(const AssertScope&) = delete;
  AssertScope& operator=(const AssertScope&) = delete;

 private:
  const AssertContext* previous_;
};

[[noreturn]] void assertion_failed(const char* file, int line, std::string_view expression, std::string_view detail);

namespace detail {
template <class A, class B>
std::string describe_operands(const A& a, const B& b) {
  return fmt::format("left: {}, right: {}", a, b);
}
}  // namespace detail

}  // namespace sim

// The condition is evaluated exactly once; never put side effects in it.
#define SIM_ASSERT(condition)                                      \
  do {                                                             \
    if (!(condition)) {                                            \
      ::sim::assertion_failed(__FILE__, __LINE__, #condition, ""); \
    }                                                              \
  } while (false)

#define SIM_ASSERT_MSG(condition, ...)                                                   \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      ::sim::assertion_failed(__FILE__, __LINE__, #condition, fmt::format(__VA_ARGS__)); \
    }                                                                                    \
  } while (false)

#define SIM_ASSERT_CMP_(a, op, b)                                                              \
  do {                                                                                         \
    const auto& sim_assert_a_ = (a);                                                           \
    const auto& sim_assert_b_ = (b);                                                           \
    if (!(sim_assert_a_ op sim_assert_b_)) {                                                   \
      ::sim::assertion_failed(__FILE__, __LINE__, #a " " #op " " #b,                           \
                              ::sim::detail::describe_operands(sim_assert_a_, sim_assert_b_)); \
    }                                                                                          \
  } while (false)

#define SIM_ASSERT_EQ(a, b) SIM_ASSERT_CMP_(a, ==, b)
#define SIM_ASSERT_NE(a, b) SIM_ASSERT_CMP_(a, !=, b)
#define SIM_ASSERT_LT(a, b) SIM_ASSERT_CMP_(a, <, b)
#define SIM_ASSERT_LE(a, b) SIM_ASSERT_CMP_(a, <=, b)
#define SIM_ASSERT_GT(a, b) SIM_ASSERT_CMP_(a, >, b)
#define SIM_ASSERT_GE(a, b) SIM_ASSERT_CMP_(a, >=, b)
#define SIM_UNREACHABLE(...) ::sim::assertion_failed(__FILE__, __LINE__, "unreachable", fmt::format(__VA_ARGS__))
