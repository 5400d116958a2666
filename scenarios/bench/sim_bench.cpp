// The simulation core's hot paths: the scheduler and state hashing.
#include "scenarios/bench/bench.h"
#include "scenarios/cli/wall_clock.h"
#include "sim/fmt.h"
#include "sim/world.h"

namespace scenarios::bench {
namespace {

using cli::wall_now_ns;

// Reschedules every event it gets `arg0` nanoseconds later: the cheapest possible handler,
// so the scheduler and dispatch dominate.
class Bouncer : public sim::ActorBase<Bouncer> {
 public:
  static constexpr std::string_view kTypeName = "bench.bouncer";
  void on_start(sim::Context&) override {}
  void on_event(sim::Context& ctx, const sim::Event& event) override {
    ++bounces_;
    ctx.schedule_self(sim::Duration::nanoseconds(static_cast<int64_t>(event.arg0)), 1, event.arg0);
  }
  template <class Visitor>
  void visit(Visitor& v) {
    v("bounces", bounces_);
  }

 private:
  uint64_t bounces_ = 0;
};

// Holds a few fields of state and changes only when the benchmark pokes it.
class Holder : public sim::ActorBase<Holder> {
 public:
  static constexpr std::string_view kTypeName = "bench.holder";
  void on_start(sim::Context&) override {}
  void on_event(sim::Context&, const sim::Event&) override {}
  void poke() { ++counter_; }
  template <class Visitor>
  void visit(Visitor& v) {
    v("counter", counter_);
    v("name", name_);
    v("values", values_);
  }

 private:
  uint64_t counter_ = 0;
  std::string name_ = "holder";
  std::vector<uint64_t> values_ = std::vector<uint64_t>(8, 7);
};

sim::ActorRegistry bench_registry() {
  sim::ActorRegistry registry;
  registry.add<Bouncer>();
  registry.add<Holder>();
  return registry;
}

Figure scheduler_events_per_second(uint64_t pending) {
  const sim::ActorRegistry registry = bench_registry();
  sim::World world(sim::WorldOptions{1, sim::Duration::milliseconds(1)}, registry);
  const sim::ActorId bouncer = world.spawn(std::make_unique<Bouncer>());
  // Each event comes back every `pending` ns, so `pending` events stay in the queue and
  // one tick of 1 ms runs about a million of them whatever the queue size.
  for (uint64_t i = 0; i < pending; ++i)
    world.schedule_at(sim::Instant::from_ns(static_cast<int64_t>(i)), bouncer, 1, pending);
  world.run_ticks(1);  // warm up
  const uint64_t before = world.events_processed();
  const int64_t start = wall_now_ns();
  world.run_ticks(10);
  const double seconds = seconds_since(start);
  const double events = static_cast<double>(world.events_processed() - before);
  return {fmt::format("scheduler_events_per_s_{}_pending",
                      pending >= 1000 ? fmt::format("{}k", pending / 1000) : std::to_string(pending)),
          events / seconds, "events/s"};
}

std::vector<Figure> hashing_costs() {
  constexpr uint32_t kActors = 1000;
  constexpr uint64_t kIdleTicks = 2'000'000;
  constexpr uint64_t kChangedTicks = 20'000;
  constexpr uint32_t kChangedPerTick = 100;
  const sim::ActorRegistry registry = bench_registry();
  sim::World world(sim::WorldOptions{1, sim::Duration::milliseconds(1)}, registry);
  for (uint32_t i = 0; i < kActors; ++i) world.spawn(std::make_unique<Holder>());
  world.run_ticks(2);

  int64_t start = wall_now_ns();
  world.run_ticks(kIdleTicks);
  const double idle_ns = seconds_since(start) * 1e9 / static_cast<double>(kIdleTicks);

  start = wall_now_ns();
  for (uint64_t t = 0; t < kChangedTicks; ++t) {
    for (uint32_t k = 0; k < kChangedPerTick; ++k) {
      const uint32_t index = static_cast<uint32_t>((t * kChangedPerTick + k) % kActors);
      world.mutate<Holder>(sim::ActorId{index}).poke();
    }
    world.run_tick();
  }
  const double changed_tick_ns = seconds_since(start) * 1e9 / static_cast<double>(kChangedTicks);
  return {
      {"idle_tick_ns", idle_ns, "ns per tick (1000 actors, none changed)"},
      {"changed_actor_ns", (changed_tick_ns - idle_ns) / kChangedPerTick,
       "ns per changed actor per tick (re-encode + digest; 100 of 1000 changed)"},
      {"changed_tick_ns", changed_tick_ns, "ns per tick with 100 of 1000 actors changed (includes the list rehash)"},
  };
}

}  // namespace

std::vector<Figure> run_sim_group() {
  std::vector<Figure> figures;
  figures.push_back(scheduler_events_per_second(1'000));
  figures.push_back(scheduler_events_per_second(100'000));
  for (Figure& f : hashing_costs()) figures.push_back(std::move(f));
  return figures;
}

}  // namespace scenarios::bench
