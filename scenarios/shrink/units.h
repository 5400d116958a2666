// Units: inputs that only make sense together, removed together (a dial and every write on
// its stream; a stop and its restart; a partition and its heal; a hold and its release; a
// hostile span's start and its end).
#pragma once

#include "scenarios/world/inputs.h"

#include <cstddef>
#include <vector>

namespace scenarios::shrink {

// Indices into a candidate's inputs, in input order; the first is the unit's head (the
// input that opens it: the dial, the stop, the partition).
struct Unit {
  std::vector<size_t> members;

  size_t head() const { return members.front(); }
};

// Every input in exactly one unit, units ordered by their heads.
std::vector<Unit> units_of(const std::vector<FaultInput>& inputs);

// The input at `index` and every input that means nothing without it: all of its unit for
// a head; a restart's handling command after it; nothing more for anything else.
std::vector<size_t> with_dependents(const std::vector<FaultInput>& inputs, const std::vector<Unit>& units,
                                    size_t index);

// The union of with_dependents() over `indices`, sorted.
std::vector<size_t> closure(const std::vector<FaultInput>& inputs, const std::vector<Unit>& units,
                            const std::vector<size_t>& indices);

}  // namespace scenarios::shrink
