// Recording and re-executing traces.
#include "scenarios/replay/trace_session.h"

#include "scenarios/run/actor_types.h"
#include "sim/binary.h"
#include "sim/file_io.h"
#include "sim/fmt.h"

namespace scenarios {
namespace {

// Differences kept for a divergence, and shown to a person.
constexpr size_t kMaxDifferences = 5000;
constexpr size_t kPrintedDifferences = 200;

}  // namespace

sim::SnapshotPolicy default_snapshot_policy() { return sim::SnapshotPolicy{100'000, 50'000}; }

sim::SnapshotPolicy recording_snapshot_policy() { return sim::SnapshotPolicy{1, 0}; }

sim::TraceFile record_trace(ScenarioRunner& runner, std::optional<sim::ForkOrigin> fork) {
  sim::World& world = runner.world();
  world.start();
  sim::TraceFile trace;
  trace.semantics_version = sim::kTraceSemanticsVersion;
  trace.build_id = sim::this_build_id();
  trace.run = sim::encode(RunDescription{std::string(runner.scenario().name), runner.config(), runner.inputs()});
  trace.first_tick = fork ? fork->tick : world.first_chain_tick();
  for (uint64_t t = trace.first_tick; t <= world.tick(); ++t) trace.chain.push_back(world.chain_at(t));
  trace.snapshots = world.shared_snapshots();
  SIM_ASSERT_MSG(!trace.snapshots->empty() && trace.snapshots->first_tick() == trace.first_tick,
                 "a recorded run keeps a snapshot at its first tick (set a snapshot policy before it starts)");
  trace.fork = fork;
  return trace;
}

sim::Result<std::unique_ptr<sim::TraceRecorder>> start_recording(ScenarioRunner& runner, const std::string& path,
                                                                 uint64_t file_budget,
                                                                 std::optional<sim::ForkOrigin> fork) {
  sim::TraceRecording recording;
  recording.path = path;
  recording.file_budget = file_budget;
  return start_recording(runner, std::move(recording), fork);
}

sim::Result<std::unique_ptr<sim::TraceRecorder>> start_recording(ScenarioRunner& runner, sim::TraceRecording recording,
                                                                 std::optional<sim::ForkOrigin> fork) {
  sim::World& world = runner.world();
  world.start();
  sim::TraceHead head;
  head.semantics_version = sim::kTraceSemanticsVersion;
  head.build_id = sim::this_build_id();
  head.run = sim::encode(RunDescription{std::string(runner.scenario().name), runner.config(), runner.inputs()});
  head.first_tick = fork ? fork->tick : world.first_chain_tick();
  head.fork = fork;
  recording.take_run_addition = [&runner, written = runner.inputs().size()]() mutable {
    const std::vector<FaultInput>& inputs = runner.inputs();
    if (written == inputs.size()) return sim::Bytes{};
    const std::vector<FaultInput> added(inputs.begin() + static_cast<std::ptrdiff_t>(written), inputs.end());
    written = inputs.size();
    return sim::encode(added);
  };
  return sim::TraceRecorder::start(world, std::move(head), std::move(recording));
}

// The judge sees the boundary, then the inputs applied at it, as a live run's does.
sim::Status judge_boundary(RunJudge& judge, ScenarioRunner& runner) {
  judge.at_boundary(runner.world());
  for (const FaultInput* input : runner.inputs_due()) {
    if (sim::Status taken = judge.take(*input, runner.world()); !taken) return taken;
  }
  return sim::Ok{};
}

std::string describe(const Divergence& d) {
  std::string text =
      fmt::format("diverged in tick {}: the chain after it was recorded as 0x{:016x}, replayed as 0x{:016x}\n", d.tick,
                  d.recorded_chain, d.replayed_chain);
  text += fmt::format("events of tick {} ({}):\n", d.tick, d.events.size());
  for (const sim::Event& e : d.events) {
    text += fmt::format("  {} seq {} -> actor {} (incarnation {}) kind {} args 0x{:x} 0x{:x}\n", e.time, e.seq,
                        e.target, e.incarnation, e.kind, e.arg0, e.arg1);
  }
  if (!d.diff_tick) {
    text += "no recorded snapshot at or after that tick to compare states with (record with --snapshot-every 1)\n";
    return text;
  }
  text += fmt::format("state differences at tick {} (recorded, then replayed):\n", *d.diff_tick);
  if (d.diff.empty()) text += "  none in the dumped state (the difference is in a digest-only field)\n";
  for (size_t i = 0; i < d.diff.size() && i < kPrintedDifferences; ++i) {
    text += fmt::format("  {}: {} | {}\n", d.diff[i].path, d.diff[i].left, d.diff[i].right);
  }
  if (d.diff.size() > kPrintedDifferences)
    text += fmt::format("  ... and {} more\n", d.diff.size() - kPrintedDifferences);
  return text;
}

sim::JsonValue world_json(sim::World& world) {
  sim::Result<sim::JsonValue> parsed = sim::parse_json(world.dump_json());
  SIM_ASSERT_MSG(parsed.ok(), "the world's own dump does not parse: {}", parsed.ok() ? "" : parsed.error().message);
  return std::move(parsed).value();
}

sim::Result<TraceSession> TraceSession::open(sim::TraceFile trace) {
  TraceSession session;
  try {
    sim::Reader reader(trace.run);
    reader.read(session.run_);
    if (reader.remaining() != 0) return sim::Error{"corrupt trace: unexpected bytes after the run description"};
    for (const sim::Bytes& addition : trace.run_additions) {
      std::vector<FaultInput> added;
      sim::Reader more(addition);
      more.read(added);
      if (more.remaining() != 0) return sim::Error{"corrupt trace: unexpected bytes after the inputs added to the run"};
      session.run_.inputs.insert(session.run_.inputs.end(), added.begin(), added.end());
    }
  } catch (const sim::DecodeError& e) {
    return sim::Error{fmt::format("corrupt trace: the run description: {}", e.what())};
  }
  session.scenario_ = find_scenario(session.run_.scenario);
  if (session.scenario_ == nullptr) {
    return sim::Error{
        fmt::format("the trace runs scenario '{}', which this build does not have", session.run_.scenario)};
  }
  if (session.run_.config.tick <= sim::Duration::zero())
    return sim::Error{"corrupt trace: the tick length is not positive"};
  session.trace_ = std::move(trace);
  return session;
}

sim::Result<TraceSession> TraceSession::open_file(const std::string& path) {
  sim::Result<sim::Bytes> bytes = sim::read_file(path);
  if (!bytes) return bytes.error();
  sim::Result<sim::TraceFile> trace = sim::decode_trace(*bytes);
  if (!trace) return sim::Error{fmt::format("{}: {}", path, trace.error().message)};
  return open(std::move(trace).value());
}

uint64_t TraceSession::chain_at(uint64_t tick) const {
  SIM_ASSERT_GE(tick, trace_.first_tick);
  SIM_ASSERT_LE(tick, trace_.last_tick());
  return trace_.chain[tick - trace_.first_tick];
}

sim::Result<std::unique_ptr<ScenarioRunner>> TraceSession::start(sim::Log* log) const {
  if (trace_.first_tick == 0) {
    sim::Result<std::unique_ptr<ScenarioRunner>> runner =
        ScenarioRunner::create(*scenario_, run_.config, run_.inputs, log);
    if (!runner) return runner.error();
    if ((*runner)->world().chain_hash() != chain_at(0)) {
      return sim::Error{
          fmt::format("the trace's world does not build the same: tick 0 hashes to 0x{:016x}, recorded "
                      "0x{:016x}",
                      (*runner)->world().chain_hash(), chain_at(0))};
    }
    return runner;
  }
  return resume_at(trace_.first_tick, log);
}

sim::Result<std::unique_ptr<ScenarioRunner>> TraceSession::resume_at(uint64_t kept_tick, sim::Log* log) const {
  sim::Result<sim::Snapshot> snapshot = trace_.snapshot_at(kept_tick);
  if (!snapshot)
    return sim::Error{fmt::format("corrupt trace: the snapshot of tick {}: {}", kept_tick, snapshot.error().message)};
  return ScenarioRunner::resume(*scenario_, run_.config, run_.inputs, *snapshot, log);
}

std::optional<Divergence> TraceSession::advance_verified(ScenarioRunner& runner, uint64_t tick,
                                                         std::vector<sim::Event>* ran, JudgeOnTheWay* judge) const {
  SIM_ASSERT_LE(tick, trace_.last_tick());
  std::vector<sim::Event> events;
  runner.world().set_event_sink(&events);
  std::optional<Divergence> divergence;
  while (runner.world().tick() < tick) {
    if (judge != nullptr && judge->error.empty()) {
      if (sim::Status judged = judge_boundary(*judge->judge, runner); !judged) judge->error = judged.error().message;
    }
    events.clear();
    runner.run_tick();
    if (ran != nullptr) ran->insert(ran->end(), events.begin(), events.end());
    const uint64_t now = runner.world().tick();
    if (runner.world().chain_hash() != chain_at(now)) {
      divergence = Divergence{now - 1, chain_at(now), runner.world().chain_hash(), events, std::nullopt, {}};
      break;
    }
  }
  runner.world().set_event_sink(nullptr);
  return divergence;
}

sim::Result<std::unique_ptr<ScenarioRunner>> TraceSession::at_tick(uint64_t tick, sim::Log* log) const {
  if (tick < trace_.first_tick || tick > trace_.last_tick()) {
    return sim::Error{
        fmt::format("tick {} is outside the trace (ticks {} to {})", tick, trace_.first_tick, trace_.last_tick())};
  }
  const uint64_t base = trace_.snapshot_tick_at_or_before(tick);
  // From the start, a run is built rather than restored (its world is checked against tick 0).
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = base == 0 ? start(log) : resume_at(base, log);
  if (!runner) return runner.error();
  if (std::optional<Divergence> d = advance_verified(**runner, tick)) {
    return sim::Error{fmt::format("re-execution does not match the trace:\n{}", describe(*d))};
  }
  return runner;
}

void TraceSession::add_state_diff(ScenarioRunner& runner, Divergence& divergence) const {
  const std::optional<uint64_t> kept = trace_.snapshots->after(divergence.tick);
  if (!kept) return;
  sim::Result<sim::Snapshot> recorded = trace_.snapshot_at(*kept);
  if (!recorded) return;
  while (runner.world().tick() < *kept) runner.run_tick();
  sim::Result<std::unique_ptr<sim::World>> expected = sim::World::restore(*recorded, all_actor_types());
  if (!expected) return;
  divergence.diff_tick = *kept;
  divergence.diff = sim::diff_json(world_json(**expected), world_json(runner.world()), kMaxDifferences);
}

sim::Result<ReplayOutcome> TraceSession::replay(sim::Log* log) const {
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = start(log);
  if (!runner) return runner.error();
  ReplayOutcome outcome;
  std::unique_ptr<RunJudge> judge;
  if (trace_.fork) {
    outcome.unjudged = "a fork starts from a snapshot, without its checks' history: its verdict is not re-derived";
  } else if (sim::Result<std::unique_ptr<RunJudge>> made = make_run_judge(*scenario_, run_.config, (*runner)->world());
             made) {
    judge = std::move(made).value();
  } else {
    outcome.unjudged = made.error().message;
  }
  JudgeOnTheWay on_the_way{judge.get(), ""};
  outcome.divergence = advance_verified(**runner, trace_.last_tick(), nullptr, judge ? &on_the_way : nullptr);
  if (outcome.divergence) {
    add_state_diff(**runner, *outcome.divergence);
    outcome.unjudged = "the replay diverged";
    return outcome;
  }
  if (!on_the_way.error.empty()) {
    outcome.unjudged = on_the_way.error;
  } else if (judge) {
    // The last boundary is judged too: the live run's last check happened there.
    judge->at_boundary((*runner)->world());
    outcome.verdict = judge->verdict((*runner)->world());
  }
  return outcome;
}

sim::Result<ReplayOutcome> TraceSession::replay_from_snapshot(uint64_t tick, sim::Log* log) const {
  if (tick < trace_.first_tick || tick > trace_.last_tick()) {
    return sim::Error{
        fmt::format("tick {} is outside the trace (ticks {} to {})", tick, trace_.first_tick, trace_.last_tick())};
  }
  const uint64_t base = trace_.snapshot_tick_at_or_before(tick);
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = resume_at(base, log);
  if (!runner) {
    return sim::Error{fmt::format("the snapshot of tick {} does not restore: {}", base, runner.error().message)};
  }
  ReplayOutcome outcome;
  outcome.restored_at = base;
  outcome.unjudged =
      fmt::format("restored from the snapshot of tick {}: a verdict needs the checks from the start", base);
  outcome.divergence = advance_verified(**runner, trace_.last_tick());
  if (outcome.divergence) add_state_diff(**runner, *outcome.divergence);
  return outcome;
}

}  // namespace scenarios
