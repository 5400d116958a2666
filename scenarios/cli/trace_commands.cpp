// `dmsgsim info`, `replay`, `seek`, `diff` and `fork`: working with recorded traces.
#include "net/network.h"
#include "scenarios/cli/commands.h"
#include "scenarios/cli/tick_arg.h"
#include "scenarios/cli/verdict_output.h"
#include "scenarios/replay/trace_session.h"
#include "scenarios/run/actor_types.h"
#include "scenarios/world/net_assembly.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/json_writer.h"

#include <filesystem>

namespace scenarios::cli {
namespace {

constexpr std::string_view kInfoHelp = R"(usage: dmsgsim info FILE [--json]

Prints a trace's header (versions, build, scenario, seed, configuration), its external
inputs with their ticks, its number of ticks and snapshots, and its sizes.
  --json   one JSON object (64-bit values as 0x hex strings)
)";

constexpr std::string_view kReplayHelp =
    R"(usage: dmsgsim replay FILE [--log FILTER] [--from T] [--to T] [--restore-at T] [--json]

Re-executes a trace from its start and checks the state hash chain at every tick.
Exit 0 with "verified N ticks"; exit 1 at the first tick that ran differently, with the
events of that tick and a structural diff of the states at the first snapshot after it.
  --restore-at T re-execute from the recorded snapshot at or before tick T instead, in
                 this fresh process: a divergence then means state that escapes the
                 snapshot (no verdict is re-derived: its checks start at the start)
  --log FILTER   the deterministic log on stderr (e.g. info, or warn,transfer=debug)
  --from, --to   restrict the log to a range of ticks; a time with a unit (2s) is
                 the tick containing it
  --json         one JSON object: result (verified or diverged), ticks, and for a
                 divergence its tick, both chains and the state differences
)";

constexpr std::string_view kSeekHelp = R"(usage: dmsgsim seek FILE --tick T [--json | --text | --hash]

The state at tick T (an integer, or a time with a unit), rebuilt from the nearest
snapshot at or before T and re-executed, checking the chain on the way.
  --json   the whole state as JSON (maps keyed by id, each actor's name beside its id,
           64-bit values as hex strings)
  --text   clock, hashes, every actor with its name, and the scenario's tables (chaos:
           servers, clients and streams, as in a failure folder) (the default)
  --hash   tick, state_hash and chain_hash
)";

constexpr std::string_view kDiffHelp = R"(usage: dmsgsim diff A B [--json]

How the two runs differ (scenario, seed, configuration, inputs, length), then the first
tick that ran differently in the two traces (their hash chains differ after it), and a
structural diff (field paths, both values) of their states right after it. Exit 0 when
they agree on every tick both recorded, 1 when they differ.
  --json   one JSON object: run_differences, agree, first_differing_chain_tick,
           first_divergent_tick, chain_hashes, state_differences
)";

constexpr std::string_view kForkHelp = R"(usage: dmsgsim fork FILE --tick T --seed S --trace OUT [--ticks N] [--json]

The run of FILE from tick T on, with every random stream reseeded from (chain hash at T,
T, S). OUT records its parentage and a snapshot at T, so it replays on its own. It runs
as far as FILE did, or N ticks past T.
  --json   one JSON object: parent, tick, seed, ticks, trace, bytes, final_chain_hash
)";

// The one positional argument, a trace file, opened.
sim::Result<TraceSession> open_trace(Args& args, std::string& path) {
  std::vector<std::string> files = args.take_positionals();
  if (files.size() != 1) return sim::Error{fmt::format("expected one trace file, got {}", files.size())};
  path = files[0];
  return TraceSession::open_file(path);
}

std::string hex(uint64_t v) { return fmt::format("0x{:016x}", v); }

void write_differences(sim::JsonWriter& json, const std::vector<sim::JsonDifference>& diff) {
  json.begin_array();
  for (const sim::JsonDifference& d : diff) {
    json.begin_object();
    json("path", d.path);
    json("left", d.left);
    json("right", d.right);
    json.end_object();
  }
  json.end_array();
}

std::string info_json(const std::string& path, size_t bytes, const TraceSession& session) {
  const sim::TraceFile& t = session.trace();
  const RunDescription& run = session.run();
  std::string out;
  sim::JsonWriter json(out);
  json.begin_object();
  json("file", path);
  json("bytes", static_cast<int64_t>(bytes));
  json("format_version", static_cast<int64_t>(sim::kTraceFormatVersion));
  json("semantics_version", static_cast<int64_t>(t.semantics_version));
  json("build_id", t.build_id);
  json("scenario", run.scenario);
  json.key("config");
  json.begin_object();
  json("seed", run.config.seed);
  json("tick_ns", run.config.tick.ns());
  json("profile", run.config.profile);
  json("servers", static_cast<int64_t>(run.config.servers));
  json("clients", static_cast<int64_t>(run.config.clients));
  json("planted_bug", std::string(enum_name(run.config.planted_bug)));
  json.key("scenario_config");
  if (sim::Result<sim::JsonValue> parsed = sim::parse_json(run.config.scenario_config);
      !run.config.scenario_config.empty() && parsed) {
    json.json_text(parsed->to_text());
  } else {
    json.json_text("null");
  }
  json.key("parameters");
  if (const ScenarioInfo* scenario = find_scenario(run.scenario); scenario != nullptr && scenario->parameters) {
    json.json_text(scenario->parameters(run.config));
  } else {
    json.null();
  }
  json.end_object();
  if (t.fork) {
    json.key("fork");
    json.begin_object();
    json("parent_seed", t.fork->parent_seed);
    json("parent_chain_hash", t.fork->parent_chain_hash);
    json("tick", static_cast<int64_t>(t.fork->tick));
    json("new_seed", t.fork->new_seed);
    json.end_object();
  }
  json("first_tick", static_cast<int64_t>(t.first_tick));
  json("last_tick", static_cast<int64_t>(t.last_tick()));
  json("final_chain_hash", t.chain.back());
  json.string_or_null("interrupted", t.interruption.value_or(""));
  json.key("inputs");
  json.begin_array();
  for (const FaultInput& input : run.inputs) {
    json.begin_object();
    json("tick", static_cast<int64_t>(input_tick(input, run.config.tick)));
    json("input", input.text);
    json.end_object();
  }
  json.end_array();
  const sim::SnapshotStoreStats stats = t.snapshots->stats();
  json.key("snapshots");
  json.begin_object();
  json.count("ticks_kept", stats.snapshots);
  json.count("entries", stats.entries);
  json.count("keyframes", stats.keyframes);
  json.count("pieces", stats.pieces);
  json.count("piece_raw_bytes", stats.piece_raw_bytes);
  json.count("piece_stored_bytes", stats.piece_stored_bytes);
  json.count("thinning_passes", stats.thinning_passes);
  json.count("thinned_ticks", stats.thinned_ticks);
  json.key("ranges");
  json.begin_array();
  for (const auto& [first, last] : t.snapshots->ranges()) {
    json.begin_array();
    json.number(static_cast<int64_t>(first));
    json.number(static_cast<int64_t>(last));
    json.end_array();
  }
  json.end_array();
  json.end_object();
  json.key("section_bytes");
  json.begin_object();
  for (const sim::SectionSize& section : sim::trace_section_sizes(t))
    json(section.name.c_str(), static_cast<int64_t>(section.bytes));
  json.end_object();
  json.end_object();
  return out;
}

}  // namespace

int info_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kInfoHelp);
    return kExitOk;
  }
  const bool json = args.take_flag("json");
  std::vector<std::string> files = args.take_positionals();
  if (sim::Status done = args.finish(); !done) return usage_error(io, "info", done.error().message);
  if (files.size() != 1) return usage_error(io, "info", "expected one trace file");
  sim::Result<TraceSession> session = TraceSession::open_file(files[0]);
  if (!session) return usage_error(io, "info", session.error().message);
  std::error_code size_error;
  const uint64_t file_bytes = std::filesystem::file_size(files[0], size_error);
  if (size_error) return usage_error(io, "info", fmt::format("{}: {}", files[0], size_error.message()));
  const sim::TraceFile& t = session->trace();
  const RunDescription& run = session->run();
  if (json) {
    fmt::print(io.out, "{}\n", info_json(files[0], file_bytes, *session));
    return kExitOk;
  }
  fmt::print(io.out, "trace {}: {} bytes\n", files[0], file_bytes);
  if (t.interruption) {
    fmt::print(io.out, "interrupted recording: {}; the trace holds what it wrote up to tick {}\n", *t.interruption,
               t.last_tick());
  }
  fmt::print(io.out, "format version {}, semantics version {}, recorded by {}\n", sim::kTraceFormatVersion,
             t.semantics_version, t.build_id);
  fmt::print(io.out, "scenario {}, seed {}, tick {}\n", run.scenario, hex(run.config.seed), run.config.tick);
  if (run.config.servers != 0 || run.config.clients != 0) {
    fmt::print(io.out, "servers {}, clients {}\n", run.config.servers, run.config.clients);
  }
  if (run.config.planted_bug != dmsg::PlantedBug::kNone) {
    fmt::print(io.out, "planted bug {}\n", enum_name(run.config.planted_bug));
  }
  if (!run.config.scenario_config.empty()) fmt::print(io.out, "configuration {}\n", run.config.scenario_config);
  if (const ScenarioInfo* scenario = find_scenario(run.scenario); scenario != nullptr && scenario->parameters) {
    const std::string parameters = scenario->parameters(run.config);
    const sim::Result<sim::JsonValue> parsed = sim::parse_json(parameters);
    fmt::print(io.out, "parameters {}\n", parsed ? parsed->to_text() : parameters);
  }
  // The profile's knobs (drawn from the seed, for swarm) live in the network's state.
  if (sim::Result<std::unique_ptr<ScenarioRunner>> runner = session->start()) {
    const sim::World& world = (*runner)->world();
    if (std::optional<sim::ActorId> network = find_network(world)) {
      fmt::print(io.out, "profile {}\n", net::describe_profile(world.actor_as<net::Network>(*network).profile()));
    }
  }
  if (t.fork) {
    fmt::print(io.out, "fork of a run with seed {} at tick {} (its chain there {}), new seed {}\n",
               hex(t.fork->parent_seed), t.fork->tick, hex(t.fork->parent_chain_hash), hex(t.fork->new_seed));
  }
  fmt::print(io.out, "ticks {} to {} ({} ticks), final chain {}\n", t.first_tick, t.last_tick(),
             t.last_tick() - t.first_tick, hex(t.chain.back()));
  fmt::print(io.out, "inputs ({}):\n", run.inputs.size());
  for (const FaultInput& input : run.inputs) {
    fmt::print(io.out, "  tick {:>8}  {}\n", input_tick(input, run.config.tick), input.text);
  }
  const sim::SnapshotStoreStats stats = t.snapshots->stats();
  const std::vector<std::pair<uint64_t, uint64_t>> ranges = t.snapshots->ranges();
  fmt::print(io.out,
             "snapshots: {} ticks kept ({} entries, {} keyframes; {} pieces, {} bytes, {} stored):", stats.snapshots,
             stats.entries, stats.keyframes, stats.pieces, stats.piece_raw_bytes, stats.piece_stored_bytes);
  for (size_t i = 0; i < ranges.size() && i < 12; ++i) {
    const auto [first_kept, last_kept] = ranges[i];
    if (first_kept == last_kept) {
      fmt::print(io.out, " {}", first_kept);
    } else {
      fmt::print(io.out, " {}-{}", first_kept, last_kept);
    }
  }
  fmt::print(io.out, "{}\n", ranges.size() > 12 ? " ..." : "");
  if (stats.thinning_passes != 0) {
    fmt::print(io.out, "thinned by the snapshot budget: {} passes dropped {} kept ticks (older ones sparser)\n",
               stats.thinning_passes, stats.thinned_ticks);
  }
  fmt::print(io.out, "sizes:");
  for (const sim::SectionSize& section : sim::trace_section_sizes(t))
    fmt::print(io.out, " {} {} bytes,", section.name, section.bytes);
  const uint64_t ticks = std::max<uint64_t>(1, t.last_tick() - t.first_tick);
  fmt::print(io.out, " {} bytes per million ticks\n", file_bytes * 1'000'000 / ticks);
  return kExitOk;
}

int replay_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kReplayHelp);
    return kExitOk;
  }
  std::optional<sim::LogFilter> filter;
  if (std::optional<std::string> text = args.take_value("log")) {
    sim::Result<sim::LogFilter> parsed = sim::LogFilter::parse(*text);
    if (parsed) {
      filter = parsed.value();
    } else {
      args.fail(fmt::format("--log: {}", parsed.error().message));
    }
  }
  std::optional<std::string> from = args.take_value("from");
  std::optional<std::string> to = args.take_value("to");
  std::optional<std::string> restore_at = args.take_value("restore-at");
  const bool json = args.take_flag("json");
  if ((from || to) && !filter) args.fail("--from and --to restrict the log: give --log too");
  std::string path;
  sim::Result<TraceSession> session = open_trace(args, path);
  if (sim::Status done = args.finish(); !done) return usage_error(io, "replay", done.error().message);
  if (!session) return usage_error(io, "replay", session.error().message);
  const sim::Duration tick = session->run().config.tick;
  std::optional<uint64_t> restore_tick;
  if (restore_at) {
    restore_tick = parse_tick(*restore_at, tick);
    if (!restore_tick || *restore_tick < session->trace().first_tick || *restore_tick > session->trace().last_tick()) {
      return usage_error(io, "replay",
                         fmt::format("--restore-at takes a tick or a time with a unit (2s) within the trace (ticks {} "
                                     "to {})",
                                     session->trace().first_tick, session->trace().last_tick()));
    }
  }
  std::unique_ptr<sim::Log> log;
  if (filter) {
    log = std::make_unique<sim::Log>(*filter, io.err);
    std::optional<uint64_t> from_tick = from ? parse_tick(*from, tick) : std::optional<uint64_t>(0);
    std::optional<uint64_t> to_tick =
        to ? parse_tick(*to, tick) : std::optional<uint64_t>(session->trace().last_tick());
    if (!from_tick || !to_tick || *from_tick > *to_tick) {
      return usage_error(io, "replay", "--from and --to take ticks or times with a unit (2s), from <= to");
    }
    // Tick t covers virtual time [t, t+1) ticks.
    log->set_window(sim::Instant::zero() + tick * static_cast<int64_t>(*from_tick),
                    sim::Instant::zero() + tick * static_cast<int64_t>(*to_tick + 1) - sim::Duration::nanoseconds(1));
  }
  sim::Result<ReplayOutcome> replayed =
      restore_tick ? session->replay_from_snapshot(*restore_tick, log.get()) : session->replay(log.get());
  if (!replayed) {
    fmt::print(io.err, "dmsgsim replay: {}\n", replayed.error().message);
    return kExitFailed;
  }
  const std::optional<Divergence>& divergence = replayed->divergence;
  const std::optional<Verdict>& verdict = replayed->verdict;
  const uint64_t ticks = session->trace().last_tick() - replayed->restored_at.value_or(session->trace().first_tick);
  if (json) {
    std::string out;
    sim::JsonWriter w(out);
    w.begin_object();
    w("file", path);
    w("replay", std::string(divergence ? "diverged" : "verified"));
    if (replayed->restored_at) w.count("restored_at", *replayed->restored_at);
    // The run's own verdict, re-derived: as the original run reported it.
    w.key("result");
    if (verdict) {
      w.string(result_word(*verdict));
      write_verdict_fields(w, *verdict);
    } else {
      w.null();
      w("unjudged", replayed->unjudged);
    }
    if (divergence) {
      const Divergence& d = *divergence;
      w("divergent_tick", static_cast<int64_t>(d.tick));
      w("recorded_chain_hash", d.recorded_chain);
      w("replayed_chain_hash", d.replayed_chain);
      w("events_in_tick", static_cast<int64_t>(d.events.size()));
      if (d.diff_tick) w("diff_tick", static_cast<int64_t>(*d.diff_tick));
      w.key("differences");
      write_differences(w, d.diff);
    } else {
      w("ticks_verified", static_cast<int64_t>(ticks));
    }
    w.string_or_null("interrupted", session->trace().interruption.value_or(""));
    w.end_object();
    fmt::print(io.out, "{}\n", out);
    return divergence ? kExitFailed : kExitOk;
  }
  if (divergence) {
    fmt::print(io.out, "{}", describe(*divergence));
    return kExitFailed;
  }
  fmt::print(io.out, "verified {} ticks", ticks);
  if (replayed->restored_at) fmt::print(io.out, " from the snapshot of tick {}", *replayed->restored_at);
  fmt::print(io.out, "\n");
  if (session->trace().interruption) {
    fmt::print(io.out, "the recording was interrupted ({}): the run is replayed up to tick {}\n",
               *session->trace().interruption, session->trace().last_tick());
  }
  if (verdict) {
    fmt::print(io.out, "result: {}\n", result_word(*verdict));
    print_verdict_lines(io.out, *verdict);
  } else {
    fmt::print(io.out, "result: not re-derived ({})\n", replayed->unjudged);
  }
  return kExitOk;
}

int seek_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kSeekHelp);
    return kExitOk;
  }
  std::optional<std::string> tick_text = args.take_value("tick");
  const bool json = args.take_flag("json");
  const bool text = args.take_flag("text");
  const bool hash = args.take_flag("hash");
  if (int(json) + int(text) + int(hash) > 1) args.fail("choose one of --json, --text and --hash");
  if (!tick_text) args.fail("--tick T is required");
  std::string path;
  sim::Result<TraceSession> session = open_trace(args, path);
  if (sim::Status done = args.finish(); !done) return usage_error(io, "seek", done.error().message);
  if (!session) return usage_error(io, "seek", session.error().message);
  std::optional<uint64_t> tick = parse_tick(*tick_text, session->run().config.tick);
  if (!tick)
    return usage_error(io, "seek", fmt::format("--tick takes a tick or a time with a unit, got '{}'", *tick_text));
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = session->at_tick(*tick);
  if (!runner) {
    const bool outside = *tick < session->trace().first_tick || *tick > session->trace().last_tick();
    fmt::print(io.err, "dmsgsim seek: {}\n", runner.error().message);
    return outside ? kExitBadInput : kExitFailed;
  }
  sim::World& world = (*runner)->world();
  if (json) {
    fmt::print(io.out, "{}", world.dump_json());
  } else if (hash) {
    fmt::print(io.out, "tick {}\nstate_hash {}\nchain_hash {}\n", world.tick(), hex(world.state_hash()),
               hex(world.chain_hash()));
  } else {
    fmt::print(io.out, "{}", state_text((*runner)->scenario(), world));
  }
  return kExitOk;
}

namespace {

// How two traces' runs differ before any tick runs: scenario, seed, configuration, inputs
// and length, one line each (nothing when they describe the same run).
std::vector<std::string> describe_run_differences(const TraceSession& a, const TraceSession& b) {
  std::vector<std::string> lines;
  const RunDescription& ra = a.run();
  const RunDescription& rb = b.run();
  auto differ = [&](std::string_view what, const std::string& left, const std::string& right) {
    if (left != right) lines.push_back(fmt::format("the runs differ in {}: {} | {}", what, left, right));
  };
  differ("scenario", ra.scenario, rb.scenario);
  differ("seed", hex(ra.config.seed), hex(rb.config.seed));
  differ("profile", ra.config.profile, rb.config.profile);
  differ("tick length", sim::format_duration(ra.config.tick), sim::format_duration(rb.config.tick));
  differ("servers and clients", fmt::format("{} and {}", ra.config.servers, ra.config.clients),
         fmt::format("{} and {}", rb.config.servers, rb.config.clients));
  differ("planted bug", std::string(enum_name(ra.config.planted_bug)), std::string(enum_name(rb.config.planted_bug)));
  differ("number of inputs", std::to_string(ra.inputs.size()), std::to_string(rb.inputs.size()));
  differ("length", fmt::format("ticks {} to {}", a.trace().first_tick, a.trace().last_tick()),
         fmt::format("ticks {} to {}", b.trace().first_tick, b.trace().last_tick()));
  return lines;
}

}  // namespace

namespace {

// What diff found, printed as text or JSON.
struct TraceDiff {
  std::vector<std::string> run_differences;
  uint64_t first_common = 0;
  uint64_t last_common = 0;
  std::optional<uint64_t> divergent;  // the first tick whose chain differs
  std::vector<sim::JsonDifference> states;
  std::optional<std::string> unavailable;  // why the states could not be rebuilt
};

void print_diff_text(const TraceDiff& d, const TraceSession& a, const TraceSession& b,
                     const std::vector<std::string>& files, const Io& io) {
  for (const std::string& line : d.run_differences) fmt::print(io.out, "{}\n", line);
  if (!d.divergent) {
    fmt::print(io.out, "the traces agree on ticks {} to {}\n", d.first_common, d.last_common);
    return;
  }
  // The chain differs first after tick divergent - 1, which is the tick that ran
  // differently; if they differ at their first common tick, they differ from the start.
  const uint64_t t = *d.divergent;
  if (t == d.first_common) {
    fmt::print(io.out, "the traces differ from their first common tick, {}: {} has chain {}, {} has {}\n", t, files[0],
               hex(a.chain_at(t)), files[1], hex(b.chain_at(t)));
  } else {
    fmt::print(io.out, "first divergent tick {}: after it {} has chain {}, {} has {}\n", t - 1, files[0],
               hex(a.chain_at(t)), files[1], hex(b.chain_at(t)));
  }
  if (d.unavailable) {
    fmt::print(io.out, "(cannot rebuild the states there: {})\n", *d.unavailable);
    return;
  }
  fmt::print(io.out, "state differences after it, at tick {} ({}, then {}):\n", t, files[0], files[1]);
  for (const sim::JsonDifference& x : d.states) fmt::print(io.out, "  {}: {} | {}\n", x.path, x.left, x.right);
}

void print_diff_json(const TraceDiff& d, const TraceSession& a, const TraceSession& b, const Io& io) {
  std::string out;
  sim::JsonWriter json(out);
  json.begin_object();
  json("run_differences", d.run_differences);
  json("first_common_tick", static_cast<int64_t>(d.first_common));
  json("last_common_tick", static_cast<int64_t>(d.last_common));
  json("agree", !d.divergent.has_value());
  if (d.divergent) {
    const uint64_t t = *d.divergent;
    // The first tick whose chain differs; the tick that ran differently is the one before
    // it, unless the traces differ from their first common tick (a fork does).
    json("first_differing_chain_tick", static_cast<int64_t>(t));
    if (t > d.first_common) json("first_divergent_tick", static_cast<int64_t>(t - 1));
    json("chain_hashes", std::vector<uint64_t>{a.chain_at(t), b.chain_at(t)});
    if (d.unavailable) json("states_unavailable", *d.unavailable);
    json.key("state_differences");
    write_differences(json, d.states);
  }
  json.end_object();
  fmt::print(io.out, "{}\n", out);
}

}  // namespace

int diff_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kDiffHelp);
    return kExitOk;
  }
  const bool json = args.take_flag("json");
  std::vector<std::string> files = args.take_positionals();
  if (sim::Status done = args.finish(); !done) return usage_error(io, "diff", done.error().message);
  if (files.size() != 2) return usage_error(io, "diff", "expected two trace files");
  sim::Result<TraceSession> a = TraceSession::open_file(files[0]);
  if (!a) return usage_error(io, "diff", a.error().message);
  sim::Result<TraceSession> b = TraceSession::open_file(files[1]);
  if (!b) return usage_error(io, "diff", b.error().message);
  TraceDiff d;
  // Traces of different runs differ for a reason that says more than a tick: say it first.
  d.run_differences = describe_run_differences(*a, *b);
  d.first_common = std::max(a->trace().first_tick, b->trace().first_tick);
  d.last_common = std::min(a->trace().last_tick(), b->trace().last_tick());
  if (d.first_common > d.last_common) return usage_error(io, "diff", "the traces share no tick");
  for (uint64_t t = d.first_common; t <= d.last_common && !d.divergent; ++t) {
    if (a->chain_at(t) != b->chain_at(t)) d.divergent = t;
  }
  if (d.divergent) {
    sim::Result<std::unique_ptr<ScenarioRunner>> left = a->at_tick(*d.divergent);
    sim::Result<std::unique_ptr<ScenarioRunner>> right = b->at_tick(*d.divergent);
    if (!left || !right) {
      d.unavailable = !left ? left.error().message : right.error().message;
    } else {
      d.states = sim::diff_json(world_json((*left)->world()), world_json((*right)->world()));
    }
  }
  json ? print_diff_json(d, *a, *b, io) : print_diff_text(d, *a, *b, files, io);
  return d.divergent ? kExitFailed : kExitOk;
}

int fork_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kForkHelp);
    return kExitOk;
  }
  std::optional<std::string> tick_text = args.take_value("tick");
  std::optional<uint64_t> seed = args.take_u64("seed");
  std::optional<std::string> out = args.take_value("trace");
  std::optional<std::string> extra_text = args.take_value("ticks");
  const bool json = args.take_flag("json");
  if (!tick_text || !seed || !out) args.fail("--tick, --seed and --trace are required");
  std::string path;
  sim::Result<TraceSession> session = open_trace(args, path);
  if (sim::Status done = args.finish(); !done) return usage_error(io, "fork", done.error().message);
  if (!session) return usage_error(io, "fork", session.error().message);
  std::optional<uint64_t> tick = parse_tick(*tick_text, session->run().config.tick);
  if (!tick)
    return usage_error(io, "fork", fmt::format("--tick takes a tick or a time with a unit, got '{}'", *tick_text));
  // The fork runs on from its tick, so how far it may go depends on where it starts.
  const uint64_t max_extra =
      max_run_ticks(session->run().config.tick) - std::min(*tick, max_run_ticks(session->run().config.tick));
  std::optional<uint64_t> extra_ticks;
  if (extra_text) {
    extra_ticks = parse_u64(*extra_text);
    if (!extra_ticks || *extra_ticks < 1 || *extra_ticks > max_extra) {
      return usage_error(io, "fork",
                         fmt::format("--ticks takes 1 to {} from tick {}, got '{}'", max_extra, *tick, *extra_text));
    }
  }
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = session->at_tick(*tick);
  if (!runner) {
    fmt::print(io.err, "dmsgsim fork: {}\n", runner.error().message);
    return *tick > session->trace().last_tick() ? kExitBadInput : kExitFailed;
  }
  sim::World& world = (*runner)->world();
  const sim::ForkOrigin origin{session->run().config.seed, world.chain_hash(), *tick, *seed};
  world.reseed_for_fork(*seed);
  world.set_snapshot_policy(recording_snapshot_policy());
  world.set_snapshot_budget(kDefaultSnapshotBudget);
  world.keep_snapshot_now();
  sim::Result<std::unique_ptr<sim::TraceRecorder>> recorder =
      start_recording(**runner, *out, kDefaultTraceBudget, origin);
  if (!recorder) return usage_error(io, "fork", recorder.error().message);
  const uint64_t until = extra_ticks ? *tick + *extra_ticks : session->trace().last_tick();
  while (world.tick() < until) (*runner)->run_tick();
  const sim::Result<uint64_t> written = (*recorder)->finish();
  if (!written) return usage_error(io, "fork", written.error().message);
  if (json) {
    std::string text;
    sim::JsonWriter w(text);
    w.begin_object();
    w("parent", path);
    w("tick", static_cast<int64_t>(*tick));
    w("seed", *seed);
    w("ticks", static_cast<int64_t>(until - *tick));
    w("trace", *out);
    w("bytes", static_cast<int64_t>(*written));
    w("final_chain_hash", world.chain_hash());
    w.end_object();
    fmt::print(io.out, "{}\n", text);
    return kExitOk;
  }
  fmt::print(io.out, "forked {} at tick {} with seed {}: {} ticks to {} ({} bytes), final chain {}\n", path, *tick,
             hex(*seed), until - *tick, *out, *written, hex(world.chain_hash()));
  return kExitOk;
}

}  // namespace scenarios::cli
