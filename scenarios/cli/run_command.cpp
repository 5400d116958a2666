// `dmsgsim run`: build a scenario from a seed, run it, print its hashes and checks.
#include "net/profile.h"
#include "scenarios/cli/commands.h"
#include "scenarios/replay/trace_session.h"
#include "scenarios/run/runner.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/json_writer.h"

#include <unistd.h>

#include <memory>

namespace scenarios::cli {
namespace {

constexpr std::string_view kRunHelp = R"(usage: dmsgsim run [--seed N] [--profile P] [--json]
       dmsgsim run --scenario NAME [--seed N] [--ticks N] [--tick DURATION]
                    [--profile P] [--fault 'AT KIND ARGS']... [--json] [--log FILTER]
                    [--trace FILE [--snapshot-every N]]
       dmsgsim run --list

Without --scenario: runs the dmsg test plan's six fault scenarios once each and prints a
table (with --json, an array of their results). With --scenario: builds that scenario's
world from a seed, runs it until it finishes (or for --ticks ticks), and prints the state
hash and hash chain at the end with the scenario's checks.

  --scenario NAME   one scenario to run; --list shows them all
  --seed N          world seed, decimal or 0x hex (default: 1)
  --ticks N         run exactly this many ticks (default: until the scenario finishes,
                    at most its own limit)
  --tick DURATION   virtual time per tick, with a unit (default: 1ms)
  --profile P       network fault profile: calm, lossy, hostile, swarm (default: calm)
  --fault SPEC      an external input applied at its time (repeatable), e.g.
                    --fault '2s partition a0|b0' --fault '5s heal'
  --json            print one JSON object instead of text
  --log FILTER      deterministic log to stderr, e.g. info or warn,transfer=debug
  --trace FILE      record the run (configuration, inputs, hash chain, snapshots) for
                    dmsgsim replay, seek, diff, fork and debug
  --snapshot-every N  with --trace: a snapshot every N ticks (default: every 100000
                    ticks and after every 50000 events)
  --list            list the scenarios and profiles, and exit

Exit codes: 0 the scenario (or all six) passed, 1 one failed, 2 bad arguments.
)";

struct RunOptions {
  const ScenarioInfo* scenario = nullptr;
  RunConfig config;
  std::optional<uint64_t> ticks;
  std::vector<FaultInput> faults;
  bool json = false;
  std::optional<sim::LogFilter> log_filter;
  std::optional<std::string> trace_path;
  sim::SnapshotPolicy snapshot_policy = default_snapshot_policy();
};

void print_list(const Io& io) {
  fmt::print(io.out, "scenarios:\n");
  for (const ScenarioInfo& info : scenario_catalog())
    fmt::print(io.out, "  {}\n      {}\n", info.name, info.description);
  fmt::print(io.out, "profiles:\n");
  for (const net::ProfileInfo& info : net::profile_catalog())
    fmt::print(io.out, "  {:<12} {}\n", info.name, info.description);
  fmt::print(io.out, "fault inputs (--fault):\n  {}\n", fault_syntax_help());
}

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string reproduce_command(const RunOptions& options, const RunReport& report) {
  std::string command = fmt::format("dmsgsim run --scenario {} --seed 0x{:016x} --ticks {} --tick {}",
                                    options.scenario->name, options.config.seed, report.ticks, options.config.tick);
  if (options.scenario->has_network) command += fmt::format(" --profile {}", options.config.profile);
  for (const FaultInput& fault : options.faults) command += " --fault " + shell_quote(fault.text);
  return command;
}

// A progress line on an interactive terminal only, so logs and pipes stay clean.
class Progress {
 public:
  explicit Progress(const Io& io) : io_(io), enabled_(isatty(fileno(io.err)) != 0) {}
  void update(uint64_t tick) {
    if (enabled_ && tick % 50'000 == 0 && tick > 0) fmt::print(io_.err, "\rtick {}", tick);
  }
  ~Progress() {
    if (enabled_) fmt::print(io_.err, "\r\033[K");
  }

 private:
  const Io& io_;
  bool enabled_;
};

std::string json_report(const RunOptions& options, const RunReport& report) {
  std::string out;
  sim::JsonWriter json(out);
  json.begin_object();
  json("seed", options.config.seed);
  json.key("scenario");
  json.string(options.scenario->name);
  if (options.scenario->has_network) {
    json.key("profile");
    json.string(options.config.profile);
    json.key("profile_details");
    json.string(report.profile);
  }
  json.key("ticks");
  json.number(static_cast<int64_t>(report.ticks));
  json.key("tick_ns");
  json.number(options.config.tick.ns());
  json.key("events");
  json.number(static_cast<int64_t>(report.events));
  json("state_hash", report.state_hash);
  json("chain_hash", report.chain_hash);
  json.key("result");
  json.string(report.outcome.passed ? "pass" : "fail");
  for (const Stat& stat : report.outcome.stats) {
    json.key(stat.name);
    json.number(stat.value);
  }
  json.key("checks");
  json.begin_array();
  for (const Check& check : report.outcome.checks) {
    json.begin_object();
    json("name", check.name);
    json.key("outcome");
    json.string(check.passed ? "pass" : "fail");
    json("measured", check.measured);
    json.key("value");
    json.number(check.value);
    json("expected", check.expected);
    json.end_object();
  }
  json.end_array();
  if (!report.outcome.passed) json("reproduce", reproduce_command(options, report));
  json.end_object();
  return out;
}

void print_json(const RunOptions& options, const RunReport& report, const Io& io) {
  fmt::print(io.out, "{}\n", json_report(options, report));
}

void print_text(const RunOptions& options, const RunReport& report, const Io& io) {
  fmt::print(io.out, "scenario {}, seed 0x{:016x}, {} ticks of {}\n", options.scenario->name, options.config.seed,
             report.ticks, options.config.tick);
  if (options.scenario->has_network) fmt::print(io.out, "profile     {}\n", report.profile);
  fmt::print(io.out, "events      {}\nstate hash  0x{:016x}\nchain hash  0x{:016x}\n", report.events, report.state_hash,
             report.chain_hash);
  for (const Stat& stat : report.outcome.stats) fmt::print(io.out, "{:<20} {}\n", stat.name, stat.value);
  for (const Check& check : report.outcome.checks) {
    fmt::print(io.out, "check {}: {} ({})\n", check.name, check.passed ? "pass" : "FAIL", check.measured);
    if (!check.passed) fmt::print(io.out, "  expected: {}\n", check.expected);
  }
  fmt::print(io.out, "result: {}\n", report.outcome.passed ? "pass" : "FAIL");
  if (!report.outcome.passed) fmt::print(io.out, "reproduce: {}\n", reproduce_command(options, report));
}

// The six fault scenarios once each: a table, or a JSON array.
int run_all_fault_scenarios(RunOptions options, sim::Log* log, const Io& io) {
  std::vector<std::pair<RunOptions, RunReport>> runs;
  for (const ScenarioInfo& info : scenario_catalog()) {
    if (info.scripted_faults == nullptr) continue;
    options.scenario = &info;
    sim::Result<std::unique_ptr<ScenarioRunner>> runner = ScenarioRunner::create(info, options.config, {}, log);
    if (!runner) return usage_error(io, "run", runner.error().message);
    Progress progress(io);
    runs.emplace_back(options, (*runner)->run(options.ticks, [&](uint64_t tick) { progress.update(tick); }));
  }
  bool all_passed = true;
  for (const auto& [run, report] : runs) all_passed = all_passed && report.outcome.passed;
  if (options.json) {
    std::string out = "[";
    for (size_t i = 0; i < runs.size(); ++i) out += (i == 0 ? "" : ",\n") + json_report(runs[i].first, runs[i].second);
    fmt::print(io.out, "{}]\n", out);
    return all_passed ? kExitOk : kExitFailed;
  }
  fmt::print(io.out, "seed 0x{:016x}, profile {}\n{:<72} {:<6} {:>10} {:>7}  {}\n", options.config.seed,
             options.config.profile, "scenario", "result", "virtual", "checks", "chain hash");
  for (const auto& [run, report] : runs) {
    size_t passed = 0;
    for (const Check& check : report.outcome.checks) passed += check.passed ? 1 : 0;
    fmt::print(io.out, "{:<72} {:<6} {:>9.1f}s {:>3}/{:<3}  0x{:016x}\n", run.scenario->name,
               report.outcome.passed ? "pass" : "FAIL", static_cast<double>(report.ticks) * run.config.tick.ns() / 1e9,
               passed, report.outcome.checks.size(), report.chain_hash);
  }
  for (const auto& [run, report] : runs) {
    if (report.outcome.passed) continue;
    fmt::print(io.out, "\n{} failed:\n", run.scenario->name);
    for (const Check& check : report.outcome.checks) {
      if (!check.passed) fmt::print(io.out, "  {}: saw {}; expected {}\n", check.name, check.measured, check.expected);
    }
    fmt::print(io.out, "  reproduce: {}\n", reproduce_command(run, report));
  }
  fmt::print(io.out, "result: {}\n", all_passed ? "pass" : "FAIL");
  return all_passed ? kExitOk : kExitFailed;
}

}  // namespace

int run_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kRunHelp);
    return kExitOk;
  }
  const bool list = args.take_flag("list");
  RunOptions options;
  const std::optional<std::string> scenario_name = args.take_value("scenario");
  if (scenario_name) {
    options.scenario = find_scenario(*scenario_name);
    if (options.scenario == nullptr) {
      args.fail(fmt::format("unknown scenario '{}' (dmsgsim run --list shows them)", *scenario_name));
    }
  }
  options.config.seed = args.take_u64("seed").value_or(options.config.seed);
  options.ticks = args.take_u64("ticks");
  options.config.tick = args.take_duration("tick").value_or(options.config.tick);
  if (options.config.tick <= sim::Duration::zero()) args.fail("--tick must be positive");
  if (std::optional<std::string> profile = args.take_value("profile")) options.config.profile = *profile;
  for (const std::string& text : args.take_values("fault")) {
    sim::Result<FaultInput> fault = parse_fault(text);
    if (fault) {
      options.faults.push_back(fault.value());
    } else {
      args.fail(fault.error().message);
    }
  }
  options.json = args.take_flag("json");
  options.trace_path = args.take_value("trace");
  if (std::optional<uint64_t> every = args.take_u64("snapshot-every")) {
    if (*every == 0) args.fail("--snapshot-every must be at least 1");
    if (!options.trace_path) args.fail("--snapshot-every goes with --trace");
    options.snapshot_policy = sim::SnapshotPolicy{*every, 0};
  }
  if (std::optional<std::string> filter = args.take_value("log")) {
    sim::Result<sim::LogFilter> parsed = sim::LogFilter::parse(*filter);
    if (parsed) {
      options.log_filter = parsed.value();
    } else {
      args.fail(fmt::format("--log: {}", parsed.error().message));
    }
  }
  if (!scenario_name && !options.faults.empty()) args.fail("--fault needs --scenario (node names differ by scenario)");
  if (!scenario_name && options.trace_path) args.fail("--trace records one run: give --scenario");
  if (sim::Status status = args.finish(); !status) return usage_error(io, "run", status.error().message);
  if (list) {
    print_list(io);
    return kExitOk;
  }
  std::unique_ptr<sim::Log> log;
  if (options.log_filter) log = std::make_unique<sim::Log>(*options.log_filter, io.err);
  if (options.scenario == nullptr) return run_all_fault_scenarios(options, log.get(), io);
  sim::Result<std::unique_ptr<ScenarioRunner>> runner =
      ScenarioRunner::create(*options.scenario, options.config, options.faults, log.get());
  if (!runner) return usage_error(io, "run", runner.error().message);
  if (options.trace_path) (*runner)->world().set_snapshot_policy(options.snapshot_policy);
  Progress progress(io);
  const RunReport report = (*runner)->run(options.ticks, [&](uint64_t tick) { progress.update(tick); });
  if (options.trace_path) {
    const sim::Bytes file = sim::encode_trace(record_trace(**runner));
    if (sim::Status written = sim::write_file(*options.trace_path, file); !written) {
      return usage_error(io, "run", written.error().message);
    }
    if (!options.json) fmt::print(io.out, "trace       {} ({} bytes)\n", *options.trace_path, file.size());
  }
  if (options.json) {
    print_json(options, report, io);
  } else {
    print_text(options, report, io);
  }
  return report.outcome.passed ? kExitOk : kExitFailed;
}

}  // namespace scenarios::cli
