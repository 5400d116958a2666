// `dmsgsim run`: build a scenario from a seed, run it, print its hashes and checks.
#include "net/profile.h"
#include "scenarios/cli/commands.h"
#include "scenarios/cli/interrupt.h"
#include "scenarios/cli/progress.h"
#include "scenarios/cli/recording_args.h"
#include "scenarios/cli/verdict_output.h"
#include "scenarios/replay/failure_file.h"
#include "scenarios/replay/trace_session.h"
#include "scenarios/run/runner.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/json_writer.h"

#include <unistd.h>

#include <filesystem>
#include <memory>

namespace scenarios::cli {
namespace {

constexpr std::string_view kRunHelp = R"(usage: dmsgsim run [--seed N] [--profile P] [--json]
       dmsgsim run --scenario NAME [--seed N] [--ticks N] [--tick-length DURATION]
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
                    at most its own limit, a virtual duration whatever the tick length)
  --tick-length D   virtual time per tick, with a unit, 1ns to 1h (default: 1ms)
  --profile P       network fault profile: calm, lossy, hostile, swarm (default: calm)
  --fault SPEC      an external input applied at its time (repeatable), e.g.
                    --fault '2s partition a0|b0' --fault '5s heal'
  --json            print one JSON object instead of text
  --progress        a progress line on stderr even when it is no terminal (on a
                    terminal it is always shown)
  --log FILTER      deterministic log to stderr, e.g. info or warn,transfer=debug
  --trace FILE      record the run (configuration, inputs, hash chain, snapshots) for
                    dmsgsim replay, seek, diff, fork and debug; a failing run also
                    writes NAME.failure.json beside FILE (README, "failure.json")
  --snapshot-every N  with --trace: a snapshot every N ticks (default 1: every tick, each
                    keeping only what changed since the one before)
  --snapshot-budget SIZE  with --trace: the most the snapshots may take in memory (default
                    512MiB); past it older ones are thinned, dense near the end and
                    sparse further back (dmsgsim info says how many)
  --trace-budget SIZE  with --trace: the most the trace file may take when the run ends
                    (default 2GiB); past it the file is compacted the same way
  --list            list the scenarios and profiles, and exit (with --json: one object)

The trace is written as the run goes: a run that is killed leaves a shorter trace that
replays up to where it stopped. Ctrl-C (SIGINT) or SIGTERM stops the run at the next tick
boundary: the trace recorded so far is closed and the result says "interrupted"; a second
signal exits at once.

Exit codes: 0 the scenario (or all six) passed, 1 one failed, 2 bad arguments,
130 / 143 stopped by SIGINT / SIGTERM.
)";

struct RunOptions {
  const ScenarioInfo* scenario = nullptr;
  RunConfig config;
  std::optional<uint64_t> ticks;
  std::vector<FaultInput> faults;
  bool json = false;
  std::optional<sim::LogFilter> log_filter;
  RecordingOptions recording;
  bool progress = false;  // --progress: the progress line even when stderr is no terminal
};

// The virtual time a run will last, for the progress line's ETA: known for --ticks, and an
// upper bound (the scenario's limit) otherwise, which is no estimate, so none is given.
std::optional<sim::Duration> known_length(const RunOptions& options) {
  if (!options.ticks) return std::nullopt;
  return options.config.tick * static_cast<int64_t>(*options.ticks);
}

// Runs with a progress line, stopping at a tick boundary when a signal asks for it.
RunReport run_with_progress(ScenarioRunner& runner, const RunOptions& options, const Io& io) {
  ProgressLine progress(io, options.progress, options.config.tick, known_length(options));
  return runner.run(options.ticks, [&](uint64_t tick) {
    progress.update(tick);
    return !InterruptGuard::requested();
  });
}

std::string_view result_word(const RunReport& report) {
  if (report.interrupted) return "interrupted";
  return report.outcome.passed ? "pass" : "fail";
}

void print_list(const Io& io) {
  fmt::print(io.out, "scenarios:\n");
  for (const ScenarioInfo& info : scenario_catalog())
    fmt::print(io.out, "  {}\n      {}\n", info.name, info.description);
  fmt::print(io.out, "profiles:\n");
  for (const net::ProfileInfo& info : net::profile_catalog())
    fmt::print(io.out, "  {:<12} {}\n", info.name, info.description);
  fmt::print(io.out, "fault inputs (--fault):\n  {}\n", fault_syntax_help());
}

void print_list_json(const Io& io) {
  std::string out;
  sim::JsonWriter json(out);
  json.begin_object();
  json.key("scenarios");
  json.begin_array();
  for (const ScenarioInfo& info : scenario_catalog()) {
    json.begin_object();
    json("name", std::string(info.name));
    json("description", std::string(info.description));
    json("has_network", info.has_network);
    json("max_duration_ns", info.max_duration.ns());
    json("fault_scenario", info.scripted_faults != nullptr);
    json.end_object();
  }
  json.end_array();
  json.key("profiles");
  json.begin_array();
  for (const net::ProfileInfo& info : net::profile_catalog()) {
    json.begin_object();
    json("name", std::string(info.name));
    json("description", std::string(info.description));
    json.end_object();
  }
  json.end_array();
  json("fault_syntax", std::string(fault_syntax_help()));
  json.end_object();
  fmt::print(io.out, "{}\n", out);
}

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string reproduce_command(const RunOptions& options, const RunReport& report) {
  std::string command = fmt::format("dmsgsim run --scenario {} --seed 0x{:016x} --ticks {} --tick-length {}",
                                    options.scenario->name, options.config.seed, report.ticks, options.config.tick);
  if (options.scenario->has_network) command += fmt::format(" --profile {}", options.config.profile);
  for (const FaultInput& fault : options.faults) command += " --fault " + shell_quote(fault.text);
  return command;
}

// The run's verdict, as replay re-derives it from the trace.
Verdict run_verdict(const RunOptions& options, const RunReport& report) {
  return verdict_of(*options.scenario, report.outcome, options.config, report.ticks);
}

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
  json.string(result_word(report));
  json("interrupted", report.interrupted);
  write_verdict_fields(json, run_verdict(options, report));
  json.key("figures");
  json.begin_object();
  for (const Figure& figure : report.outcome.figures) {
    json.key(figure.name);
    json.number(figure.value);
  }
  json.end_object();
  json.key("checks");
  json.begin_array();
  for (const Check& check : report.outcome.checks) {
    json.begin_object();
    json("name", check.name);
    json("kind", check.kind);
    json.key("outcome");
    json.string(check.passed ? "pass" : "fail");
    json("measured", check.measured);
    json.key("value");
    json.number(check.value);
    json("expected", check.expected);
    json.end_object();
  }
  json.end_array();
  write_predictions(json, report.outcome.predictions);
  json.key("inputs_not_applied");
  json.begin_array();
  for (const InputNotApplied& input : report.inputs_not_applied) {
    json.begin_object();
    json("input", input.input);
    json("reason", input.reason);
    json.end_object();
  }
  json.end_array();
  if (!report.outcome.passed) json("reproduce", reproduce_command(options, report));
  json.end_object();
  return out;
}

// An input that changed nothing is worth a warning: a fault after the end of a run
// silently leaves the hash unchanged.
void warn_inputs_not_applied(const RunReport& report, const Io& io) {
  for (const InputNotApplied& input : report.inputs_not_applied) {
    fmt::print(io.err, "dmsgsim run: warning: input '{}' changed nothing: {}\n", input.input, input.reason);
  }
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
  for (const Figure& figure : report.outcome.figures) fmt::print(io.out, "{:<20} {}\n", figure.name, figure.value);
  for (const Check& check : report.outcome.checks) {
    fmt::print(io.out, "check {} ({}): {} ({})\n", check.name, enum_name(check.kind), check.passed ? "pass" : "FAIL",
               check.measured);
    if (!check.passed) fmt::print(io.out, "  expected: {}\n", check.expected);
  }
  if (report.interrupted) {
    fmt::print(io.out, "result: interrupted at tick {} (the checks judge a run cut short)\n", report.ticks);
    return;
  }
  print_verdict_lines(io.out, run_verdict(options, report));
  fmt::print(io.out, "result: {}\n", report.outcome.passed ? "pass" : "FAIL");
  if (!report.outcome.passed) fmt::print(io.out, "reproduce: {}\n", reproduce_command(options, report));
}

// Beside a failing run's trace, named after it: NAME.failure.json for NAME.trace.
std::string failure_file_path(const std::string& trace_path) {
  std::filesystem::path path(trace_path);
  path.replace_extension(".failure.json");
  return path.string();
}

void write_run_failure_file(const RunOptions& options, const RunReport& report, const sim::TraceFile& trace,
                            const Io& io) {
  const Verdict verdict = run_verdict(options, report);
  sim::Result<TraceSession> session = TraceSession::open(trace);
  SIM_ASSERT_MSG(session.ok(), "a trace just recorded does not open: {}", session.ok() ? "" : session.error().message);
  const std::string path = failure_file_path(*options.recording.trace_path);
  sim::Result<FailureOrigin> origin = write_failure_file(*session, verdict, *options.recording.trace_path, path);
  if (!origin) {
    fmt::print(io.err, "dmsgsim run: could not write {}: {}\n", path, origin.error().message);
    return;
  }
  fmt::print(io.err, "{}\nwrote {}\nshrink: {}\n", failure_line(verdict, *origin), path,
             shrink_command_for(*options.recording.trace_path));
}

// The six fault scenarios once each: a table, or a JSON array.
int run_all_fault_scenarios(RunOptions options, sim::Log* log, const Io& io) {
  std::vector<std::pair<RunOptions, RunReport>> runs;
  for (const ScenarioInfo& info : scenario_catalog()) {
    if (info.scripted_faults == nullptr) continue;
    options.scenario = &info;
    sim::Result<std::unique_ptr<ScenarioRunner>> runner = ScenarioRunner::create(info, options.config, {}, log);
    if (!runner) return usage_error(io, "run", runner.error().message);
    runs.emplace_back(options, run_with_progress(**runner, options, io));
    if (runs.back().second.interrupted) break;
  }
  bool all_passed = true;
  for (const auto& [run, report] : runs) all_passed = all_passed && report.outcome.passed;
  if (options.json) {
    std::string out = "[";
    for (size_t i = 0; i < runs.size(); ++i) out += (i == 0 ? "" : ",\n") + json_report(runs[i].first, runs[i].second);
    fmt::print(io.out, "{}]\n", out);
    if (InterruptGuard::requested()) return InterruptGuard::exit_code();
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
      if (!check.passed) {
        fmt::print(io.out, "  {} ({}): saw {}; expected {}\n", check.name, enum_name(check.kind), check.measured,
                   check.expected);
      }
    }
    fmt::print(io.out, "  reproduce: {}\n", reproduce_command(run, report));
  }
  if (InterruptGuard::requested()) {
    fmt::print(io.out, "result: interrupted after {} of 6 scenarios\n", runs.size());
    return InterruptGuard::exit_code();
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
  if (args.take_value("tick")) args.fail("--tick is now --tick-length (a tick's virtual time); --ticks counts them");
  options.config.tick =
      args.take_duration_in("tick-length", sim::Duration::nanoseconds(1), sim::Duration::seconds(3600))
          .value_or(options.config.tick);
  options.ticks = args.take_count("ticks", 1, max_run_ticks(options.config.tick));
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
  options.progress = args.take_flag("progress");
  options.recording = take_recording_options(args, options.config.tick);
  if (std::optional<std::string> filter = args.take_value("log")) {
    sim::Result<sim::LogFilter> parsed = sim::LogFilter::parse(*filter);
    if (parsed) {
      options.log_filter = parsed.value();
    } else {
      args.fail(fmt::format("--log: {}", parsed.error().message));
    }
  }
  if (!scenario_name && !options.faults.empty()) args.fail("--fault needs --scenario (node names differ by scenario)");
  if (!scenario_name && options.recording.trace_path) args.fail("--trace records one run: give --scenario");
  if (sim::Status status = args.finish(); !status) return usage_error(io, "run", status.error().message);
  if (list) {
    options.json ? print_list_json(io) : print_list(io);
    return kExitOk;
  }
  std::unique_ptr<sim::Log> log;
  if (options.log_filter) log = std::make_unique<sim::Log>(*options.log_filter, io.err);
  const InterruptGuard interrupts;
  if (options.scenario == nullptr) return run_all_fault_scenarios(options, log.get(), io);
  sim::Result<std::unique_ptr<ScenarioRunner>> runner =
      ScenarioRunner::create(*options.scenario, options.config, options.faults, log.get());
  if (!runner) return usage_error(io, "run", runner.error().message);
  sim::Result<std::unique_ptr<sim::TraceRecorder>> recorder = start_recording(options.recording, **runner);
  if (!recorder) return usage_error(io, "run", fmt::format("--trace: {}", recorder.error().message));
  const RunReport report = run_with_progress(**runner, options, io);
  if (*recorder) {
    const sim::Result<uint64_t> written = (*recorder)->finish();
    if (!written) return usage_error(io, "run", written.error().message);
    const sim::TraceFile trace = record_trace(**runner);
    if (!options.json) fmt::print(io.out, "trace       {} ({} bytes)\n", *options.recording.trace_path, *written);
    if (!report.outcome.passed && !report.interrupted) write_run_failure_file(options, report, trace, io);
  }
  warn_inputs_not_applied(report, io);
  if (options.json) {
    print_json(options, report, io);
  } else {
    print_text(options, report, io);
  }
  if (report.interrupted) return InterruptGuard::exit_code();
  return report.outcome.passed ? kExitOk : kExitFailed;
}

}  // namespace scenarios::cli
