// The chaos judge: the check rhythm of a run, and its inputs read back as model actions.
#include "scenarios/chaos/judge.h"

#include "net/network.h"
#include "scenarios/chaos/chaos_world.h"
#include "sim/fmt.h"

#include <algorithm>
#include <charconv>

namespace scenarios::chaos {
namespace {

std::optional<uint64_t> number(std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<StopHow> stop_how(InputKind kind) {
  switch (kind) {
    case InputKind::kKill:
      return StopHow::kKill;
    case InputKind::kCrash:
      return StopHow::kCrash;
    case InputKind::kStop:
      return StopHow::kStop;
    default:
      return std::nullopt;
  }
}

// Which failure names a run: a byte gone wrong first, then a prediction not met, then a
// broken bound, then a wrong exact prediction, then a missed obligation; ties by id and
// entity, never by the order streams happened to be numbered in.
int rank_of(std::string_view check_id) {
  constexpr std::array<std::string_view, 5> kOrder = {"oracle.", "prediction.", "bound.", "exact.", "liveness."};
  for (size_t i = 0; i < kOrder.size(); ++i) {
    if (check_id.starts_with(kOrder[i])) return static_cast<int>(i);
  }
  return static_cast<int>(kOrder.size());
}

sim::Error unmodelled(const FaultInput& input, std::string_view why) {
  return sim::Error{fmt::format("the chaos model cannot account for input '{}': {}", input.text, why)};
}

}  // namespace

uint64_t ChaosTally::events_executed() const {
  uint64_t n = 0;
  for (const uint64_t k : executed) n += k;
  return n;
}

Failure failure_of(const Mismatch& m, uint64_t tick) {
  const size_t slash = m.field.rfind('/');
  const std::string quantity = slash == std::string::npos ? m.field : m.field.substr(slash + 1);
  const std::string entity = slash == std::string::npos ? "" : m.field.substr(0, slash);
  Failure f{fmt::format("{}.{}", m.kind, quantity),
            entity,
            m.field,
            m.expected,
            m.actual,
            tick,
            {},
            {},
            {},
            m.kind != "liveness"};
  // "streams/ID/END/...": the stream and the end a byte check is about.
  if (m.byte_offset && entity.starts_with("streams/")) {
    const std::string_view rest = std::string_view(entity).substr(8);
    const size_t end_at = rest.find('/');
    f.stream = number(rest.substr(0, end_at));
    f.stream_end = end_at == std::string_view::npos ? "" : std::string(rest.substr(end_at + 1));
    f.byte_offset = m.byte_offset;
  }
  return f;
}

ChaosJudge::ChaosJudge(const ChaosConfig& config, dmsg::PlantedBug bug, const sim::World& world)
    : config_(config), bug_(bug), tick_length_(world.tick_length()), viewer_(std::make_unique<Viewer>(world)) {
  const auto& network = world.actor_as<net::Network>(viewer_->nodes().network);
  ModelBounds bounds = ModelBounds::for_profile(network.profile());
  bounds.max_sessions = chaos_server_options(bug, config.clients).max_sessions;
  calmed_bounds_ = ModelBounds::for_profile(net::calmed(network.profile()));
  calmed_bounds_.max_sessions = bounds.max_sessions;
  heal_due_ = config.heal == HealNetwork::kAlways || (config.heal == HealNetwork::kAuto && !bounds.links_keep_sessions);
  model_ = std::make_unique<Model>(config.servers, config.clients, bounds);
  std::vector<std::string> servers;
  for (uint32_t s = 0; s < config.servers; ++s) servers.push_back(server_name(s));
  Predictions predicted = predict(network, servers);
  for (uint32_t s = 0; s < config.servers; ++s) model_->set_listing(s, predicted.listings[s]);
  tally_.predictions = std::move(predicted.made);
  hostile_seen_.resize(config.clients);
}

// A deep copy: the viewer and the model are plain data, so the copy judges on alone.
ChaosJudge::ChaosJudge(const ChaosJudge& other)
    : config_(other.config_),
      bug_(other.bug_),
      tick_length_(other.tick_length_),
      calmed_bounds_(other.calmed_bounds_),
      heal_due_(other.heal_due_),
      viewer_(std::make_unique<Viewer>(*other.viewer_)),
      model_(std::make_unique<Model>(*other.model_)),
      phase_(other.phase_),
      turn_(other.turn_),
      view_(other.view_),
      last_view_(other.last_view_),
      next_batch_(other.next_batch_),
      next_footprints_(other.next_footprints_),
      fault_phase_end_(other.fault_phase_end_),
      exact_until_(other.exact_until_),
      batches_since_check_(other.batches_since_check_),
      done_(other.done_),
      tally_(other.tally_),
      hostile_seen_(other.hostile_seen_) {}

uint64_t ChaosJudge::tick_of(sim::Instant at) const {
  return static_cast<uint64_t>((at - sim::Instant::zero()).count_of(tick_length_));
}

// The panel's rhythm: the first handling commands at tick 0; from the boundary after it a
// batch every batch interval, each opened by a check (every check_every batches) while the
// fault phase lasts; then, faults over, a liveness check once the model settles, and exact
// checks for exact_window more. The first failing check ends the run.
void ChaosJudge::at_boundary(const sim::World& world) {
  turn_ = Turn{};
  if (done_) return;
  const sim::Instant now = world.now();
  if (phase_ == Phase::kStart) {
    if (world.tick() == 0) return;
    last_view_ = viewer_->look(world);
    fault_phase_end_ = now + config_.duration;
    next_batch_ = now;
    phase_ = Phase::kFaults;
  }
  if (now < next_batch_) return;
  if (phase_ == Phase::kFaults) {
    if (now < fault_phase_end_ && (!config_.events || tally_.events_executed() < *config_.events)) {
      return batch(world, /*faults_allowed=*/true);
    }
    phase_ = Phase::kSettling;
    model_->end_hostile_spans(now);  // faults stop: so do hostile spans (the panel ends them too)
    turn_.fault_phase_ended = true;
    turn_.calm_network = heal_due_;
  }
  if (exact_until_ && now >= *exact_until_) {
    done_ = true;
    return;
  }
  if (!exact_until_ && model_->is_settled(now) && !model_->any_offending(now)) {
    exact_until_ = now + config_.exact_window;
    ++tally_.liveness_checks;
    std::vector<Mismatch> late = model_->check_liveness(viewer_->look(world));
    if (!late.empty()) return fail(std::move(late), world.tick(), world.tick());
  }
  batch(world, /*faults_allowed=*/false);
}

void ChaosJudge::batch(const sim::World& world, bool faults_allowed) {
  // Footprints every 10 virtual seconds at most: a save of every node is the costliest look,
  // and a buffer growing past its size stays grown.
  const bool footprints = world.now() >= next_footprints_;
  if (footprints) next_footprints_ = world.now() + kFootprintInterval;
  view_ = viewer_->look(world, footprints);
  count_hostile(*view_);
  if (++batches_since_check_ >= config_.check_every) {
    batches_since_check_ = 0;
    const CheckReport report = model_->check(*last_view_, *view_);
    ++(report.exact ? tally_.exact_checks : tally_.bound_checks);
    if (!report.mismatches.empty()) return fail(report.mismatches, tick_of(last_view_->at), world.tick());
    last_view_ = view_;
  }
  ++tally_.batches;
  model_->begin_batch(*view_);
  tally_.harsh_dials = model_->harsh_dials();
  next_batch_ = world.now() + config_.batch_interval;
  turn_.batch = true;
  turn_.faults_allowed = faults_allowed;
}

void ChaosJudge::count_hostile(const WorldView& view) {
  for (uint32_t c = 0; c < view.clients.size(); ++c) {
    const HostileTable& now = view.clients[c].offender.counts;
    HostileTable& seen = hostile_seen_.at(c);
    // Counts of one incarnation only grow; a new one starts from zero.
    bool fresh = false;
    for (size_t k = 0; k < kHostileKinds; ++k) fresh = fresh || now[k].any_below(seen[k]);
    if (fresh) seen = HostileTable{};
    for (size_t k = 0; k < kHostileKinds; ++k) tally_.hostile[k] += now[k].since(seen[k]);
    seen = now;
  }
}

void ChaosJudge::fail(std::vector<Mismatch> mismatches, uint64_t before_tick, uint64_t tick) {
  tally_.passed = false;
  tally_.mismatches = std::move(mismatches);
  tally_.before_tick = before_tick;
  tally_.failed_tick = tick;
  done_ = true;
  turn_ = Turn{};
}

void ChaosJudge::apply(const Action& action, sim::Instant now) {
  model_->apply(action, now);
  // The heal that lifts a partition still standing when the fault phase ends is the
  // panel's closing act, not one of its events.
  const bool closing_heal = action.kind == EventKind::kHeal && phase_ == Phase::kSettling;
  if (!closing_heal) ++tally_.executed[static_cast<size_t>(action.kind)];
}

sim::Status ChaosJudge::take(const FaultInput& input, const sim::World& world) {
  const sim::Instant now = world.now();
  const uint32_t servers = config_.servers;
  const uint32_t clients = config_.clients;
  auto node_of = [&](size_t i) { return i < input.left.size() ? std::string_view(input.left[i]) : ""; };
  Action a;
  switch (input.kind) {
    case InputKind::kRestart:
    case InputKind::kKill:
    case InputKind::kCrash:
    case InputKind::kStop: {
      const std::optional<uint32_t> s = server_index_named(node_of(0), servers);
      const std::optional<uint32_t> c = client_index_named(node_of(0), clients);
      if (!s && !c) return unmodelled(input, "it names no server or client of the run");
      const bool start = input.kind == InputKind::kRestart;
      a.kind = s ? (start ? EventKind::kStartServer : EventKind::kStopServer)
                 : (start ? EventKind::kStartClient : EventKind::kStopClient);
      a.node = s ? *s : *c;
      if (!start) a.how = *stop_how(input.kind);
      if (c && start) hostile_seen_.at(*c) = HostileTable{};  // a new incarnation counts from zero
      apply(a, now);  // a restarted client handles streams by default until told otherwise
      return sim::Ok{};
    }
    case InputKind::kCommand:
      return take_command(input, now);
    case InputKind::kPartition:
      a.kind = EventKind::kPartition;
      break;
    case InputKind::kHeal:
      a.kind = EventKind::kHeal;
      break;
    case InputKind::kCalm:
      // The heal phase: not one of the panel's events, and once only.
      if (tally_.healed_at) return unmodelled(input, "the network was calmed before");
      model_->network_calmed(calmed_bounds_, now);
      tally_.healed_at = now;
      return sim::Ok{};
    case InputKind::kClog:
      a.kind = EventKind::kClog;
      a.span = input.duration;
      break;
    case InputKind::kLossBurst:
      a.kind = EventKind::kLossBurst;
      a.span = input.duration;
      break;
    default:
      return unmodelled(input, "the panel never makes this kind of input");
  }
  apply(a, now);
  return sim::Ok{};
}

// `command cN WORDS...`, as the chaos client reads them (ChaosCommand).
sim::Status ChaosJudge::take_command(const FaultInput& input, sim::Instant now) {
  const std::optional<uint32_t> client =
      input.left.empty() ? std::nullopt : client_index_named(input.left[0], config_.clients);
  if (!client) return unmodelled(input, "not a command to a client of the run");
  const sim::Result<ChaosCommand> parsed = parse_chaos_command(input.words);
  if (!parsed) return unmodelled(input, parsed.error().message);
  const ChaosCommand& c = *parsed;
  Action a;
  a.node = *client;
  switch (c.kind) {
    case ChaosCommand::Kind::kHandling:
      model_->set_handling(*client, c.handling);
      return sim::Ok{};
    case ChaosCommand::Kind::kDial: {
      const std::optional<uint32_t> peer = client_index_named(c.peer, config_.clients);
      if (!peer) return unmodelled(input, "a dial names a client of the run");
      if (model_->knows_stream(c.dial_id)) return unmodelled(input, "that dial number was used before");
      a.kind = EventKind::kDial;
      a.peer = *peer;
      a.stream = c.dial_id;
      break;
    }
    case ChaosCommand::Kind::kHostile:
      if (c.hostile) {
        if (c.hostile == HostileKind::kSpoofedSource && !client_index_named(c.peer, config_.clients)) {
          return unmodelled(input, "spoofed-source names a client of the run");
        }
        model_->hostile_began(*client);
        ++tally_.hostile_spans[static_cast<size_t>(*c.hostile)];
      } else {
        model_->hostile_ended(*client, now);
      }
      return sim::Ok{};
    case ChaosCommand::Kind::kWrite:
      if (!model_->knows_stream(c.dial_id)) return unmodelled(input, "no dial made that stream");
      a.kind = EventKind::kWrite;
      a.stream = c.dial_id;
      a.dialer_end = c.dialer_end;
      a.bytes = c.bytes;
      a.close = c.close;
      break;
  }
  apply(a, now);
  return sim::Ok{};
}

Verdict ChaosJudge::verdict(const sim::World&) const {
  Verdict v;
  v.passed = tally_.passed && done_;
  v.interrupted = tally_.passed && !done_;
  for (const Mismatch& m : tally_.mismatches) v.failures.push_back(failure_of(m, *tally_.failed_tick));
  std::stable_sort(v.failures.begin(), v.failures.end(), [](const Failure& a, const Failure& b) {
    const auto key = [](const Failure& f) {
      return std::tuple(rank_of(f.check_id), std::string_view(f.check_id), field_pattern(f.entity));
    };
    return key(a) < key(b);
  });
  if (!v.failures.empty()) v.fingerprint = fingerprint("chaos", v.failures.front(), bug_);
  v.last_passing_tick = tally_.before_tick.value_or(0);
  return v;
}

// The batch check as it would run here, against the view of the last check that passed.
std::vector<Failure> ChaosJudge::probe(const sim::World& world) const {
  std::vector<Failure> found;
  if (!last_view_) return found;
  for (const Mismatch& m : model_->check(*last_view_, viewer_->look(world, true)).mismatches) {
    found.push_back(failure_of(m, world.tick()));
  }
  return found;
}

sim::Result<std::unique_ptr<RunJudge>> make_chaos_judge(const RunConfig& config, const sim::World& world) {
  if (config.scenario_config.empty()) return std::unique_ptr<RunJudge>();  // no panel ran it
  sim::Result<ChaosConfig> parsed = parse_chaos_config(config.scenario_config);
  if (!parsed) return sim::Error{fmt::format("the recorded chaos configuration: {}", parsed.error().message)};
  if (parsed->servers != config.servers || parsed->clients != config.clients || parsed->profile != config.profile) {
    return sim::Error{"the recorded chaos configuration disagrees with the run's sizes or profile"};
  }
  return std::unique_ptr<RunJudge>(std::make_unique<ChaosJudge>(*parsed, config.planted_bug, world));
}

}  // namespace scenarios::chaos
