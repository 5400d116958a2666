// The shrinker's passes.
#include "scenarios/shrink/passes.h"

#include "scenarios/chaos/chaos_world.h"
#include "scenarios/shrink/ddmin.h"
#include "scenarios/shrink/node_edits.h"
#include "scenarios/shrink/search.h"
#include "scenarios/shrink/units.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <set>

namespace scenarios::shrink {
namespace {

using Kind = chaos::ChaosCommand::Kind;

uint64_t tick_of(const Candidate& c, const FaultInput& input) { return input_tick(input, c.config.tick); }

// The inputs of `units` whose indices are in `kept`, in input order.
std::vector<size_t> members_of(const std::vector<Unit>& units, const std::vector<size_t>& kept) {
  std::vector<size_t> members;
  for (const size_t k : kept) members.insert(members.end(), units[k].members.begin(), units[k].members.end());
  std::sort(members.begin(), members.end());
  return members;
}

Candidate with_inputs(const Candidate& c, std::vector<FaultInput> inputs) {
  Candidate out = c;
  out.inputs = std::move(inputs);
  return out;
}

Candidate with_input(const Candidate& c, size_t index, FaultInput input) {
  Candidate out = c;
  out.inputs.at(index) = rewritten(std::move(input));
  return out;
}

// Where inputs may be moved: chaos inputs stay on batch boundaries (ticks 1, 1 + batch, ...),
// where the panel puts them and the model expects them; other runs' on any tick.
struct TimeGrid {
  uint64_t origin = 0;   // the first tick an input may move to
  uint64_t quantum = 1;  // ticks between the ticks it may move to
};

TimeGrid time_grid(const Candidate& c) {
  if (!is_chaos(c)) return {};
  const chaos::ChaosConfig config = chaos_config_of(c);
  return {1, static_cast<uint64_t>(std::max<int64_t>(config.batch_interval.count_of(c.config.tick), 1))};
}

sim::Duration at_tick(const Candidate& c, uint64_t tick) { return c.config.tick * static_cast<int64_t>(tick); }

}  // namespace

bool cut_at_failure(Shrinking& s) {
  const Candidate& best = s.best();
  std::vector<FaultInput> kept;
  for (const FaultInput& input : best.inputs) {
    if (tick_of(best, input) < s.best_end_tick()) kept.push_back(input);
  }
  if (kept.size() == best.inputs.size()) return false;
  return s.attempt(with_inputs(best, std::move(kept)));
}

namespace {

// The clients a failure's entity is about: both ends of a stream (as its dial names them),
// or the client itself; none for anything else.
std::set<std::string> focus_of(const Candidate& c, std::string_view entity) {
  const auto number_after = [&](std::string_view prefix) -> std::optional<uint64_t> {
    if (!entity.starts_with(prefix)) return std::nullopt;
    const std::string_view rest = entity.substr(prefix.size());
    uint64_t n = 0;
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (error != std::errc() || (end != rest.data() + rest.size() && *end != '/')) return std::nullopt;
    return n;
  };
  if (const std::optional<uint64_t> client = number_after("clients/")) return {chaos::client_name(*client)};
  const std::optional<uint64_t> stream = number_after("streams/");
  if (!stream) return {};
  for (const FaultInput& input : c.inputs) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    if (command && command->kind == Kind::kDial && command->dial_id == *stream) return {input.left[0], command->peer};
  }
  return {};
}

// The candidate without the inputs that name a client outside `focus` (and what depends
// on them): the failure's own nodes, the servers, and the faults of the whole network.
Candidate focused_on(const Candidate& c, const std::set<std::string>& focus) {
  const uint32_t clients = chaos_config_of(c).clients;
  const auto outside = [&](const std::string& name) {
    return chaos::client_index_named(name, clients).has_value() && !focus.contains(name);
  };
  std::vector<size_t> dropped;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const FaultInput& input = c.inputs[i];
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
    const bool names_other = std::any_of(input.left.begin(), input.left.end(), outside) ||
                             std::any_of(input.right.begin(), input.right.end(), outside) ||
                             (command && command->peer_word() && outside(command->peer));
    if (names_other) dropped.push_back(i);
  }
  return with_inputs(c, without(c.inputs, closure(c.inputs, units_of(c.inputs), dropped)));
}

}  // namespace

bool remove_units(Shrinking& s) {
  bool focused = false;
  // First the failure's own clients alone: most failures are about one stream or client,
  // and one run then removes what ddmin would take dozens for.
  if (is_chaos(s.best())) {
    const std::set<std::string> focus = focus_of(s.best(), s.best_entity());
    const Candidate candidate = focus.empty() ? s.best() : focused_on(s.best(), focus);
    if (candidate.inputs.size() < s.best().inputs.size()) focused = s.attempt(candidate);
  }
  const Candidate start = s.best();
  const std::vector<Unit> units = units_of(start.inputs);
  const std::vector<size_t> kept = ddmin(units.size(), [&](const std::vector<size_t>& some) {
    return s.attempt(with_inputs(start, only(start.inputs, members_of(units, some))));
  });
  return focused || kept.size() < units.size();
}

bool remove_within_units(Shrinking& s) {
  bool changed = false;
  for (size_t u = 0; u < units_of(s.best().inputs).size(); ++u) {
    const Candidate start = s.best();
    const std::vector<Unit> units = units_of(start.inputs);
    const std::vector<size_t> parts(units[u].members.begin() + 1, units[u].members.end());
    if (parts.empty()) continue;
    const std::vector<size_t> kept = ddmin(parts.size(), [&](const std::vector<size_t>& some) {
      std::vector<size_t> removed;
      for (size_t p = 0; p < parts.size(); ++p) {
        if (!std::binary_search(some.begin(), some.end(), p)) removed.push_back(parts[p]);
      }
      return s.attempt(with_inputs(start, without(start.inputs, closure(start.inputs, units, removed))));
    });
    changed |= kept.size() < parts.size();
  }
  return changed;
}

namespace {

// A crash becomes a kill, a kill a graceful stop.
std::optional<InputKind> gentler_stop(InputKind kind) {
  if (kind == InputKind::kCrash) return InputKind::kKill;
  if (kind == InputKind::kKill) return InputKind::kStop;
  return std::nullopt;
}

bool shorten_duration(Shrinking& s, size_t index) {
  const FaultInput input = s.best().inputs[index];
  const int64_t tick_ns = s.best().config.tick.ns();
  const int64_t ticks = input.duration.ns() / tick_ns;
  if (ticks <= 1) return false;
  const NumberSearch found = smallest_failing(1, ticks, [&](int64_t t) {
    FaultInput shorter = input;
    shorter.duration = sim::Duration::nanoseconds(t * tick_ns);
    return s.attempt(with_input(s.best(), index, shorter));
  });
  return found.value < ticks;
}

bool lower_ratio(Shrinking& s, size_t index) {
  const FaultInput input = s.best().inputs[index];
  constexpr int64_t kPerMillion = 1'000'000;
  const int64_t ppm = input.ratio.scale(kPerMillion);
  if (ppm == 0) return false;
  const NumberSearch found = smallest_failing(0, ppm, [&](int64_t p) {
    FaultInput lower = input;
    lower.ratio = sim::Ratio(static_cast<uint64_t>(p), kPerMillion);
    return s.attempt(with_input(s.best(), index, lower));
  });
  return found.value < ppm;
}

// A partition lifted sooner: its heal moved earlier on the time grid.
bool heal_sooner(Shrinking& s, size_t partition) {
  const std::vector<Unit> units = units_of(s.best().inputs);
  const auto unit = std::find_if(units.begin(), units.end(), [&](const Unit& u) { return u.head() == partition; });
  if (unit == units.end() || unit->members.size() < 2) return false;
  const size_t heal = unit->members[1];
  const TimeGrid grid = time_grid(s.best());
  const uint64_t from = tick_of(s.best(), s.best().inputs[partition]);
  const uint64_t to = tick_of(s.best(), s.best().inputs[heal]);
  const int64_t steps = static_cast<int64_t>((to - from) / grid.quantum);
  if (steps <= 1) return false;
  const FaultInput original = s.best().inputs[heal];
  const NumberSearch found = smallest_failing(1, steps, [&](int64_t k) {
    FaultInput sooner = original;
    sooner.at = at_tick(s.best(), from + static_cast<uint64_t>(k) * grid.quantum);
    return s.attempt(with_input(s.best(), heal, sooner));
  });
  return found.value < steps;
}

}  // namespace

bool weaken_faults(Shrinking& s) {
  bool changed = false;
  for (size_t i = 0; i < s.best().inputs.size(); ++i) {
    const FaultInput& input = s.best().inputs[i];
    switch (input.kind) {
      case InputKind::kClog:
        changed |= shorten_duration(s, i);
        break;
      case InputKind::kLossBurst:
        changed |= lower_ratio(s, i);
        changed |= shorten_duration(s, i);
        break;
      case InputKind::kPartition:
      case InputKind::kPartitionOneWay:
        changed |= heal_sooner(s, i);
        break;
      case InputKind::kCrash:
      case InputKind::kKill:
        for (std::optional<InputKind> gentler = gentler_stop(input.kind); gentler; gentler = gentler_stop(*gentler)) {
          FaultInput softer = s.best().inputs[i];
          softer.kind = *gentler;
          if (!s.attempt(with_input(s.best(), i, softer))) break;
          changed = true;
        }
        break;
      default:
        break;
    }
  }
  return changed;
}

bool close_gaps(Shrinking& s) {
  bool changed = false;
  const TimeGrid grid = time_grid(s.best());
  for (size_t g = 0;; ++g) {
    std::set<uint64_t> distinct;
    for (const FaultInput& input : s.best().inputs) {
      const uint64_t t = tick_of(s.best(), input);
      if (t >= grid.origin) distinct.insert(t);
    }
    const std::vector<uint64_t> ticks(distinct.begin(), distinct.end());
    if (g >= ticks.size()) break;
    const uint64_t earliest = g == 0 ? grid.origin : ticks[g - 1] + grid.quantum;
    if (ticks[g] <= earliest) continue;
    const int64_t steps = static_cast<int64_t>((ticks[g] - earliest) / grid.quantum);
    const Candidate start = s.best();
    // Every input from ticks[g] on moves earlier by `k` grid steps.
    const NumberSearch found = smallest_failing(0, steps, [&](int64_t k) {
      const int64_t back = steps - k;
      Candidate moved = start;
      for (FaultInput& input : moved.inputs) {
        if (tick_of(start, input) < ticks[g]) continue;
        input.at = input.at - at_tick(start, static_cast<uint64_t>(back) * grid.quantum);
        input = rewritten(std::move(input));
      }
      return s.attempt(moved);
    });
    changed |= found.value < steps;
  }
  if (!is_chaos(s.best())) return changed;
  // The fault phase ends a batch after the last input: what follows it (settling, the
  // liveness check) comes as soon as it can.
  chaos::ChaosConfig config = chaos_config_of(s.best());
  uint64_t last = 0;
  for (const FaultInput& input : s.best().inputs) last = std::max(last, tick_of(s.best(), input));
  const int64_t batches = config.duration.count_of(config.batch_interval);
  const int64_t needed = static_cast<int64_t>((std::max(last, grid.origin) - grid.origin) / grid.quantum) + 1;
  if (needed >= batches) return changed;
  const NumberSearch found = smallest_failing(needed, batches, [&](int64_t b) {
    chaos::ChaosConfig shorter = config;
    shorter.duration = config.batch_interval * b;
    return s.attempt(with_chaos_config(s.best(), shorter));
  });
  return changed || found.value < batches;
}

namespace {

// The next write after `index` by the same end of the same stream, if `index` is a write
// that does not close its side.
std::optional<size_t> next_write_of_end(const Candidate& c, size_t index) {
  const std::optional<chaos::ChaosCommand> first = chaos_command_of(c.inputs[index]);
  if (!first || first->kind != Kind::kWrite || first->close) return std::nullopt;
  for (size_t j = index + 1; j < c.inputs.size(); ++j) {
    const std::optional<chaos::ChaosCommand> w = chaos_command_of(c.inputs[j]);
    if (w && w->kind == Kind::kWrite && w->dial_id == first->dial_id && w->dialer_end == first->dialer_end) return j;
  }
  return std::nullopt;
}

// Two writes of one end merged into the first: the same bytes, one input fewer.
bool merge_writes(Shrinking& s) {
  bool changed = false;
  for (size_t i = 0; i < s.best().inputs.size(); ++i) {
    while (const std::optional<size_t> next = next_write_of_end(s.best(), i)) {
      const chaos::ChaosCommand second = *chaos_command_of(s.best().inputs[*next]);
      FaultInput merged = s.best().inputs[i];
      merged.words.at(3) = std::to_string(chaos_command_of(merged)->bytes + second.bytes);
      if (second.close) merged.words.emplace_back("close");
      Candidate c = with_input(s.best(), i, merged);
      c.inputs.erase(c.inputs.begin() + static_cast<std::ptrdiff_t>(*next));
      if (!s.attempt(c)) break;
      changed = true;
    }
  }
  return changed;
}

}  // namespace

bool shrink_values(Shrinking& s) {
  bool changed = merge_writes(s);
  for (size_t i = 0; i < s.best().inputs.size(); ++i) {
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(s.best().inputs[i]);
    if (!command || command->kind != Kind::kWrite || command->bytes <= 1) continue;
    const FaultInput input = s.best().inputs[i];
    const auto bytes = static_cast<int64_t>(command->bytes);
    const NumberSearch found = smallest_failing(1, bytes, [&](int64_t b) {
      FaultInput smaller = input;
      smaller.words.at(3) = std::to_string(b);  // write ID END BYTES [close]
      return s.attempt(with_input(s.best(), i, smaller));
    });
    changed |= found.value < bytes;
  }
  return changed;
}

bool remove_each(Shrinking& s, std::vector<InputFinding>& findings) {
  findings.clear();
  const Candidate start = s.best();
  const std::vector<Unit> units = units_of(start.inputs);
  std::vector<InputFinding> found;
  for (size_t i = 0; i < start.inputs.size(); ++i) {
    const Candidate without_it = with_inputs(start, without(start.inputs, with_dependents(start.inputs, units, i)));
    if (s.attempt(without_it)) return true;  // not 1-minimal: the passes go on from here
    const Trial& t = s.last_trial();
    if (t.result == TrialResult::kOutOfBudget) return false;  // findings incomplete: none
    std::string removal = t.result == TrialResult::kOtherFailure ? fmt::format("another failure: {}", t.fingerprint)
                                                                 : std::string(enum_name(t.result));
    if (t.result == TrialResult::kInvalid) removal += ": " + t.error;
    found.push_back(InputFinding{start.inputs[i].text, tick_of(start, start.inputs[i]), true, std::move(removal)});
  }
  findings = std::move(found);
  return false;
}

}  // namespace scenarios::shrink
