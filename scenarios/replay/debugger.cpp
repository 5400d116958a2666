// The time-travel debugger.
#include "scenarios/replay/debugger.h"

#include "scenarios/run/actor_types.h"
#include "sim/fmt.h"

namespace scenarios {

sim::Result<Debugger> Debugger::open(TraceSession session) {
  Debugger debugger(std::move(session));
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = debugger.session_.start();
  if (!runner) return runner.error();
  debugger.runner_ = std::move(runner).value();
  return debugger;
}

sim::Status Debugger::go_to(uint64_t target) {
  const sim::TraceFile& trace = session_.trace();
  if (target < trace.first_tick || target > trace.last_tick()) {
    return sim::Error{
        fmt::format("tick {} is outside the trace (ticks {} to {})", target, trace.first_tick, trace.last_tick())};
  }
  // A kept tick is restored directly; elsewhere forward from here unless a snapshot lies in
  // between (then rebuilding from it is cheaper).
  const uint64_t base = trace.snapshot_tick_at_or_before(target);
  const bool forward = target >= tick() && base <= tick();
  if (forward) return advance_to(target);
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = session_.at_tick(target);
  if (!runner) return runner.error();
  runner_ = std::move(runner).value();
  return sim::Ok{};
}

sim::Status Debugger::advance_to(uint64_t target) {
  if (std::optional<Divergence> d = session_.advance_verified(*runner_, target)) {
    return sim::Error{fmt::format("re-execution does not match the trace:\n{}", describe(*d))};
  }
  return sim::Ok{};
}

sim::Status Debugger::step(uint64_t ticks) {
  const uint64_t last = session_.trace().last_tick();
  if (tick() + ticks > last) return sim::Error{fmt::format("the trace ends at tick {}", last)};
  return go_to(tick() + ticks);
}

sim::Status Debugger::back(uint64_t ticks) {
  const uint64_t first = session_.trace().first_tick;
  if (tick() < first + ticks) return sim::Error{fmt::format("the trace starts at tick {}", first)};
  return go_to(tick() - ticks);
}

sim::Result<Debugger::Probe> Debugger::make_probe(std::string_view path) {
  sim::Result<std::string> resolved = resolve(path);
  if (!resolved) return resolved.error();
  const std::string_view pointer = *resolved;
  Probe probe;
  probe.pointer = *resolved;
  constexpr std::string_view kActors = "/actors/";
  if (pointer.substr(0, kActors.size()) == kActors) {
    const std::string_view rest = pointer.substr(kActors.size());
    const std::string index(rest.substr(0, rest.find('/')));
    if (!index.empty() && index.find_first_not_of("0123456789") == std::string::npos) {
      probe.actor = static_cast<uint32_t>(std::stoul(index));
      const std::string prefix = fmt::format("/actors/{}/state", index);
      const std::string_view in_state = pointer.substr(std::min(prefix.size(), pointer.size()));
      if (pointer.starts_with(prefix) && (in_state.empty() || in_state.front() == '/')) {
        probe.in_state = std::string(in_state);
      }
    }
  }
  return probe;
}

sim::Result<std::string> Debugger::resolve(std::string_view pointer) {
  constexpr std::string_view kNodes = "/nodes/";
  if (pointer.substr(0, kNodes.size()) != kNodes) return std::string(pointer);
  const std::string_view rest = pointer.substr(kNodes.size());
  const std::string_view name = rest.substr(0, rest.find('/'));
  const sim::ActorNames& names = world().actor_names();
  const std::optional<sim::ActorId> id = names.find(name);
  if (!id) {
    return sim::Error{fmt::format("no node named '{}' (the names: {})", name,
                                  names.empty() ? std::string("none, this world names no actors") : names.list())};
  }
  return fmt::format("/actors/{}{}", *id, rest.substr(name.size()));
}

sim::Result<std::string> Debugger::read(sim::World& world, Probe& probe, bool force, bool absent_is_value) {
  const uint64_t state_hash = world.state_hash();
  const bool actor_known = probe.actor && *probe.actor < world.actor_count();
  const uint64_t digest = actor_known ? world.actor_digest(sim::ActorId{*probe.actor}) : 0;
  // Equal hashes mean equal state: only a changed world (or actor) is dumped again.
  const bool unchanged = state_hash == probe.last_state_hash || (actor_known && digest == probe.last_actor_digest);
  probe.last_state_hash = state_hash;
  probe.last_actor_digest = digest;
  if (unchanged && !force) return probe.value;
  if (absent_is_value) {
    sim::Result<std::optional<std::string>> found = sim::json_text_at_pointer(world.dump_json(), probe.pointer);
    if (!found) return found.error();
    probe.value = found->value_or(std::string(kAbsent));
    return probe.value;
  }
  const sim::JsonValue json = world_json(world);
  sim::Result<const sim::JsonValue*> at = json.at_pointer(probe.pointer);
  if (!at) return at.error();
  probe.value = (*at)->to_text();
  return probe.value;
}

sim::Result<std::string> Debugger::print(std::string_view path) {
  sim::Result<Probe> probe = make_probe(path);
  if (!probe) return probe.error();
  return read(world(), *probe, /*force=*/true, /*absent_is_value=*/false);
}

sim::Result<std::vector<sim::Event>> Debugger::events() {
  const uint64_t here = tick();
  if (here == session_.trace().first_tick) return std::vector<sim::Event>{};
  if (sim::Status moved = go_to(here - 1); !moved) return moved.error();
  std::vector<sim::Event> ran;
  if (std::optional<Divergence> d = session_.advance_verified(*runner_, here, &ran)) return sim::Error{describe(*d)};
  return ran;
}

sim::Result<std::vector<std::string>> Debugger::log(const sim::LogFilter& filter) {
  const uint64_t here = tick();
  if (here == session_.trace().first_tick) return std::vector<std::string>{};
  sim::Log capture(filter, nullptr, /*capture=*/true);
  const sim::Duration length = session_.run().config.tick;
  capture.set_window(sim::Instant::zero() + length * static_cast<int64_t>(here - 1),
                     sim::Instant::zero() + length * static_cast<int64_t>(here) - sim::Duration::nanoseconds(1));
  // The log is an observer: a world rebuilt with one logs what the original logged.
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = session_.at_tick(here - 1, &capture);
  if (!runner) return runner.error();
  if (std::optional<Divergence> d = session_.advance_verified(**runner, here)) return sim::Error{describe(*d)};
  return capture.captured();
}

sim::Result<std::optional<Debugger::Change>> Debugger::watch_forward(std::string_view path) {
  sim::Result<Probe> probe = make_probe(path);
  if (!probe) return probe.error();
  const uint64_t last = session_.trace().last_tick();
  if (auto found = indexed(*probe, tick(), last, /*stop_at_first=*/true)) return *found;
  return scan(*probe, last, /*stop_at_first=*/true);
}

// Steps the cursor tick by tick up to `to` and reports the first (or the last) tick whose
// value differs from the tick before's; nullopt when none does.
sim::Result<std::optional<Debugger::Change>> Debugger::scan(Probe& probe, uint64_t to, bool stop_at_first) {
  sim::Result<std::string> start = read(world(), probe, /*force=*/true, /*absent_is_value=*/true);
  if (!start) return start.error();
  std::optional<Change> found;
  while (tick() < to) {
    const std::string before = probe.value;
    // One tick forward by running it: cheaper than restoring the next tick's snapshot.
    if (sim::Status moved = advance_to(tick() + 1); !moved) return moved.error();
    sim::Result<std::string> now = read(world(), probe, /*force=*/false, /*absent_is_value=*/true);
    if (!now) return now.error();
    if (*now == before) continue;
    found = Change{tick(), before, *now};
    if (stop_at_first) return found;
  }
  return found;
}

namespace {
constexpr uint64_t kScanWindow = 1000;
}  // namespace

sim::Result<std::string> Debugger::value_in_part(const Probe& probe, uint64_t at) const {
  const sim::SnapshotStore& store = *session_.trace().snapshots;
  const size_t part = sim::World::slot_part(sim::ActorId{*probe.actor});
  sim::Result<sim::Bytes> bytes = store.part_at(at, part);
  if (!bytes) return bytes.error();
  sim::Result<std::string> state = sim::World::dump_slot_part_state(*bytes, all_actor_types());
  if (!state) return state.error();
  sim::Result<std::optional<std::string>> found = sim::json_text_at_pointer(*state, *probe.in_state);
  if (!found) return found.error();
  return found->value_or(std::string(kAbsent));
}

std::optional<sim::Result<std::optional<Debugger::Change>>> Debugger::indexed(Probe& probe, uint64_t from, uint64_t to,
                                                                              bool stop_at_first) {
  const sim::SnapshotStore& store = *session_.trace().snapshots;
  if (!probe.in_state) return std::nullopt;
  if (from > to || !store.keeps_every_tick(from, to)) return std::nullopt;
  const size_t part = sim::World::slot_part(sim::ActorId{*probe.actor});
  sim::Result<std::string> value = value_in_part(probe, from);
  if (!value) return sim::Result<std::optional<Change>>(value.error());
  std::optional<Change> found;
  for (const uint64_t at : store.part_changes(part, from, to)) {
    sim::Result<std::string> now = value_in_part(probe, at);
    if (!now) return sim::Result<std::optional<Change>>(now.error());
    if (*now == *value) continue;
    found = Change{at, *value, *now};
    value = now;
    if (stop_at_first) break;
  }
  // The cursor goes where a scan would leave it: the change found, or the end for none.
  if (sim::Status moved = go_to(found ? found->tick : stop_at_first ? to : from); !moved) {
    return sim::Result<std::optional<Change>>(moved.error());
  }
  if (found) {
    // Confirmed in the restored world, as a scan would have read it.
    sim::Result<std::string> confirmed = read(world(), probe, /*force=*/true, /*absent_is_value=*/true);
    if (!confirmed) return sim::Result<std::optional<Change>>(confirmed.error());
    SIM_ASSERT_MSG(*confirmed == found->after, "the change index and the restored world disagree at tick {}",
                   found->tick);
  }
  return sim::Result<std::optional<Change>>(found);
}

sim::Result<std::optional<Debugger::Change>> Debugger::watch_backward(std::string_view path) {
  sim::Result<Probe> probe = make_probe(path);
  if (!probe) return probe.error();
  const uint64_t here = tick();
  const uint64_t first = session_.trace().first_tick;
  if (auto found = indexed(*probe, first, here, /*stop_at_first=*/false)) return *found;
  // Scan windows between snapshots, latest first: each is re-executed tick by tick, so a
  // change that reverts before the next snapshot is still seen.
  uint64_t window_end = here;
  while (window_end > first) {
    // Windows of at least a thousand ticks: a scan runs ticks, which is cheaper than
    // restoring one snapshot per tick when every tick has one.
    const uint64_t window_start =
        session_.trace().snapshot_tick_at_or_before(window_end - std::min<uint64_t>(window_end - first, kScanWindow));
    // The last change in (window_start, window_end], scanning forward from the window's start.
    if (sim::Status moved = go_to(window_start); !moved) return moved.error();
    sim::Result<std::optional<Change>> found = scan(*probe, window_end, /*stop_at_first=*/false);
    if (!found) return found.error();
    if (*found) {
      if (sim::Status moved = go_to((*found)->tick); !moved) return moved.error();
      return found;
    }
    window_end = window_start;
  }
  if (sim::Status moved = go_to(first); !moved) return moved.error();
  return std::optional<Change>();
}

}  // namespace scenarios
