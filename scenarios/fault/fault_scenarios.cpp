// Building, stepping and judging the fault scenarios: discovery, one server "s0", clients
// "a" and "b" (only "a" for self-dial) and the conductor.
#include "scenarios/fault/fault_scenarios.h"

#include "scenarios/fault/conductor.h"
#include "scenarios/world/dmsg_assembly.h"
#include "sim/fmt.h"

namespace scenarios {
namespace {

// A run that reaches this without finishing fails with the step it was in.
constexpr sim::Duration kMaxDuration = sim::Duration::seconds(20 * 60);

const Conductor* find_conductor(const sim::World& world) {
  for (uint32_t i = 0; i < world.actor_count(); ++i) {
    const sim::Actor* actor = world.actor(sim::ActorId{i});
    if (actor != nullptr && actor->type_name() == Conductor::kTypeName) {
      return &world.actor_as<Conductor>(sim::ActorId{i});
    }
  }
  return nullptr;
}

template <FaultScenario kScenario>
sim::Status build(sim::World& world, const RunConfig& config) {
  sim::Result<net::FaultProfile> profile = world_profile(world, config.profile);
  if (!profile) return profile.error();
  const DmsgCluster cluster = spawn_dmsg_cluster(world, *profile, 1);
  const bool two = kScenario != FaultScenario::kSelfDial;
  const dmsg::PublicKey a_pk = node_identity(world.seed(), "a").public_key();
  const dmsg::PublicKey b_pk = node_identity(world.seed(), "b").public_key();
  const sim::ActorId a =
      add_client<ScriptClient>(world, cluster.network, "a", dmsg::ClientOptions{}, two ? b_pk : a_pk, config.seed);
  const sim::ActorId b =
      two ? add_client<ScriptClient>(world, cluster.network, "b", dmsg::ClientOptions{}, a_pk, config.seed) : a;
  ScenarioTerms terms = ScenarioTerms::for_network(world.actor_as<net::Network>(cluster.network));
  world.spawn(std::make_unique<Conductor>(kScenario, a, b, std::move(terms), world.stream("scenario/conductor")));
  return sim::Ok{};
}

bool finished(const sim::World& world) {
  const Conductor* conductor = find_conductor(world);
  return conductor != nullptr && conductor->is_done();
}

ScenarioOutcome judge(const sim::World& world) {
  ScenarioOutcome outcome;
  const Conductor* conductor = find_conductor(world);
  if (conductor == nullptr) {
    outcome.add(
        Check{CheckKind::kCoverage, "conductor", false, "no conductor in the world", "a fault scenario's world", 0});
    return outcome;
  }
  if (!conductor->is_done()) {
    outcome.add(Check{CheckKind::kLiveness, "finished", false, fmt::format("still running at {}", world.now()),
                      "the scenario's script ran to its end", world.now().ns()});
  }
  for (const ScriptCheck& c : conductor->checks())
    outcome.add(Check{c.kind, c.name, c.passed, c.measured, c.expected, c.value});
  outcome.predictions = conductor->predictions();
  return outcome;
}

std::vector<std::string> scripted_faults(sim::World& world) {
  for (uint32_t i = 0; i < world.actor_count(); ++i) {
    const sim::Actor* actor = world.actor(sim::ActorId{i});
    if (actor != nullptr && actor->type_name() == Conductor::kTypeName) {
      if (world.actor_as<Conductor>(sim::ActorId{i}).has_fault_requests()) {
        return world.mutate<Conductor>(sim::ActorId{i}).take_fault_requests();
      }
      return {};
    }
  }
  return {};
}

// The bounds the conductor holds the run to on the configuration's profile.
std::string parameters(const RunConfig& config) {
  std::string text;
  sim::JsonWriter json(text);
  json.begin_object();
  json.key("bounds");
  json.begin_object();
  const sim::Result<net::FaultProfile> profile = seed_profile(config.seed, config.profile);
  SIM_ASSERT_MSG(profile.ok(), "a run's profile '{}' was checked when it was built", config.profile);
  ScenarioBounds bounds = ScenarioBounds::for_network(*profile);
  bounds.visit(json);
  json.end_object();
  json.end_object();
  return text;
}

template <FaultScenario kScenario>
ScenarioInfo entry(std::string_view description) {
  ScenarioInfo info{enum_name(kScenario), description, kMaxDuration, true,
                    &build<kScenario>,    &finished,   &judge,       &scripted_faults};
  info.parameters = &parameters;
  return info;
}

}  // namespace

std::vector<ScenarioInfo> fault_scenarios() {
  return {
      entry<FaultScenario::kFailedAccepts>(
          "a stream loops both ways while A dials a listener that never accepts: 20 dials wait, the 21st gets 401"),
      entry<FaultScenario::kCappedStreamBuffer>(
          "A writes until B's unread buffer stops it; B dials A and 100 messages cross; then B drains A's stream"),
      entry<FaultScenario::kReconnect>("the server is killed, then crashed, and restarted: both clients reconnect"),
      entry<FaultScenario::kDisconnectClosesStreams>(
          "the server is killed, crashed, stopped: every stream closes at both ends within the bound"),
      entry<FaultScenario::kDisconnectWhileBusy>(
          "as server_disconnect_should_close_streams, with bytes in flight: each end keeps a verified prefix"),
      entry<FaultScenario::kSelfDial>("A dials itself through its server: 100 rounds of write and read"),
  };
}

void register_fault_scenario_actors(sim::ActorRegistry& registry) {
  registry.add<ScriptClient>();
  registry.add<Conductor>();
}

}  // namespace scenarios
