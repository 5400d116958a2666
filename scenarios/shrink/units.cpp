// Grouping inputs into units.
#include "scenarios/shrink/units.h"

#include "scenarios/shrink/candidate.h"
#include "sim/assert.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace scenarios::shrink {
namespace {

using Kind = chaos::ChaosCommand::Kind;

bool is_stop(InputKind kind) {
  return kind == InputKind::kStop || kind == InputKind::kKill || kind == InputKind::kCrash;
}

bool is_command_of_kind(const FaultInput& input, Kind kind) {
  const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
  return command && command->kind == kind;
}

// The handling command a restarted client gets at its restart's tick, right after it.
std::optional<size_t> handling_after_restart(const std::vector<FaultInput>& inputs, size_t restart) {
  const size_t next = restart + 1;
  if (next >= inputs.size() || inputs[next].at != inputs[restart].at) return std::nullopt;
  if (!is_command_of_kind(inputs[next], Kind::kHandling) || inputs[next].left != inputs[restart].left) {
    return std::nullopt;
  }
  return next;
}

// A hostile span's start (`hostile KIND`) or end (`hostile end`).
bool is_hostile_command(const FaultInput& input, bool start) {
  const std::optional<chaos::ChaosCommand> command = chaos_command_of(input);
  return command && command->kind == Kind::kHostile && command->hostile.has_value() == start;
}

// The first input after `from`, not yet in a unit, that closes what `from` opened.
std::optional<size_t> closer_of(const std::vector<FaultInput>& inputs, size_t from, const std::vector<bool>& taken) {
  const FaultInput& opener = inputs[from];
  const bool hostile_start = is_hostile_command(opener, true);
  for (size_t i = from + 1; i < inputs.size(); ++i) {
    if (taken[i]) continue;
    const FaultInput& in = inputs[i];
    const bool closes = (is_stop(opener.kind) && in.kind == InputKind::kRestart && in.left == opener.left) ||
                        ((opener.kind == InputKind::kPartition || opener.kind == InputKind::kPartitionOneWay) &&
                         in.kind == InputKind::kHeal) ||
                        (opener.kind == InputKind::kHold && in.kind == InputKind::kRelease && in.left == opener.left &&
                         in.right == opener.right) ||
                        (hostile_start && is_hostile_command(in, false) && in.left == opener.left);
    if (closes) return i;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Unit> units_of(const std::vector<FaultInput>& inputs) {
  std::vector<bool> taken(inputs.size(), false);
  std::vector<Unit> units;
  auto take = [&](Unit& unit, size_t i) {
    SIM_ASSERT(!taken[i]);
    taken[i] = true;
    unit.members.push_back(i);
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (taken[i]) continue;
    Unit unit;
    take(unit, i);
    const std::optional<chaos::ChaosCommand> command = chaos_command_of(inputs[i]);
    if (command && command->kind == Kind::kDial) {
      for (size_t j = i + 1; j < inputs.size(); ++j) {
        const std::optional<chaos::ChaosCommand> write = chaos_command_of(inputs[j]);
        if (!taken[j] && write && write->kind == Kind::kWrite && write->dial_id == command->dial_id) take(unit, j);
      }
    } else if (inputs[i].kind == InputKind::kRestart) {
      if (const std::optional<size_t> handling = handling_after_restart(inputs, i)) take(unit, *handling);
    } else if (const std::optional<size_t> closer = closer_of(inputs, i, taken)) {
      take(unit, *closer);
      if (inputs[*closer].kind == InputKind::kRestart) {
        const std::optional<size_t> handling = handling_after_restart(inputs, *closer);
        if (handling && !taken[*handling]) take(unit, *handling);
      }
    }
    std::sort(unit.members.begin() + 1, unit.members.end());
    units.push_back(std::move(unit));
  }
  return units;
}

std::vector<size_t> with_dependents(const std::vector<FaultInput>& inputs, const std::vector<Unit>& units,
                                    size_t index) {
  for (const Unit& unit : units) {
    if (unit.head() == index) return unit.members;
    if (std::find(unit.members.begin(), unit.members.end(), index) == unit.members.end()) continue;
    std::vector<size_t> removed = {index};
    if (inputs[index].kind == InputKind::kRestart) {
      const std::optional<size_t> handling = handling_after_restart(inputs, index);
      if (handling && std::find(unit.members.begin(), unit.members.end(), *handling) != unit.members.end()) {
        removed.push_back(*handling);
      }
    }
    return removed;
  }
  SIM_UNREACHABLE("input {} is in no unit", index);
}

std::vector<size_t> closure(const std::vector<FaultInput>& inputs, const std::vector<Unit>& units,
                            const std::vector<size_t>& indices) {
  std::set<size_t> all;
  for (const size_t i : indices) {
    for (const size_t j : with_dependents(inputs, units, i)) all.insert(j);
  }
  return {all.begin(), all.end()};
}

}  // namespace scenarios::shrink
