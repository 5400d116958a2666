// `dmsgsim info`, `replay`, `seek`, `diff` and `fork`: working with recorded traces.
#include "net/network.h"
#include "scenarios/cli/commands.h"
#include "scenarios/cli/tick_arg.h"
#include "scenarios/replay/trace_session.h"
#include "scenarios/run/actor_types.h"
#include "scenarios/world/net_assembly.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/json_writer.h"

namespace scenarios::cli {
namespace {

constexpr std::string_view kInfoHelp = R"(usage: dmsgsim info FILE

Prints a trace's header (versions, build, scenario, seed, configuration), its external
inputs with their ticks, its number of ticks and snapshots, and its sizes.
)";

constexpr std::string_view kReplayHelp = R"(usage: dmsgsim replay FILE [--log FILTER] [--from T] [--to T]

Re-executes a trace from its start and checks the state hash chain at every tick.
Exit 0 with "verified N ticks"; exit 1 at the first tick that ran differently, with the
events of that tick and a structural diff of the states at the first snapshot after it.
  --log FILTER   the deterministic log on stderr (e.g. info, or warn,transfer=debug)
  --from, --to   restrict the log to a range of ticks; a time with a unit (2s) is
                 the tick containing it
)";

constexpr std::string_view kSeekHelp = R"(usage: dmsgsim seek FILE --tick T [--json | --text | --hash]

The state at tick T (an integer, or a time with a unit), rebuilt from the nearest
snapshot at or before T and re-executed, checking the chain on the way.
  --json   the whole state as JSON (maps keyed by id, 64-bit values as hex strings)
  --text   a one-screen summary (the default)
  --hash   tick, state_hash and chain_hash
)";

constexpr std::string_view kDiffHelp = R"(usage: dmsgsim diff A B

The first tick that ran differently in two traces (their hash chains differ after it),
and a structural diff (field paths, both values) of their states right after it. Exit 0 when they agree on every tick
both recorded, 1 when they differ.
)";

constexpr std::string_view kForkHelp = R"(usage: dmsgsim fork FILE --tick T --seed S --trace OUT [--ticks N]

The run of FILE from tick T on, with every random stream reseeded from (chain hash at T,
T, S). OUT records its parentage and a snapshot at T, so it replays on its own. It runs
as far as FILE did, or N ticks past T.
)";

// The one positional argument, a trace file, opened.
sim::Result<TraceSession> open_trace(Args& args, std::string& path) {
  std::vector<std::string> files = args.take_positionals();
  if (files.size() != 1) return sim::Error{fmt::format("expected one trace file, got {}", files.size())};
  path = files[0];
  return TraceSession::open_file(path);
}

std::string hex(uint64_t v) { return fmt::format("0x{:016x}", v); }

}  // namespace

int info_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kInfoHelp);
    return kExitOk;
  }
  std::vector<std::string> files = args.take_positionals();
  if (sim::Status done = args.finish(); !done) return usage_error(io, "info", done.error().message);
  if (files.size() != 1) return usage_error(io, "info", "expected one trace file");
  sim::Result<sim::Bytes> bytes = sim::read_file(files[0]);
  if (!bytes) return usage_error(io, "info", bytes.error().message);
  sim::Result<TraceSession> session = TraceSession::open_file(files[0]);
  if (!session) return usage_error(io, "info", session.error().message);
  const sim::TraceFile& t = session->trace();
  const RunDescription& run = session->run();
  fmt::print(io.out, "trace {}: {} bytes\n", files[0], bytes->size());
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
  // The profile's knobs (drawn from the seed, for swarm) live in the network's state.
  if (sim::Result<std::unique_ptr<sim::World>> world = sim::World::restore(t.snapshots.front(), all_actor_types())) {
    if (std::optional<sim::ActorId> network = find_network(**world)) {
      fmt::print(io.out, "profile {}\n", net::describe_profile((*world)->actor_as<net::Network>(*network).profile()));
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
  fmt::print(io.out, "snapshots ({}):", t.snapshots.size());
  for (size_t i = 0; i < t.snapshots.size() && i < 12; ++i) fmt::print(io.out, " {}", t.snapshots[i].tick);
  fmt::print(io.out, "{}\n", t.snapshots.size() > 12 ? " ..." : "");
  fmt::print(io.out, "sizes:");
  for (const sim::SectionSize& section : sim::trace_section_sizes(t))
    fmt::print(io.out, " {} {} bytes,", section.name, section.bytes);
  const uint64_t ticks = std::max<uint64_t>(1, t.last_tick() - t.first_tick);
  fmt::print(io.out, " {} bytes per million ticks\n", bytes->size() * 1'000'000 / ticks);
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
  if ((from || to) && !filter) args.fail("--from and --to restrict the log: give --log too");
  std::string path;
  sim::Result<TraceSession> session = open_trace(args, path);
  if (sim::Status done = args.finish(); !done) return usage_error(io, "replay", done.error().message);
  if (!session) return usage_error(io, "replay", session.error().message);
  const sim::Duration tick = session->run().config.tick;
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
  sim::Result<std::optional<Divergence>> result = session->replay(log.get());
  if (!result) {
    fmt::print(io.err, "dmsgsim replay: {}\n", result.error().message);
    return kExitFailed;
  }
  if (*result) {
    fmt::print(io.out, "{}", describe(**result));
    return kExitFailed;
  }
  fmt::print(io.out, "verified {} ticks\n", session->trace().last_tick() - session->trace().first_tick);
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
    fmt::print(io.out, "{}", world.summary());
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

int diff_command(Args& args, const Io& io) {
  if (args.take_flag("help")) {
    fmt::print(io.out, "{}", kDiffHelp);
    return kExitOk;
  }
  std::vector<std::string> files = args.take_positionals();
  if (sim::Status done = args.finish(); !done) return usage_error(io, "diff", done.error().message);
  if (files.size() != 2) return usage_error(io, "diff", "expected two trace files");
  sim::Result<TraceSession> a = TraceSession::open_file(files[0]);
  if (!a) return usage_error(io, "diff", a.error().message);
  sim::Result<TraceSession> b = TraceSession::open_file(files[1]);
  if (!b) return usage_error(io, "diff", b.error().message);
  // Traces of different runs differ for a reason that says more than a tick: say it first.
  for (const std::string& line : describe_run_differences(*a, *b)) fmt::print(io.out, "{}\n", line);
  const uint64_t first = std::max(a->trace().first_tick, b->trace().first_tick);
  const uint64_t last = std::min(a->trace().last_tick(), b->trace().last_tick());
  if (first > last) return usage_error(io, "diff", "the traces share no tick");
  std::optional<uint64_t> divergent;
  for (uint64_t t = first; t <= last; ++t) {
    if (a->chain_at(t) != b->chain_at(t)) {
      divergent = t;
      break;
    }
  }
  if (!divergent) {
    fmt::print(io.out, "the traces agree on ticks {} to {}\n", first, last);
    return kExitOk;
  }
  // The chain differs first after tick divergent - 1, which is the tick that ran
  // differently; if they differ at their first common tick, they differ from the start.
  if (*divergent == first) {
    fmt::print(io.out, "the traces differ from their first common tick, {}: {} has chain {}, {} has {}\n", first,
               files[0], hex(a->chain_at(first)), files[1], hex(b->chain_at(first)));
  } else {
    fmt::print(io.out, "first divergent tick {}: after it {} has chain {}, {} has {}\n", *divergent - 1, files[0],
               hex(a->chain_at(*divergent)), files[1], hex(b->chain_at(*divergent)));
  }
  sim::Result<std::unique_ptr<ScenarioRunner>> left = a->at_tick(*divergent);
  sim::Result<std::unique_ptr<ScenarioRunner>> right = b->at_tick(*divergent);
  if (!left || !right) {
    fmt::print(io.out, "(cannot rebuild the states there: {})\n", !left ? left.error().message : right.error().message);
    return kExitFailed;
  }
  const std::vector<sim::JsonDifference> diff =
      sim::diff_json(world_json((*left)->world()), world_json((*right)->world()));
  fmt::print(io.out, "state differences after it, at tick {} ({}, then {}):\n", *divergent, files[0], files[1]);
  for (const sim::JsonDifference& d : diff) fmt::print(io.out, "  {}: {} | {}\n", d.path, d.left, d.right);
  return kExitFailed;
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
  world.set_snapshot_policy(default_snapshot_policy());
  world.keep_snapshot_now();
  const uint64_t until = extra_ticks ? *tick + *extra_ticks : session->trace().last_tick();
  while (world.tick() < until) (*runner)->run_tick();
  const sim::Bytes file = sim::encode_trace(record_trace(**runner, origin));
  if (sim::Status written = sim::write_file(*out, file); !written)
    return usage_error(io, "fork", written.error().message);
  fmt::print(io.out, "forked {} at tick {} with seed {}: {} ticks to {} ({} bytes), final chain {}\n", path, *tick,
             hex(*seed), until - *tick, *out, file.size(), hex(world.chain_hash()));
  return kExitOk;
}

}  // namespace scenarios::cli
