// Parsing tick arguments.
#include "scenarios/cli/tick_arg.h"

#include "scenarios/cli/args.h"

namespace scenarios::cli {

std::optional<uint64_t> parse_tick(std::string_view text, sim::Duration tick_length) {
  if (std::optional<uint64_t> tick = parse_u64(text)) return tick;
  std::optional<sim::Duration> at = sim::parse_duration(text);
  if (!at) return std::nullopt;
  return static_cast<uint64_t>(at->count_of(tick_length));
}

}  // namespace scenarios::cli
