// dmsgsim shrink as a user runs it: the table of planted bugs, refusals, budgets,
// signals, determinism, and a transfer run's faults and knobs.
#include "tests/support/background_run.h"
#include "tests/support/dmsgsim_process.h"
#include "tests/support/test_main.h"

#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/json_value.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

namespace {

using test_support::DmsgsimRun;
using test_support::run_dmsgsim;
using test_support::scratch_path;

constexpr uint64_t kSeeds = 20;
constexpr uint64_t kMaxRuns = 500;

std::string dense_config() { return std::string(DMSGSIM_SOURCE_ROOT) + "/configs/chaos-backlog-dense.json"; }

// The failing trace of `bug` at its first failing seed among 1-20, in a fresh folder.
std::string first_failing_trace(const std::string& bug, const std::string& extra_args) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const std::string dir = scratch_path(fmt::format("shrink-{}-{}", bug, seed));
    std::filesystem::remove_all(dir);
    const DmsgsimRun run =
        run_dmsgsim(fmt::format("chaos --seed {} --plant-bug {} {} --artifacts {}", seed, bug, extra_args, dir));
    if (run.exit_code == 1) return dir + "/run.trace";
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
  }
  FAIL("planted bug " << bug << " fails no seed of 1-" << kSeeds);
  return "";
}

// A small world (1 server, 4 clients, 60 s of faults) whose seed 11 fails: cheap runs for the
// tests of the command itself, which sanitizer builds run too.
constexpr std::string_view kSmallFailing =
    "--seed 11 --servers 1 --clients 4 --streams 10 --duration 60s --plant-bug server-keeps-other-leg";

std::string small_failing_trace(const std::string& name) {
  const std::string dir = scratch_path("shrink-small-" + name);
  std::filesystem::remove_all(dir);
  const DmsgsimRun run = run_dmsgsim(fmt::format("chaos {} --artifacts {}", kSmallFailing, dir));
  INFO(run.output);
  REQUIRE(run.exit_code == 1);
  return dir + "/run.trace";
}

sim::JsonValue parsed(const std::string& text) {
  sim::Result<sim::JsonValue> json = sim::parse_json(text);
  INFO(text);
  REQUIRE(json.ok());
  return std::move(json).value();
}

const sim::JsonValue& member(const sim::JsonValue& json, const std::string& pointer) {
  sim::Result<const sim::JsonValue*> value = json.at_pointer(pointer);
  INFO(pointer);
  REQUIRE(value.ok());
  return **value;
}

uint64_t number(const sim::JsonValue& json, const std::string& pointer) {
  return std::stoull(member(json, pointer).scalar());
}

// A string's text, or a literal's (true, false, null) as JSON writes it.
std::string text(const sim::JsonValue& json, const std::string& pointer) {
  const sim::JsonValue& value = member(json, pointer);
  return value.kind() == sim::JsonValue::Kind::kString ? value.scalar() : value.to_text();
}

// The fingerprint `replay --json` re-derives from a trace.
std::string replayed_fingerprint(const std::string& trace) {
  const DmsgsimRun replay = run_dmsgsim("replay --json " + trace);
  INFO(replay.output);
  REQUIRE(replay.exit_code == 0);  // verified: the verdict is in the output
  const sim::JsonValue json = parsed(replay.output);
  CHECK(text(json, "/replay") == "verified");
  return text(json, "/fingerprint");
}

struct Shrunk {
  sim::JsonValue report;
  std::string out;
};

Shrunk shrink(const std::string& trace, const std::string& extra_args = "") {
  const std::string out = trace + ".shrunk";
  const DmsgsimRun run = run_dmsgsim(fmt::format("shrink {} --out {} --json {}", trace, out, extra_args));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  return {parsed(run.output), out};
}

// Shrinks the bug's first failing run within 500 runs; the result replays to the original's
// fingerprint. Returns the report.
sim::JsonValue shrink_planted(const std::string& bug, const std::string& extra_args = "") {
  const std::string trace = first_failing_trace(bug, extra_args);
  const std::string fingerprint = replayed_fingerprint(trace);
  const Shrunk shrunk = shrink(trace, fmt::format("--max-runs {}", kMaxRuns));
  INFO(shrunk.report.to_text());
  CHECK(text(shrunk.report, "/fingerprint") == fingerprint);
  CHECK(text(shrunk.report, "/replay") == "verified");
  CHECK(number(shrunk.report, "/runs") <= kMaxRuns);
  CHECK(replayed_fingerprint(shrunk.out) == fingerprint);
  return shrunk.report;
}

}  // namespace

// The bug needs no fault at all: its client never looks again, so a server whose entry was
// not listed at its first look is never reached, and the reconnect bound catches it.
TEST_CASE("shrink: client-never-reconnects: no input left, a few clients") {
  const sim::JsonValue report = shrink_planted("client-never-reconnects");
  INFO(report.to_text());
  CHECK(number(report, "/after/inputs") == 0);
  CHECK(number(report, "/after/clients") <= 2);
  CHECK(number(report, "/after/servers") <= 5);
}

TEST_CASE("shrink: server-keeps-other-leg: 1 server, 2 clients, a dial and stopping one end") {
  const sim::JsonValue report = shrink_planted("server-keeps-other-leg");
  INFO(report.to_text());
  CHECK(number(report, "/after/inputs") <= 6);
  CHECK(number(report, "/after/servers") == 1);
  CHECK(number(report, "/after/clients") == 2);
}

TEST_CASE("shrink: backlog-never-rejects: 21 dials to a listener that never accepts") {
  const sim::JsonValue report = shrink_planted("backlog-never-rejects", "--config " + dense_config());
  INFO(report.to_text());
  CHECK(number(report, "/after/inputs") <= 25);
}

// The target (at most 6 inputs) is not met: this failure needs the 64th chunk the
// server relays to be whole records of a dialer's side, and which chunk that is depends on
// every byte through the server, so each step toward the 4-input run that exists changes
// it (README, "Shrink"). The bound below is what the shrinker reaches, kept so that it does
// not get worse.
TEST_CASE("shrink: relay-drops-chunk: most of the run goes") {
  const sim::JsonValue report = shrink_planted("relay-drops-chunk");
  INFO(report.to_text());
  CHECK(number(report, "/before/inputs") >= 100);
  CHECK(number(report, "/after/inputs") <= 20);
  CHECK(number(report, "/after/clients") < number(report, "/before/clients"));
}

TEST_CASE("shrink: command: a passing, unreadable or forked trace, or no budget, is refused with exit 2") {
  const std::string passing = scratch_path("shrink-passing.trace");
  REQUIRE(run_dmsgsim("run --scenario demo --ticks 100 --trace " + passing).exit_code == 0);
  const DmsgsimRun refused = run_dmsgsim("shrink " + passing);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.output, Catch::Contains("passes: there is no failure to shrink"));
  const std::string garbage = scratch_path("shrink-garbage.trace");
  REQUIRE(sim::write_file(garbage, sim::Bytes{'n', 'o', 'p', 'e'}));
  const DmsgsimRun unreadable = run_dmsgsim("shrink " + garbage);
  CHECK(unreadable.exit_code == 2);
  CHECK_THAT(unreadable.output, Catch::Contains(garbage));
  CHECK(run_dmsgsim("shrink " + scratch_path("no-such.trace")).exit_code == 2);
  const DmsgsimRun no_budget = run_dmsgsim("shrink " + passing + " --max-runs 0");
  CHECK(no_budget.exit_code == 2);
  CHECK_THAT(no_budget.output, Catch::Contains("--max-runs 0"));
  const DmsgsimRun no_time = run_dmsgsim("shrink " + passing + " --max-time 0s");
  CHECK(no_time.exit_code == 2);
  const DmsgsimRun itself = run_dmsgsim("shrink " + passing + " --out " + passing);
  CHECK(itself.exit_code == 2);
  std::remove(passing.c_str());
  std::remove(garbage.c_str());
}

namespace {

// A transfer run that fails on lossy for its faults: a crash that is never undone.
std::string failing_transfer() {
  const std::string trace = scratch_path("shrink-transfer.trace");
  const DmsgsimRun run = run_dmsgsim(
      "run --scenario transfer --profile lossy --fault '300ms loss-burst 1/2 1s' --fault '400ms clog a1 2s' "
      "--fault '500ms crash a0' --fault '600ms partition a1|b1' --fault '5s heal' --trace " +
      trace);
  INFO(run.output);
  REQUIRE(run.exit_code == 1);
  return trace;
}

}  // namespace

TEST_CASE("shrink: command: a transfer run's faults shrink, and its knobs go to calm") {
  const std::string trace = failing_transfer();
  const Shrunk shrunk = shrink(trace);
  INFO(shrunk.report.to_text());
  CHECK(text(shrunk.report, "/fingerprint") == "scenario/transfer:transfers_complete:-");
  CHECK(number(shrunk.report, "/after/inputs") == 1);
  CHECK(text(shrunk.report, "/after/profile") == "calm");
  CHECK(text(shrunk.report, "/inputs/0/input") == "0ns kill a0");
  CHECK(text(shrunk.report, "/minimal") == "true");
  CHECK(replayed_fingerprint(shrunk.out) == "scenario/transfer:transfers_complete:-");
  std::remove(shrunk.out.c_str());
  std::remove(trace.c_str());
}

TEST_CASE("shrink: command: the same trace shrinks to the same bytes twice with --max-runs") {
  const std::string trace = small_failing_trace("twice");
  const DmsgsimRun first = run_dmsgsim(fmt::format("shrink {} --max-runs 30 --out {}.a", trace, trace));
  const DmsgsimRun second = run_dmsgsim(fmt::format("shrink {} --max-runs 30 --out {}.b", trace, trace));
  REQUIRE(first.exit_code == 0);
  REQUIRE(second.exit_code == 0);
  const sim::Result<sim::Bytes> a = sim::read_file(trace + ".a");
  const sim::Result<sim::Bytes> b = sim::read_file(trace + ".b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
}

TEST_CASE("shrink: command: out of budget or interrupted, it writes the best run so far, not minimal") {
  const std::string trace = small_failing_trace("budget");
  const std::string fingerprint = replayed_fingerprint(trace);
  const Shrunk budget = shrink(trace, "--max-runs 6");
  INFO(budget.report.to_text());
  CHECK(text(budget.report, "/minimal") == "false");
  CHECK_THAT(text(budget.report, "/stopped"), Catch::Contains("runs"));
  CHECK(replayed_fingerprint(budget.out) == fingerprint);
  const Shrunk no_time = shrink(trace, "--max-time 1ms");
  CHECK(text(no_time.report, "/minimal") == "false");
  CHECK_THAT(text(no_time.report, "/stopped"), Catch::Contains("time budget"));
  CHECK(replayed_fingerprint(no_time.out) == fingerprint);
  // SIGINT once it is under way (the default world's run: long enough to be signalled):
  // exit 130, and a trace that replays to the same failure.
  const std::string big = first_failing_trace("server-keeps-other-leg", "");
  const std::string out = big + ".interrupted";
  test_support::Background run = test_support::start_dmsgsim({"shrink", big, "--out", out, "--progress"});
  CHECK(test_support::interrupt_when_running(run, SIGINT, "shrink: ") == 130);
  CHECK(replayed_fingerprint(out) == replayed_fingerprint(big));
}

TEST_CASE("shrink: command: chaos --shrink shrinks a failure into its folder, and failure.json says how") {
  const std::string dir = scratch_path("shrink-at-once");
  std::filesystem::remove_all(dir);
  const DmsgsimRun run = run_dmsgsim(fmt::format("chaos {} --shrink --artifacts {}", kSmallFailing, dir));
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::Contains(fmt::format("shrink: dmsgsim shrink {}/run.trace", dir)));
  CHECK_THAT(run.output, Catch::Contains("minimal: yes"));
  CHECK(replayed_fingerprint(dir + "/run.min.trace") == replayed_fingerprint(dir + "/run.trace"));
  const sim::Result<sim::Bytes> failure = sim::read_file(dir + "/failure.json");
  REQUIRE(failure.ok());
  const sim::JsonValue json = parsed(std::string(failure->begin(), failure->end()));
  CHECK(text(json, "/commands/shrink") == fmt::format("dmsgsim shrink {}/run.trace", dir));
  std::filesystem::remove_all(dir);
}
