// The control panel: batches, checks, and the choice of each event's targets.
#include "scenarios/chaos/panel.h"

#include "scenarios/chaos/chaos_world.h"
#include "scenarios/replay/trace_session.h"
#include "sim/fmt.h"

namespace scenarios::chaos {
namespace {

// Handling drawn for each start: most clients accept and read.
const sim::Ratio kAccepts(3, 4);
const sim::Ratio kReads(3, 4);
// A write is LENGTH x COUNT bytes; a write on a stream whose ends both read closes it
// afterwards with this probability.
constexpr uint64_t kMaxWriteLength = 16 * 1024;
constexpr uint64_t kMaxWriteCount = 8;
const sim::Ratio kCloseAfterWrite(1, 8);

std::string handling_words(const Handling& h) {
  return fmt::format("handling {} {}", h.accepts ? "accept" : "no-accept", h.reads ? "read" : "no-read");
}

std::string stop_input(StopHow how, const std::string& node) { return fmt::format("{} {}", enum_name(how), node); }

}  // namespace

RunConfig ControlPanel::run_config(const ChaosConfig& config, uint64_t seed, dmsg::PlantedBug bug) {
  RunConfig run;
  run.seed = seed;
  run.profile = config.profile;
  run.servers = config.servers;
  run.clients = config.clients;
  run.planted_bug = bug;
  run.scenario_config = chaos_config_json(config);
  return run;
}

ControlPanel::ControlPanel(const ChaosConfig& config, uint64_t seed)
    : config_(config),
      seed_(seed),
      picker_(config, sim::Rng::stream(seed, "chaos/panel/picker")),
      rng_(sim::Rng::stream(seed, "chaos/panel/targets")),
      hostile_rng_(sim::Rng::stream(seed, "chaos/panel/hostile")) {}

sim::Result<std::unique_ptr<ControlPanel>> ControlPanel::create(const ChaosConfig& config, uint64_t seed,
                                                                dmsg::PlantedBug bug, sim::Log* log) {
  std::unique_ptr<ControlPanel> panel(new ControlPanel(config, seed));
  panel->bug_ = bug;
  if (config.verify_snapshots) panel->snapshot_check_.emplace();
  sim::Result<std::unique_ptr<ScenarioRunner>> runner =
      ScenarioRunner::create(*find_scenario("chaos"), run_config(config, seed, bug), {}, log);
  if (!runner) return runner.error();
  panel->runner_ = std::move(runner).value();
  const sim::Duration tick = panel->runner_->world().tick_length();
  if (config.batch_interval < tick || config.batch_interval.ns() % tick.ns() != 0) {
    return sim::Error{fmt::format("the batch interval {} is not a whole number of ticks (a tick is {})",
                                  config.batch_interval, tick)};
  }
  // Kept so that a failure can write the run's trace (and rebuild the earlier state).
  panel->runner_->world().set_snapshot_policy(default_snapshot_policy());
  panel->judge_ = std::make_unique<ChaosJudge>(config, bug, panel->runner_->world());
  return panel;
}

void ControlPanel::input(const std::string& text) {
  const sim::Instant now = runner_->world().now();
  sim::Result<FaultInput> parsed =
      parse_fault(fmt::format("{} {}", sim::format_duration(now - sim::Instant::zero()), text));
  SIM_ASSERT_MSG(parsed.ok(), "the panel made a malformed input '{}': {}", text, parsed.error().message);
  const sim::Status taken = judge_->take(parsed.value(), runner_->world());
  SIM_ASSERT_MSG(taken.ok(), "the judge cannot take the panel's input '{}': {}", text, taken.error().message);
  const sim::Status added = runner_->add_input(std::move(parsed).value());
  SIM_ASSERT_MSG(added.ok(), "the panel made an invalid input '{}': {}", text, added.error().message);
}

uint32_t ControlPanel::open_streams(const WorldView& view) const {
  uint32_t open = 0;
  for (const auto& [id, s] : view.streams) {
    const auto live = [](const EndView& e) {
      return e.present && (e.phase == ChaosPhase::kOpen || e.phase == ChaosPhase::kDialing);
    };
    open += live(s.at_dialer) || live(s.at_acceptor) ? 1 : 0;
  }
  return open;
}

Verdict snapshot_verdict(const SnapshotMismatch& m, dmsg::PlantedBug bug) {
  Failure f;
  f.check_id = "snapshot.restored_state";
  f.field = m.first_path().empty() ? "" : m.first_path().substr(1);  // a JSON pointer without its leading '/'
  f.entity = f.field;
  if (!m.differences.empty()) {
    f.expected = m.differences.front().left;
    f.actual = m.differences.front().right;
  } else {
    f.expected = fmt::format("state hash 0x{:016x}", m.recorded_state_hash);
    f.actual = m.restore_error.empty() ? fmt::format("state hash 0x{:016x}", m.rerun_state_hash) : m.restore_error;
  }
  f.tick = m.to_tick;
  Verdict v;
  v.passed = false;
  v.failures = {f};
  v.fingerprint = fingerprint("chaos", f, bug);
  v.last_passing_tick = m.from_tick;
  return v;
}

bool ControlPanel::snapshot_boundary(ChaosResult& result) {
  if (!snapshot_check_) return true;
  std::optional<SnapshotMismatch> mismatch = snapshot_check_->at_boundary(*runner_);
  result.snapshot_checks = snapshot_check_->intervals_checked();
  if (!mismatch) return true;
  result.snapshot_mismatch = std::move(mismatch);
  return false;
}

ChaosResult ControlPanel::run(std::function<bool()> stop_requested) {
  sim::World& world = runner_->world();
  ChaosResult result;
  judge_->at_boundary(world);
  snapshot_boundary(result);
  // The first boundary: every client's handling for its first incarnation.
  for (uint32_t c = 0; c < config_.clients; ++c) {
    const Handling handling{rng_.chance(kAccepts), rng_.chance(kReads)};
    input(fmt::format("command {} {}", client_name(c), handling_words(handling)));
  }
  while (!judge_->done()) {
    if (stop_requested && stop_requested()) {
      result.interrupted = true;
      break;
    }
    runner_->run_tick();
    judge_->at_boundary(world);
    const ChaosJudge::Turn& turn = judge_->turn();
    // A failure of the world's own checks comes first: it is found without restoring anything.
    if ((turn.batch || judge_->done()) && judge_->tally().passed && !snapshot_boundary(result)) break;
    // Faults stop: a standing partition is lifted, and the system must settle by itself.
    if (turn.fault_phase_ended && model().partitioned()) input("heal");
    end_hostile_spans(turn.fault_phase_ended);
    if (turn.calm_network) input("calm");
    if (turn.batch) batch(turn.faults_allowed);
  }
  static_cast<ChaosTally&>(result) = judge_->tally();
  result.seed = seed_;
  result.verdict = judge_->verdict(world);
  if (const std::optional<SnapshotMismatch>& m = result.snapshot_mismatch) {
    // The world's own checks passed so far: the snapshot check is the failure.
    result.verdict = snapshot_verdict(*m, bug_);
    result.passed = false;
    result.before_tick = m->from_tick;
    result.failed_tick = m->to_tick;
    const Failure& f = result.verdict.failures.front();
    result.mismatches = {Mismatch{"snapshot", f.field, f.expected, f.actual, std::nullopt}};
  }
  result.passed = result.passed && !result.interrupted;
  result.virtual_time = world.now() - sim::Instant::zero();
  result.state_hash = world.state_hash();
  result.chain_hash = world.chain_hash();
  return result;
}

void ControlPanel::batch(bool faults_allowed) {
  const WorldView& view = judge_->view();
  closing_.clear();
  uint32_t dials = 0;
  // The winners run at one virtual instant, in the order drawn: the seeded interleaving.
  for (const EventKind kind : picker_.draw_batch()) {
    const bool workload = kind == EventKind::kDial || kind == EventKind::kWrite;
    if (!faults_allowed && !workload) continue;
    std::optional<Inputs> decided = decide(kind, view, dials);
    if (!decided) continue;  // nothing to do it to (e.g. no server is down to start)
    for (const std::string& text : *decided) input(text);
    dials += kind == EventKind::kDial ? 1 : 0;
  }
  if (faults_allowed) draw_hostile_spans();
}

void ControlPanel::draw_hostile_spans() {
  const sim::Instant now = runner_->world().now();
  for (size_t k = 0; k < kHostileKinds; ++k) {
    const auto kind = static_cast<HostileKind>(k);
    if (!hostile_rng_.chance(config_.probability_of(kind))) continue;
    std::vector<uint32_t> candidates;
    for (uint32_t c = 0; c < config_.clients; ++c) {
      if (model().client_up(c) && hostile_until_.count(c) == 0) candidates.push_back(c);
    }
    if (candidates.empty()) continue;
    const uint32_t offender = candidates[hostile_rng_.below(candidates.size())];
    std::string words(enum_name(kind));
    if (kind == HostileKind::kSpoofedSource) {
      if (config_.clients < 2) continue;  // nobody else's key to claim
      const auto other = static_cast<uint32_t>(hostile_rng_.below(config_.clients - 1));
      words += " " + client_name(other >= offender ? other + 1 : other);
    }
    hostile_until_[offender] = now + hostile_rng_.uniform_duration(kShortestSpan, kLongestSpan);
    input(fmt::format("command {} hostile {}", client_name(offender), words));
  }
}

void ControlPanel::end_hostile_spans(bool all) {
  const sim::Instant now = runner_->world().now();
  for (auto it = hostile_until_.begin(); it != hostile_until_.end();) {
    if (!all && it->second > now) {
      ++it;
      continue;
    }
    input(fmt::format("command {} hostile end", client_name(it->first)));
    it = hostile_until_.erase(it);
  }
}

std::optional<ControlPanel::Inputs> ControlPanel::decide(EventKind kind, const WorldView& view, uint32_t dials_so_far) {
  auto pick = [&](uint32_t count, auto&& wanted) -> std::optional<uint32_t> {
    std::vector<uint32_t> candidates;
    for (uint32_t i = 0; i < count; ++i) {
      if (wanted(i)) candidates.push_back(i);
    }
    if (candidates.empty()) return std::nullopt;
    return candidates[rng_.below(candidates.size())];
  };
  const uint32_t servers = config_.servers;
  const uint32_t clients = config_.clients;
  switch (kind) {
    case EventKind::kStartServer: {
      const std::optional<uint32_t> s = pick(servers, [&](uint32_t i) { return !model().server_up(i); });
      if (!s) return std::nullopt;
      return Inputs{fmt::format("restart {}", server_name(*s))};
    }
    case EventKind::kStopServer: {
      const std::optional<uint32_t> s = pick(servers, [&](uint32_t i) { return model().server_up(i); });
      if (!s) return std::nullopt;
      const auto how = static_cast<StopHow>(rng_.below(3));
      return Inputs{stop_input(how, server_name(*s))};
    }
    case EventKind::kStartClient: {
      const std::optional<uint32_t> c = pick(clients, [&](uint32_t i) { return !model().client_up(i); });
      if (!c) return std::nullopt;
      const Handling handling{rng_.chance(kAccepts), rng_.chance(kReads)};
      return Inputs{fmt::format("restart {}", client_name(*c)),
                    fmt::format("command {} {}", client_name(*c), handling_words(handling))};
    }
    case EventKind::kStopClient: {
      const std::optional<uint32_t> c = pick(clients, [&](uint32_t i) { return model().client_up(i); });
      if (!c) return std::nullopt;
      const auto how = static_cast<StopHow>(rng_.below(3));
      return Inputs{stop_input(how, client_name(*c))};
    }
    case EventKind::kDial: {
      if (open_streams(view) + dials_so_far >= config_.streams) return std::nullopt;
      const std::optional<uint32_t> c = pick(clients, [&](uint32_t i) { return model().client_up(i); });
      if (!c) return std::nullopt;
      const auto peer = static_cast<uint32_t>(rng_.below(clients));
      const uint64_t dial = next_dial_++;
      return Inputs{fmt::format("command {} dial {} {}", client_name(*c), client_name(peer), dial)};
    }
    case EventKind::kWrite:
      return decide_write(view);
    case EventKind::kPartition:
    case EventKind::kHeal:
    case EventKind::kClog:
    case EventKind::kLossBurst:
      return decide_network_fault(kind);
  }
  SIM_UNREACHABLE("event kind {}", static_cast<int>(kind));
}

// A random stream open at both ends (both clients still running), a random end of it.
std::optional<ControlPanel::Inputs> ControlPanel::decide_write(const WorldView& view) {
  std::vector<const StreamView*> established;
  for (const auto& [id, s] : view.streams) {
    // A closing stream takes no more writes (its ends may close before a later one lands).
    const bool closing = s.at_dialer.close_requested || s.at_acceptor.close_requested || closing_.count(s.id) != 0;
    if (s.at_dialer.present && s.at_acceptor.present && s.at_dialer.phase == ChaosPhase::kOpen &&
        s.at_acceptor.phase == ChaosPhase::kOpen && !closing && model().client_up(s.dialer) &&
        model().client_up(s.acceptor)) {
      established.push_back(&s);
    }
  }
  if (established.empty()) return std::nullopt;
  const StreamView& s = *established[rng_.below(established.size())];
  const bool dialer_end = rng_.below(2) == 0;
  const uint64_t length = 1 + rng_.below(kMaxWriteLength);
  const uint64_t count = 1 + rng_.below(kMaxWriteCount);
  const bool both_read = model().handling(s.dialer).reads && model().handling(s.acceptor).reads;
  const bool close = both_read && rng_.chance(kCloseAfterWrite);
  if (close) closing_.insert(s.id);
  const uint32_t writer = dialer_end ? s.dialer : s.acceptor;
  return Inputs{fmt::format("command {} write {} {} {}{}", client_name(writer), s.id,
                            dialer_end ? "dialer" : "acceptor", length * count, close ? " close" : "")};
}

std::optional<ControlPanel::Inputs> ControlPanel::decide_network_fault(EventKind kind) {
  const uint32_t servers = config_.servers;
  const uint32_t nodes = servers + config_.clients;
  auto node_name = [&](uint32_t i) { return i < servers ? server_name(i) : client_name(i - servers); };
  switch (kind) {
    case EventKind::kPartition: {
      // One node cut off from the other side: a client from every server and discovery,
      // or a server from every client and discovery.
      const uint32_t cut = static_cast<uint32_t>(rng_.below(nodes));
      std::string other = "discovery";
      const bool is_server = cut < servers;
      const uint32_t first = is_server ? servers : 0;
      const uint32_t last = is_server ? nodes : servers;
      for (uint32_t i = first; i < last; ++i) other += "," + node_name(i);
      return Inputs{fmt::format("partition {}|{}", node_name(cut), other)};
    }
    case EventKind::kHeal:
      if (!model().partitioned()) return std::nullopt;
      return Inputs{"heal"};
    case EventKind::kClog: {
      const uint32_t node = static_cast<uint32_t>(rng_.below(nodes));
      const sim::Duration length = rng_.uniform_duration(sim::Duration::milliseconds(500), sim::Duration::seconds(3));
      return Inputs{fmt::format("clog {} {}", node_name(node), sim::format_duration(length))};
    }
    case EventKind::kLossBurst: {
      const uint64_t tenths = 1 + rng_.below(5);
      const sim::Duration length = rng_.uniform_duration(sim::Duration::seconds(1), sim::Duration::seconds(5));
      return Inputs{fmt::format("loss-burst {}/10 {}", tenths, sim::format_duration(length))};
    }
    default:
      SIM_UNREACHABLE("not a network fault");
  }
}

}  // namespace scenarios::chaos
