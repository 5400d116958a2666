// The OS-randomness guard of the test main, and the deterministic log's filter.
#include "sim/log.h"
#include "tests/sim/world_fixture.h"
#include "tests/support/child_process.h"

#include <sodium.h>
#include <catch2/catch.hpp>

namespace {

int call_randombytes(const std::vector<std::string>&) {
  (void)randombytes_random();
  return 0;
}

const test_support::ChildModeRegistration randombytes_mode("call-randombytes", &call_randombytes);

}  // namespace

TEST_CASE("sim: randomness guard: any call to libsodium's randombytes aborts loudly") {
  const test_support::ChildResult child = test_support::run_child("call-randombytes", {});
  CHECK(child.exit_code != 0);
  CHECK_THAT(child.output, Catch::Contains("OS randomness used (randombytes_random)"));
}

TEST_CASE("sim: log: filters by default level and per component") {
  const sim::Result<sim::LogFilter> filter = sim::LogFilter::parse("warn,net=debug,dmsg=off");
  REQUIRE(filter.ok());
  CHECK(filter->allows("net", sim::LogLevel::kDebug));
  CHECK_FALSE(filter->allows("net", sim::LogLevel::kTrace));
  CHECK_FALSE(filter->allows("dmsg", sim::LogLevel::kError));
  CHECK(filter->allows("sim", sim::LogLevel::kWarn));
  CHECK_FALSE(filter->allows("sim", sim::LogLevel::kInfo));
  CHECK_FALSE(sim::LogFilter::parse("loud").ok());
  CHECK_FALSE(sim::LogFilter::parse("net=").ok());
  CHECK_FALSE(sim::LogFilter::parse("").ok());
  CHECK_THAT(sim::LogFilter::parse("net=verbose").error().message, Catch::Contains("net=verbose"));
}

TEST_CASE("sim: log: lines carry virtual time and node, and logging never changes the chain") {
  sim::Log log(sim::LogFilter::parse("trace").value(), nullptr, /*capture=*/true);
  auto logged = test_sim::make_demo_world(21, &log);
  auto silent = test_sim::make_demo_world(21);
  logged->run_ticks(100);
  silent->run_ticks(100);
  CHECK(logged->chain_hash() == silent->chain_hash());
  REQUIRE_FALSE(log.captured().empty());
  CHECK_THAT(log.captured().front(), Catch::StartsWith("     0.000000000s node 0    demo"));
  sim::Log window(sim::LogFilter::parse("trace").value(), nullptr, true);
  window.set_window(sim::Instant::from_ns(20'000'000), sim::Instant::from_ns(30'000'000));
  auto windowed = test_sim::make_demo_world(21, &window);
  windowed->run_ticks(100);
  REQUIRE_FALSE(window.captured().empty());
  CHECK(window.captured().size() < log.captured().size());
  CHECK_THAT(window.captured().front(), Catch::StartsWith("     0.02"));
}

TEST_CASE("sim: log: a named node goes by its name, and its aliases in messages too") {
  sim::ActorNames names;
  names.name(static_cast<sim::ActorId>(2), "s0");
  names.name(static_cast<sim::ActorId>(3), "c12");
  names.alias("e14bcf13", "s0");
  const sim::LogLine line{sim::Instant::from_ns(1'500'000'000), static_cast<sim::ActorId>(3), "client",
                          sim::LogLevel::kInfo, "session to e14bcf13 ended; xe14bcf13 and e14bcf130 are other words"};
  CHECK(sim::format_log_line(line, names) ==
        "     1.500000000s c12       client     info  session to s0 ended; xe14bcf13 and e14bcf130 are other words");
  const sim::LogLine unnamed{sim::Instant::zero(), static_cast<sim::ActorId>(7), "net", sim::LogLevel::kWarn, "x"};
  CHECK_THAT(sim::format_log_line(unnamed, names), Catch::Contains(" node 7    net "));
  const sim::LogLine world_line{sim::Instant::zero(), std::nullopt, "input", sim::LogLevel::kInfo, "0s crash s0"};
  CHECK_THAT(sim::format_log_line(world_line, names), Catch::Contains(" world     input "));
  CHECK(names.find("c12") == static_cast<sim::ActorId>(3));
  CHECK_FALSE(names.find("c1").has_value());
  CHECK(names.label(static_cast<sim::ActorId>(9)) == "actor 9");
  CHECK(names.list() == "s0, c12");
}
