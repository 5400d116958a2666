// The classes a check belongs to. Every judge (the scenario catalog's, the fault conductor's
// recorded checks, chaos's) names one, so a reader of `--json` can tell a broken promise
// from a late one. It lives here, at the bottom of scenarios/, because the fault conductor
// records checks in world state and so needs the class below the catalog that reports them.
#pragma once

#include <cstdint>
#include <string_view>

namespace scenarios {

enum class CheckKind : uint8_t {
  /// Time-free: holds at every instant (bytes exact and on the right stream, limits kept).
  kSafety,
  /// An obligation with a deadline: a dial resolves, a loop moves, a client reconnects.
  kLiveness,
  /// The run exercised what the scenario claims to test (bytes were in flight at the fault,
  /// the rounds ran); a failure means the scenario tested less than it says, not a dmsg bug.
  kCoverage,
  /// An outcome a protocol rule fixes under the run's drawn knobs, computed before the run
  /// began (scenarios/world/predictions.h): it must be observed.
  kPrediction,
};

constexpr std::string_view enum_name(CheckKind kind) {
  switch (kind) {
    case CheckKind::kSafety:
      return "safety";
    case CheckKind::kLiveness:
      return "liveness";
    case CheckKind::kCoverage:
      return "coverage";
    case CheckKind::kPrediction:
      return "prediction";
  }
  return "unknown";
}

}  // namespace scenarios
