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

uint64_t ChaosResult::events_executed() const {
  uint64_t n = 0;
  for (const uint64_t k : executed) n += k;
  return n;
}

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
      rng_(sim::Rng::stream(seed, "chaos/panel/targets")) {}

sim::Result<std::unique_ptr<ControlPanel>> ControlPanel::create(const ChaosConfig& config, uint64_t seed,
                                                                dmsg::PlantedBug bug, sim::Log* log) {
  std::unique_ptr<ControlPanel> panel(new ControlPanel(config, seed));
  sim::Result<std::unique_ptr<ScenarioRunner>> runner =
      ScenarioRunner::create(*find_scenario("chaos"), run_config(config, seed, bug), {}, log);
  if (!runner) return runner.error();
  panel->runner_ = std::move(runner).value();
  // Kept so that a failure can write the run's trace (and rebuild the earlier state).
  panel->runner_->world().set_snapshot_policy(default_snapshot_policy());
  panel->viewer_ = std::make_unique<Viewer>(panel->runner_->world());
  ModelBounds bounds = ModelBounds::for_profile(config.profile, config.batch_interval);
  bounds.max_sessions = chaos_server_options(bug, config.clients).max_sessions;
  panel->model_ = std::make_unique<Model>(config.servers, config.clients, bounds);
  panel->result_.seed = seed;
  return panel;
}

void ControlPanel::input(const std::string& text) {
  const sim::Instant now = runner_->world().now();
  sim::Result<FaultInput> parsed =
      parse_fault(fmt::format("{} {}", sim::format_duration(now - sim::Instant::zero()), text));
  SIM_ASSERT_MSG(parsed.ok(), "the panel made a malformed input '{}': {}", text, parsed.error().message);
  const sim::Status added = runner_->add_input(std::move(parsed).value());
  SIM_ASSERT_MSG(added.ok(), "the panel made an invalid input '{}': {}", text, added.error().message);
}

void ControlPanel::run_until(sim::Instant when) {
  while (runner_->world().now() < when) {
    if (stop_requested_ && stop_requested_()) {
      result_.interrupted = true;
      result_.passed = false;
      return;
    }
    runner_->run_tick();
  }
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

ChaosResult ControlPanel::run(std::function<bool()> stop_requested) {
  stop_requested_ = std::move(stop_requested);
  sim::World& world = runner_->world();
  // The first boundary: every client's handling for its first incarnation.
  for (uint32_t c = 0; c < config_.clients; ++c) {
    Action start;
    start.kind = EventKind::kStartClient;
    start.node = c;
    start.handling = Handling{rng_.chance(kAccepts), rng_.chance(kReads)};
    input(fmt::format("command {} {}", client_name(c), handling_words(start.handling)));
    model_->apply(start, world.now());
  }
  runner_->run_tick();  // the handling inputs take effect
  last_view_ = viewer_->look(world);
  const sim::Instant fault_phase_end = world.now() + config_.duration;
  bool ok = true;
  while (ok && world.now() < fault_phase_end && (!config_.events || result_.events_executed() < *config_.events)) {
    ok = batch(/*faults_allowed=*/true);
  }
  // Faults stop: partitions are lifted, and the system must settle by itself.
  if (ok && partitioned_) {
    input("heal");
    Action heal;
    heal.kind = EventKind::kHeal;
    model_->apply(heal, world.now());
    partitioned_ = false;
  }
  // Liveness once settled (at once if the fault phase ended quietly), then exact checks for
  // exact_window more.
  std::optional<sim::Instant> exact_until;
  while (ok && (!exact_until || world.now() < *exact_until)) {
    if (!exact_until && model_->is_settled(world.now())) {
      exact_until = world.now() + config_.exact_window;
      ++result_.liveness_checks;
      const WorldView view = viewer_->look(world);
      std::vector<Mismatch> late = model_->check_liveness(view);
      if (!late.empty()) {
        result_.passed = false;
        result_.mismatches = std::move(late);
        result_.before_tick = world.tick();
        result_.failed_tick = world.tick();
        ok = false;
        break;
      }
    }
    ok = batch(/*faults_allowed=*/false);
  }
  result_.virtual_time = world.now() - sim::Instant::zero();
  result_.state_hash = world.state_hash();
  result_.chain_hash = world.chain_hash();
  return result_;
}

bool ControlPanel::batch(bool faults_allowed) {
  sim::World& world = runner_->world();
  const WorldView view = viewer_->look(world);
  if (++batches_since_check_ >= config_.check_every) {
    batches_since_check_ = 0;
    if (!check(view)) return false;
  }
  ++result_.batches;
  model_->begin_batch(view);
  closing_.clear();
  uint32_t dials = 0;
  // The winners run at one virtual instant, in the order drawn: the seeded interleaving.
  for (const EventKind kind : picker_.draw_batch()) {
    const bool workload = kind == EventKind::kDial || kind == EventKind::kWrite;
    if (!faults_allowed && !workload) continue;
    std::optional<Decision> decision = decide(kind, view, dials);
    if (!decision) continue;  // nothing to do it to (e.g. no server is down to start)
    for (const std::string& text : decision->inputs) input(text);
    model_->apply(decision->action, world.now());
    ++result_.executed[static_cast<size_t>(kind)];
    dials += kind == EventKind::kDial ? 1 : 0;
  }
  run_until(world.now() + config_.batch_interval);
  return !result_.interrupted;
}

bool ControlPanel::check(const WorldView& now) {
  const CheckReport report = model_->check(*last_view_, now);
  ++(report.exact ? result_.exact_checks : result_.bound_checks);
  if (!report.mismatches.empty()) {
    const sim::Duration tick = runner_->world().tick_length();
    result_.passed = false;
    result_.mismatches = report.mismatches;
    result_.before_tick = static_cast<uint64_t>((last_view_->at - sim::Instant::zero()).count_of(tick));
    result_.failed_tick = runner_->world().tick();
    return false;
  }
  last_view_ = now;
  return true;
}

std::optional<ControlPanel::Decision> ControlPanel::decide(EventKind kind, const WorldView& view,
                                                           uint32_t dials_so_far) {
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
  Decision d;
  d.action.kind = kind;
  switch (kind) {
    case EventKind::kStartServer: {
      const std::optional<uint32_t> s = pick(servers, [&](uint32_t i) { return !model_->server_up(i); });
      if (!s) return std::nullopt;
      d.action.node = *s;
      d.inputs = {fmt::format("restart {}", server_name(*s))};
      return d;
    }
    case EventKind::kStopServer: {
      const std::optional<uint32_t> s = pick(servers, [&](uint32_t i) { return model_->server_up(i); });
      if (!s) return std::nullopt;
      d.action.node = *s;
      d.action.how = static_cast<StopHow>(rng_.below(3));
      d.inputs = {stop_input(d.action.how, server_name(*s))};
      return d;
    }
    case EventKind::kStartClient: {
      const std::optional<uint32_t> c = pick(clients, [&](uint32_t i) { return !model_->client_up(i); });
      if (!c) return std::nullopt;
      d.action.node = *c;
      d.action.handling = Handling{rng_.chance(kAccepts), rng_.chance(kReads)};
      d.inputs = {fmt::format("restart {}", client_name(*c)),
                  fmt::format("command {} {}", client_name(*c), handling_words(d.action.handling))};
      return d;
    }
    case EventKind::kStopClient: {
      const std::optional<uint32_t> c = pick(clients, [&](uint32_t i) { return model_->client_up(i); });
      if (!c) return std::nullopt;
      d.action.node = *c;
      d.action.how = static_cast<StopHow>(rng_.below(3));
      d.inputs = {stop_input(d.action.how, client_name(*c))};
      return d;
    }
    case EventKind::kDial: {
      if (open_streams(view) + dials_so_far >= config_.streams) return std::nullopt;
      const std::optional<uint32_t> c = pick(clients, [&](uint32_t i) { return model_->client_up(i); });
      if (!c) return std::nullopt;
      d.action.node = *c;
      d.action.peer = static_cast<uint32_t>(rng_.below(clients));
      d.action.stream = next_dial_++;
      d.inputs = {fmt::format("command {} dial {} {}", client_name(*c), client_name(d.action.peer), d.action.stream)};
      return d;
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
std::optional<ControlPanel::Decision> ControlPanel::decide_write(const WorldView& view) {
  std::vector<const StreamView*> established;
  for (const auto& [id, s] : view.streams) {
    // A closing stream takes no more writes (its ends may close before a later one lands).
    const bool closing = s.at_dialer.close_requested || s.at_acceptor.close_requested || closing_.count(s.id) != 0;
    if (s.at_dialer.present && s.at_acceptor.present && s.at_dialer.phase == ChaosPhase::kOpen &&
        s.at_acceptor.phase == ChaosPhase::kOpen && !closing && model_->client_up(s.dialer) &&
        model_->client_up(s.acceptor)) {
      established.push_back(&s);
    }
  }
  if (established.empty()) return std::nullopt;
  const StreamView& s = *established[rng_.below(established.size())];
  Decision d;
  d.action.kind = EventKind::kWrite;
  d.action.stream = s.id;
  d.action.dialer_end = rng_.below(2) == 0;
  const uint64_t length = 1 + rng_.below(kMaxWriteLength);
  const uint64_t count = 1 + rng_.below(kMaxWriteCount);
  d.action.bytes = length * count;
  const bool both_read = model_->handling(s.dialer).reads && model_->handling(s.acceptor).reads;
  d.action.close = both_read && rng_.chance(kCloseAfterWrite);
  if (d.action.close) closing_.insert(s.id);
  const uint32_t writer = d.action.dialer_end ? s.dialer : s.acceptor;
  d.inputs = {fmt::format("command {} write {} {} {}{}", client_name(writer), s.id,
                          d.action.dialer_end ? "dialer" : "acceptor", d.action.bytes, d.action.close ? " close" : "")};
  return d;
}

std::optional<ControlPanel::Decision> ControlPanel::decide_network_fault(EventKind kind) {
  const uint32_t servers = config_.servers;
  const uint32_t nodes = servers + config_.clients;
  auto node_name = [&](uint32_t i) { return i < servers ? server_name(i) : client_name(i - servers); };
  Decision d;
  d.action.kind = kind;
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
      d.inputs = {fmt::format("partition {}|{}", node_name(cut), other)};
      partitioned_ = true;
      return d;
    }
    case EventKind::kHeal:
      if (!partitioned_) return std::nullopt;
      d.inputs = {"heal"};
      partitioned_ = false;
      return d;
    case EventKind::kClog: {
      const uint32_t node = static_cast<uint32_t>(rng_.below(nodes));
      const sim::Duration length = rng_.uniform_duration(sim::Duration::milliseconds(500), sim::Duration::seconds(3));
      d.action.span = length;
      d.inputs = {fmt::format("clog {} {}", node_name(node), sim::format_duration(length))};
      return d;
    }
    case EventKind::kLossBurst: {
      const uint64_t tenths = 1 + rng_.below(5);
      const sim::Duration length = rng_.uniform_duration(sim::Duration::seconds(1), sim::Duration::seconds(5));
      d.action.span = length;
      d.inputs = {fmt::format("loss-burst {}/10 {}", tenths, sim::format_duration(length))};
      return d;
    }
    default:
      SIM_UNREACHABLE("not a network fault");
  }
}

}  // namespace scenarios::chaos
