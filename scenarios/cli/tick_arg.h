// Tick arguments: an integer tick, or a time with a unit where a time is natural.
#pragma once

#include "sim/time.h"

#include <optional>
#include <string_view>

namespace scenarios::cli {

// "1500" is tick 1500; "2s" or "150ms" is the tick containing that virtual time.
std::optional<uint64_t> parse_tick(std::string_view text, sim::Duration tick_length);

}  // namespace scenarios::cli
