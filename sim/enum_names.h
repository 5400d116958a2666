// One table per enum for its names in logs, dumps and command lines.
#pragma once

#include "sim/assert.h"

#include <array>
#include <optional>
#include <string_view>

namespace sim {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

// The name of `value` in `table`; an unlisted value is a programmer error.
template <class E, size_t N>
std::string_view name_in(const std::array<EnumName<E>, N>& table, E value) {
  for (const EnumName<E>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  SIM_UNREACHABLE("enum value {} has no name", static_cast<long long>(value));
}

// The value named `text` in `table`, if any.
template <class E, size_t N>
std::optional<E> value_in(const std::array<EnumName<E>, N>& table, std::string_view text) {
  for (const EnumName<E>& entry : table) {
    if (entry.name == text) return entry.value;
  }
  return std::nullopt;
}

}  // namespace sim
