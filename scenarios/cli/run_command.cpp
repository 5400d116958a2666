// `dmsgsim run`: build a scenario from a seed, run it, print its hashes and checks.
#include "scenarios/actor_types.h"
#include "scenarios/cli/commands.h"
#include "scenarios/scenario.h"
#include "sim/json_writer.h"
#include "sim/world.h"

#include <fmt/format.h>
#include <unistd.h>

#include <memory>

namespace scenarios::cli {
namespace {

constexpr std::string_view kRunHelp = R"(usage: dmsgsim run [--scenario NAME] [--seed N] [--ticks N] [--tick DURATION]
                    [--json] [--log FILTER] [--list]

Builds a scenario's world from a seed, runs it for a number of ticks, and prints the
state hash and hash chain at the end with the scenario's checks.

  --scenario NAME   scenario to run (default: demo); --list shows them all
  --seed N          world seed, decimal or 0x hex (default: 1)
  --ticks N         ticks to run (default: the scenario's own)
  --tick DURATION   virtual time per tick, with a unit (default: 1ms)
  --json            print one JSON object instead of text
  --log FILTER      deterministic log to stderr, e.g. info or warn,demo=trace
  --list            list the scenarios and exit

Exit codes: 0 the scenario passed, 1 it failed, 2 bad arguments.
)";

constexpr uint64_t kDefaultSeed = 1;

struct RunOptions {
  const ScenarioInfo* scenario = nullptr;
  uint64_t seed = kDefaultSeed;
  uint64_t ticks = 0;
  sim::Duration tick = sim::Duration::milliseconds(1);
  bool json = false;
  std::optional<sim::LogFilter> log_filter;
};

struct RunReport {
  uint64_t events = 0;
  uint64_t state_hash = 0;
  uint64_t chain_hash = 0;
  ScenarioOutcome outcome;
};

void print_list(const Io& io) {
  fmt::print(io.out, "scenarios:\n");
  for (const ScenarioInfo& info : scenario_catalog()) {
    fmt::print(io.out, "  {:<12} {}\n", info.name, info.description);
  }
}

std::string reproduce_command(const RunOptions& options) {
  return fmt::format("dmsgsim run --scenario {} --seed 0x{:016x} --ticks {} --tick {}", options.scenario->name,
                     options.seed, options.ticks, options.tick);
}

// A progress line on an interactive terminal only, so logs and pipes stay clean.
class Progress {
 public:
  Progress(const Io& io, uint64_t total)
      : io_(io), total_(total), enabled_(isatty(fileno(io.err)) != 0 && total >= 100'000) {}
  void update(uint64_t done) {
    if (enabled_ && done % 10'000 == 0) fmt::print(io_.err, "\rtick {}/{}", done, total_);
  }
  ~Progress() {
    if (enabled_) fmt::print(io_.err, "\r\033[K");
  }

 private:
  const Io& io_;
  uint64_t total_;
  bool enabled_;
};

RunReport execute(const RunOptions& options, const Io& io) {
  std::unique_ptr<sim::Log> log;
  if (options.log_filter) log = std::make_unique<sim::Log>(*options.log_filter, io.err);
  sim::World world(sim::WorldOptions{options.seed, options.tick}, all_actor_types(), log.get());
  options.scenario->build(world);
  Progress progress(io, options.ticks);
  for (uint64_t i = 0; i < options.ticks; ++i) {
    world.run_tick();
    progress.update(i + 1);
  }
  RunReport report;
  report.events = world.events_processed();
  report.state_hash = world.state_hash();
  report.chain_hash = world.chain_hash();
  report.outcome = options.scenario->judge(world);
  return report;
}

void print_json(const RunOptions& options, const RunReport& report, const Io& io) {
  std::string out;
  sim::JsonWriter json(out);
  json.begin_object();
  json("seed", options.seed);
  json.key("scenario");
  json.string(options.scenario->name);
  json.key("ticks");
  json.number(static_cast<int64_t>(options.ticks));
  json.key("tick_ns");
  json.number(options.tick.ns());
  json.key("events");
  json.number(static_cast<int64_t>(report.events));
  json("state_hash", report.state_hash);
  json("chain_hash", report.chain_hash);
  json.key("result");
  json.string(report.outcome.passed ? "pass" : "fail");
  json.key("checks");
  json.begin_array();
  for (const Check& check : report.outcome.checks) {
    json.begin_object();
    json("name", check.name);
    json.key("outcome");
    json.string(check.passed ? "pass" : "fail");
    json("measured", check.measured);
    json("expected", check.expected);
    json.end_object();
  }
  json.end_array();
  if (!report.outcome.passed) json("reproduce", reproduce_command(options));
  json.end_object();
  fmt::print(io.out, "{}\n", out);
}

void print_text(const RunOptions& options, const RunReport& report, const Io& io) {
  fmt::print(io.out, "scenario {}, seed 0x{:016x}, {} ticks of {}\n", options.scenario->name, options.seed,
             options.ticks, options.tick);
  fmt::print(io.out, "events      {}\nstate hash  0x{:016x}\nchain hash  0x{:016x}\n", report.events, report.state_hash,
             report.chain_hash);
  for (const Check& check : report.outcome.checks) {
    fmt::print(io.out, "check {}: {} ({})\n", check.name, check.passed ? "pass" : "FAIL", check.measured);
    if (!check.passed) fmt::print(io.out, "  expected: {}\n", check.expected);
  }
  fmt::print(io.out, "result: {}\n", report.outcome.passed ? "pass" : "FAIL");
  if (!report.outcome.passed) fmt::print(io.out, "reproduce: {}\n", reproduce_command(options));
}

}  // namespace

int run_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kRunHelp);
    return kExitOk;
  }
  const bool list = args.take_flag("list");
  RunOptions options;
  const std::string scenario_name = args.take_value("scenario").value_or(std::string(default_scenario_name()));
  options.scenario = find_scenario(scenario_name);
  if (options.scenario == nullptr)
    args.fail(fmt::format("unknown scenario '{}' (dmsgsim run --list shows them)", scenario_name));
  options.seed = args.take_u64("seed").value_or(kDefaultSeed);
  const std::optional<uint64_t> ticks = args.take_u64("ticks");
  options.tick = args.take_duration("tick").value_or(options.tick);
  if (options.tick <= sim::Duration::zero()) args.fail("--tick must be positive");
  options.json = args.take_flag("json");
  if (std::optional<std::string> filter = args.take_value("log")) {
    sim::Result<sim::LogFilter> parsed = sim::LogFilter::parse(*filter);
    if (parsed) {
      options.log_filter = parsed.value();
    } else {
      args.fail(fmt::format("--log: {}", parsed.error().message));
    }
  }
  if (sim::Status status = args.finish(); !status) return usage_error(io, "run", status.error().message);
  if (list) {
    print_list(io);
    return kExitOk;
  }
  options.ticks = ticks.value_or(options.scenario->default_ticks);
  const RunReport report = execute(options, io);
  if (options.json) {
    print_json(options, report, io);
  } else {
    print_text(options, report, io);
  }
  return report.outcome.passed ? kExitOk : kExitFailed;
}

}  // namespace scenarios::cli
