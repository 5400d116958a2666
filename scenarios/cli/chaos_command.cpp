// dmsgsim chaos: the random, event-based run checked against the reference model.
#include "scenarios/chaos/artifacts.h"
#include "scenarios/chaos/panel.h"
#include "scenarios/cli/commands.h"
#include "scenarios/cli/interrupt.h"
#include "scenarios/cli/progress.h"
#include "scenarios/cli/recording_args.h"
#include "scenarios/cli/shrink_output.h"
#include "scenarios/cli/verdict_output.h"
#include "scenarios/cli/wall_clock.h"
#include "scenarios/replay/trace_session.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/json_writer.h"

#include <filesystem>

namespace scenarios::cli {
namespace {

using chaos::ChaosConfig;
using chaos::ChaosResult;

constexpr std::string_view kChaosHelp = R"(usage: dmsgsim chaos --seed N [OPTIONS]
       dmsgsim chaos --list-bugs

Servers, clients and streams under random events, checked against a reference model.
Every batch interval the control panel draws 1 to max_events_per_batch event kinds, keeps
each with its probability, and applies the winners at one virtual instant as recorded
inputs. Before each batch the model compares the world's abstraction with its prediction:
by bounds while faults may still be settling, exactly once none happened for 110 s. After
the fault phase (--events or --duration) faults stop: clients must reach their sessions
and pending dials must resolve (liveness), then exact checks go on for exact_window.

options:
  --seed N            the run's seed (default 1)
  --servers X         servers, all started at the beginning (default 5)
  --clients Y         clients (default 50)
  --streams Z         streams open at most at once (default 200)
  --events E          end the fault phase after E executed events
  --duration D        end the fault phase after D of virtual time (default 600s)
  --batch-interval D  time between batches (default 1s)
  --check-every K     compare the world with the model every K batches (default 1)
  --profile P         the network's fault profile (default calm)
  --config FILE       a JSON config (keys as the README's "Chaos" section); flags override it
  --trace FILE        record the run's trace, with a snapshot at every tick
  --snapshot-every N  with --trace: a snapshot every N ticks instead
  --snapshot-budget SIZE  with --trace: the most the snapshots may take in memory
                      (default 512MiB); past it older ones are thinned
  --trace-budget SIZE with --trace: the most the trace file may take when the run ends
                      (default 2GiB); past it the file is compacted the same way
  --artifacts DIR     where a failure's trace, failure.json and states go (default
                      chaos-failure-seed-N, or chaos-failure-seed-N-2, -3, ... when that
                      folder is there already);
                      a DIR that exists and is not empty is refused unless --overwrite
  --overwrite         write a failure into --artifacts DIR even when it holds files
  --progress          a progress line on stderr even when it is no terminal
  --json              one JSON object: seed, result, interrupted, virtual_time_ns, the hashes,
                      checks (one per check class), mismatches, figures (events_executed per
                      kind, batches, check counts, wall_ms), reproduce on a failure
  --shrink            on a failure, shrink its trace at once into the artifacts folder
                      (run.min.trace), the shrink's report on stderr (dmsgsim shrink --help)
  --verify-snapshots  the test plan's snapshot check at every batch boundary: the last
                      boundary's snapshot restored in a fresh world, its batch's inputs
                      applied again and run to this boundary must give this boundary's
                      state; the first differing field fails the run (config key
                      verify_snapshots; README, "The snapshot check")
  --plant-bug NAME    checker self-test: build every node with a known bug (--list-bugs)
  --list-bugs         the plantable bugs, one name a line (with --json: name and description)

Ctrl-C (SIGINT) or SIGTERM stops the run at the next tick boundary: the trace recorded so
far is written (with --trace) and the result says "interrupted"; a second signal exits at
once.

Exit codes: 0 every check passed, 1 a check failed, 2 bad arguments or files, 130 / 143
stopped by SIGINT / SIGTERM.
)";

struct ChaosOptions {
  ChaosConfig config;
  uint64_t seed = 1;
  dmsg::PlantedBug bug = dmsg::PlantedBug::kNone;
  RecordingOptions recording;
  std::optional<std::string> artifacts;
  std::optional<std::string> config_path;
  std::vector<std::string> flags;  // as given, for the reproduction command
  bool json = false;
  bool progress = false;
  bool shrink = false;
  bool overwrite = false;
};

// Where a failure's artifacts go: the given folder, or the default name with a suffix that
// no existing folder has, so an earlier failure is never overwritten.
std::string artifacts_folder(const ChaosOptions& o) {
  if (o.artifacts) return *o.artifacts;
  const std::string base = fmt::format("chaos-failure-seed-{}", o.seed);
  std::error_code error;
  std::string dir = base;
  for (int n = 2; std::filesystem::exists(dir, error); ++n) dir = fmt::format("{}-{}", base, n);
  return dir;
}

// Refused before the run: a given artifacts folder with files in it (without --overwrite),
// or one whose parent cannot take it.
sim::Status check_artifacts_folder(const ChaosOptions& o) {
  if (!o.artifacts) return sim::Ok{};
  std::error_code error;
  const std::filesystem::path dir(*o.artifacts);
  if (std::filesystem::exists(dir, error)) {
    if (!std::filesystem::is_directory(dir, error)) return sim::Error{fmt::format("{} is not a folder", *o.artifacts)};
    if (!std::filesystem::is_empty(dir, error) && !o.overwrite) {
      return sim::Error{
          fmt::format("{} holds files already; give --overwrite to replace a failure's files there", *o.artifacts)};
    }
    return sim::Ok{};
  }
  const std::filesystem::path parent = dir.has_parent_path() ? dir.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(parent, error)) {
    return sim::Error{fmt::format("cannot make {}: {} is not a folder", *o.artifacts, parent.string())};
  }
  return sim::Ok{};
}

// More batches than any run can take in a session; the bound only keeps counts sane.
constexpr uint64_t kMaxChaosEvents = 1'000'000'000;

// Reads the config file first, then lets the flags override it.
sim::Status read_options(Args& args, ChaosOptions& o) {
  o.config_path = args.take_value("config");
  if (o.config_path) {
    sim::Result<sim::Bytes> text = sim::read_file(*o.config_path);
    if (!text) return text.error();
    sim::Result<ChaosConfig> parsed =
        chaos::parse_chaos_config(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
    if (!parsed) return sim::Error{fmt::format("{}: {}", *o.config_path, parsed.error().message)};
    o.config = parsed.value();
    o.flags.push_back("--config " + *o.config_path);
  }
  auto count = [&](std::string_view name, uint32_t& field, uint64_t min, uint64_t max) {
    if (std::optional<uint64_t> n = args.take_count(name, min, max)) {
      field = static_cast<uint32_t>(*n);
      o.flags.push_back(fmt::format("--{} {}", name, *n));
    }
  };
  count("servers", o.config.servers, 1, 100);
  count("clients", o.config.clients, 1, 1000);
  count("streams", o.config.streams, 0, 100'000);
  count("check-every", o.config.check_every, 1, 1'000'000);
  if (std::optional<uint64_t> events = args.take_count("events", 1, kMaxChaosEvents)) {
    o.config.events = *events;
    o.flags.push_back(fmt::format("--events {}", *events));
  }
  if (std::optional<sim::Duration> d =
          args.take_duration_in("duration", sim::Duration::nanoseconds(1), kMaxRunLength)) {
    if (o.config.events && !o.config_path) args.fail("give --events or --duration, not both");
    o.config.duration = *d;
    o.flags.push_back(fmt::format("--duration {}", *d));
  }
  if (std::optional<sim::Duration> d =
          args.take_duration_in("batch-interval", sim::Duration::nanoseconds(1), kMaxRunLength)) {
    o.config.batch_interval = *d;
    o.flags.push_back(fmt::format("--batch-interval {}", *d));
  }
  if (std::optional<std::string> profile = args.take_value("profile")) {
    o.config.profile = *profile;
    o.flags.push_back("--profile " + *profile);
  }
  if (std::optional<std::string> name = args.take_value("plant-bug")) {
    const std::optional<dmsg::PlantedBug> bug = dmsg::planted_bug_named(*name);
    if (!bug || *bug == dmsg::PlantedBug::kNone) {
      args.fail(fmt::format("unknown bug '{}' (dmsgsim chaos --list-bugs shows them)", *name));
    } else {
      o.bug = *bug;
      o.flags.push_back("--plant-bug " + *name);
    }
  }
  if (args.take_flag("verify-snapshots")) {
    o.config.verify_snapshots = true;
    o.flags.push_back("--verify-snapshots");
  }
  o.seed = args.take_u64("seed").value_or(o.seed);
  o.recording = take_recording_options(args, RunConfig{}.tick);
  o.artifacts = args.take_value("artifacts");
  o.overwrite = args.take_flag("overwrite");
  if (o.overwrite && !o.artifacts) args.fail("--overwrite goes with --artifacts DIR");
  if (sim::Status folder = check_artifacts_folder(o); !folder)
    args.fail(fmt::format("--artifacts: {}", folder.error().message));
  o.json = args.take_flag("json");
  o.progress = args.take_flag("progress");
  o.shrink = args.take_flag("shrink");
  return args.finish();
}

std::string reproduce_command(const ChaosOptions& o) {
  std::string command = fmt::format("dmsgsim chaos --seed {}", o.seed);
  for (const std::string& flag : o.flags) command += " " + flag;
  return command;
}

// The model's check classes, each as one entry of `checks`: how often it ran at batch
// boundaries and how many fields it found wrong (a run stops at its first failing check).
struct ChaosCheckClass {
  std::string_view name;
  std::string_view kind;
  std::string_view expected;
  uint64_t ran;
};

std::vector<ChaosCheckClass> chaos_check_classes(const ChaosResult& r, bool snapshots_verified) {
  std::vector<ChaosCheckClass> classes = {
      {"model_exact", "exact", "every field equals the model's prediction once the world settled", r.exact_checks},
      {"model_bounds", "bound", "every field within the model's bounds while faults run", r.bound_checks},
      {"byte_oracle", "oracle", "every byte read equals its pattern, on its own stream",
       r.exact_checks + r.bound_checks},
      {"liveness", "liveness", "every session owed by its reconnect bound, every obligation by the settle phase's end",
       r.liveness_checks},
  };
  if (snapshots_verified) {
    classes.push_back({"snapshot_check", "snapshot",
                       "each batch boundary's snapshot, restored in a fresh world and run through the batch again, "
                       "gives the next boundary's state",
                       r.snapshot_checks});
  }
  return classes;
}

void write_checks(sim::JsonWriter& json, const ChaosResult& r, bool snapshots_verified) {
  json.key("checks");
  json.begin_array();
  for (const ChaosCheckClass& c : chaos_check_classes(r, snapshots_verified)) {
    int64_t failed = 0;
    for (const chaos::Mismatch& m : r.mismatches) failed += m.kind == c.kind ? 1 : 0;
    json.begin_object();
    json("name", std::string(c.name));
    json("kind", std::string(c.kind));
    json("outcome", std::string(failed == 0 ? "pass" : "fail"));
    json("measured", fmt::format("{} mismatched fields in {} checks", failed, c.ran));
    json.key("value");
    json.number(failed);
    json("expected", std::string(c.expected));
    json.end_object();
  }
  json.end_array();
}

void write_figures(sim::JsonWriter& json, const ChaosResult& r, int64_t wall_ms) {
  json.key("figures");
  json.begin_object();
  json.key("events_executed");
  json.begin_object();
  for (size_t k = 0; k < chaos::kEventKinds; ++k) {
    json.key(enum_name(static_cast<chaos::EventKind>(k)));
    json.number(static_cast<int64_t>(r.executed[k]));
  }
  json.end_object();
  json.key("batches");
  json.number(static_cast<int64_t>(r.batches));
  json.key("exact_checks");
  json.number(static_cast<int64_t>(r.exact_checks));
  json.key("bound_checks");
  json.number(static_cast<int64_t>(r.bound_checks));
  json.key("liveness_checks");
  json.number(static_cast<int64_t>(r.liveness_checks));
  // The share of dials that opened while the links were faulty (README, "Healing").
  json.key("harsh_phase_dials");
  json.begin_object();
  json.key("made");
  json.number(static_cast<int64_t>(r.harsh_dials.made));
  json.key("opened");
  json.number(static_cast<int64_t>(r.harsh_dials.opened));
  json.end_object();
  // Hostile spans and what their offenders saw of their acts (README, "Hostile peers").
  json.key("hostile");
  json.begin_object();
  for (size_t k = 0; k < chaos::kHostileKinds; ++k) {
    const chaos::HostileCounts& c = r.hostile[k];
    json.key(enum_name(static_cast<chaos::HostileKind>(k)));
    json.begin_object();
    const std::pair<const char*, uint64_t> fields[] = {
        {"spans", r.hostile_spans[k]}, {"acts", c.acts}, {"idle", c.idle},
        {"answered", c.answered},      {"lost", c.lost}, {"unexpected", c.unexpected}};
    for (const auto& [name, value] : fields) {
      json.key(name);
      json.number(static_cast<int64_t>(value));
    }
    json.end_object();
  }
  json.end_object();
  json.key("wall_ms");
  json.number(wall_ms);
  json.end_object();
}

// README's schema convention: run fields at the top level, `checks` as a list of
// {name, kind, outcome, measured, value, expected}, counts under `figures`.
void print_json(const ChaosOptions& o, const ChaosResult& r, int64_t wall_ms, const Io& io) {
  std::string out;
  sim::JsonWriter json(out);
  json.begin_object();
  json("seed", o.seed);
  json("result", std::string(r.interrupted ? "interrupted" : r.passed ? "pass" : "fail"));
  write_verdict_fields(json, r.verdict);
  json("interrupted", r.interrupted);
  json.key("virtual_time_ns");
  json.number(r.virtual_time.ns());
  json("state_hash", r.state_hash);
  json("chain_hash", r.chain_hash);
  write_checks(json, r, o.config.verify_snapshots);
  write_predictions(json, r.predictions);
  json.key("healed_at_ns");
  if (r.healed_at) {
    json.number((*r.healed_at - sim::Instant::zero()).ns());
  } else {
    json.null();
  }
  json.key("mismatches");
  json.begin_array();
  for (const chaos::Mismatch& m : r.mismatches) {
    json.begin_object();
    json("kind", m.kind);
    json("field", m.field);
    json("expected", m.expected);
    json("actual", m.actual);
    json.end_object();
  }
  json.end_array();
  if (const std::optional<SnapshotMismatch>& m = r.snapshot_mismatch) {
    json.key("snapshot_mismatch");
    json.begin_object();
    json.count("from_tick", m->from_tick);
    json.count("to_tick", m->to_tick);
    json("recorded_state_hash", m->recorded_state_hash);
    json("restored_state_hash", m->rerun_state_hash);
    json("first_path", m->first_path());
    json("restore_error", m->restore_error);
    json.end_object();
  }
  write_figures(json, r, wall_ms);
  if (!r.passed) json("reproduce", reproduce_command(o));
  json.end_object();
  fmt::print(io.out, "{}\n", out);
}

void print_text(const ChaosOptions& o, const ChaosResult& r, int64_t wall_ms, const Io& io) {
  fmt::print(io.out, "chaos seed {}: {} servers, {} clients, at most {} streams, profile {}\n", o.seed,
             o.config.servers, o.config.clients, o.config.streams, o.config.profile);
  fmt::print(io.out, "{} batches, {} events executed:", r.batches, r.events_executed());
  for (size_t k = 0; k < chaos::kEventKinds; ++k) {
    fmt::print(io.out, " {} {}", enum_name(static_cast<chaos::EventKind>(k)), r.executed[k]);
  }
  fmt::print(io.out, "\nchecks: {} exact, {} by bounds, {} liveness\n", r.exact_checks, r.bound_checks,
             r.liveness_checks);
  if (o.config.verify_snapshots) {
    fmt::print(io.out, "snapshot check: {} batch intervals restored and run again\n", r.snapshot_checks);
  }
  if (r.snapshot_mismatch) fmt::print(io.out, "snapshot check failed: {}\n", r.snapshot_mismatch->describe());
  for (const Prediction& p : r.predictions) fmt::print(io.out, "predicted ({}): {} {}\n", p.rule, p.node, p.outcome);
  if (r.healed_at) {
    fmt::print(io.out, "healed at {}: background faults stopped; dials while faulty: {} of {} opened\n", *r.healed_at,
               r.harsh_dials.opened, r.harsh_dials.made);
  }
  fmt::print(io.out, "virtual {}, wall {} ms, state 0x{:016x}, chain 0x{:016x}\n", r.virtual_time, wall_ms,
             r.state_hash, r.chain_hash);
  for (const chaos::Mismatch& m : r.mismatches) fmt::print(io.out, "mismatch: {}\n", m.describe());
  print_verdict_lines(io.out, r.verdict);
  fmt::print(io.out, "result: {}\n", r.interrupted ? "interrupted" : r.passed ? "pass" : "FAIL");
}

}  // namespace

int chaos_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kChaosHelp);
    return kExitOk;
  }
  if (args.take_flag("list-bugs")) {
    const bool json = args.take_flag("json");
    if (sim::Status done = args.finish(); !done) return usage_error(io, "chaos", done.error().message);
    if (!json) {
      for (const dmsg::PlantedBug bug : dmsg::all_planted_bugs()) fmt::print(io.out, "{}\n", enum_name(bug));
      return kExitOk;
    }
    std::string out;
    sim::JsonWriter w(out);
    w.begin_array();
    for (const dmsg::PlantedBug bug : dmsg::all_planted_bugs()) {
      w.begin_object();
      w("name", std::string(enum_name(bug)));
      w("description", std::string(dmsg::describe(bug)));
      w.end_object();
    }
    w.end_array();
    fmt::print(io.out, "{}\n", out);
    return kExitOk;
  }
  ChaosOptions o;
  if (sim::Status read = read_options(args, o); !read) return usage_error(io, "chaos", read.error().message);
  const int64_t started = wall_now_ns();
  sim::Result<std::unique_ptr<chaos::ControlPanel>> panel = chaos::ControlPanel::create(o.config, o.seed, o.bug);
  if (!panel) return usage_error(io, "chaos", panel.error().message);
  sim::Result<std::unique_ptr<sim::TraceRecorder>> recorder = start_recording(o.recording, (*panel)->runner());
  if (!recorder) return usage_error(io, "chaos", fmt::format("--trace: {}", recorder.error().message));
  const InterruptGuard interrupts;
  ProgressLine progress(io, o.progress, (*panel)->runner().config().tick, std::nullopt);
  const ChaosResult result = (*panel)->run([&] {
    progress.update((*panel)->runner().world().tick());
    return InterruptGuard::requested();
  });
  const int64_t wall_ms = (wall_now_ns() - started) / 1'000'000;
  if (*recorder) {
    if (sim::Result<uint64_t> ok = (*recorder)->finish(); !ok) return usage_error(io, "chaos", ok.error().message);
  }
  o.json ? print_json(o, result, wall_ms, io) : print_text(o, result, wall_ms, io);
  if (result.interrupted) return InterruptGuard::exit_code();
  if (result.passed) return kExitOk;
  const std::string dir = artifacts_folder(o);
  sim::Result<chaos::FailureArtifacts> written = chaos::write_failure_artifacts(**panel, result, dir);
  if (!written) {
    fmt::print(io.err, "dmsgsim chaos: could not write the failure's artifacts: {}\n", written.error().message);
  } else {
    fmt::print(io.err, "{}\n", failure_line(result.verdict, written->origin));
    fmt::print(io.err, "wrote {}\n", fmt::join(written->written, ", "));
    if (result.snapshot_mismatch) {
      fmt::print(io.err, "restore it in a process of its own: dmsgsim replay {}/run.trace --restore-at {}\n", dir,
                 result.snapshot_mismatch->from_tick);
    } else {
      fmt::print(io.err,
                 "replay: dmsgsim replay {}/run.trace; where it first held: dmsgsim seek {}/run.trace --tick {}\n", dir,
                 dir, written->origin.first_tick);
    }
    if (!result.snapshot_mismatch) fmt::print(io.err, "shrink: {}\n", shrink_command_for(dir + "/run.trace"));
  }
  fmt::print(io.err, "reproduce: {}\n", reproduce_command(o));
  if (o.shrink && written && result.snapshot_mismatch) {
    // Shrinking re-derives verdicts by re-executing from the start, where the escape changes nothing.
    fmt::print(io.err, "not shrunk: a snapshot check's failure does not show in a run from the start\n");
  } else if (o.shrink && written) {
    // The shrink's report is for the person: on standard error, so --json output stays one object.
    ShrinkRequest request;
    request.trace = dir + "/run.trace";
    request.out = dir + "/run.min.trace";
    request.progress = o.progress;
    shrink_trace(request, Io{io.err, io.err});
    if (InterruptGuard::requested()) return InterruptGuard::exit_code();
  }
  return kExitFailed;
}

}  // namespace scenarios::cli
