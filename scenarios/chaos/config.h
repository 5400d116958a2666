// The chaos run's configuration: sizes, stopping rule, batch rhythm, event probabilities.
#pragma once

#include "scenarios/chaos/hostile.h"
#include "sim/ratio.h"
#include "sim/result.h"
#include "sim/time.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace scenarios::chaos {

// What the control panel can do to the world in a batch (issue 8's list).
enum class EventKind : uint8_t {
  kStartServer,  // a stopped server starts again
  kStopServer,   // a running server is killed, crashed or stopped gracefully
  kStartClient,  // a stopped client starts, with or without accept and read handling
  kStopClient,
  kDial,       // a random client dials another random client
  kWrite,      // a write of random length and count on a random established stream
  kPartition,  // network faults
  kHeal,
  kClog,
  kLossBurst,
};
inline constexpr size_t kEventKinds = 10;
std::string_view enum_name(EventKind kind);
// The kind named `name` in config files ("start_server", ...).
std::optional<EventKind> event_kind_named(std::string_view name);

// Whether the fault phase ends with the network's background faults stopping (the input
// `calm`): auto does it when the links alone can end a session, so that the settle and
// exact checks, owed only on links that keep sessions, still run (README, "Healing").
enum class HealNetwork : uint8_t { kAuto, kAlways, kNever };
std::string_view enum_name(HealNetwork heal);

struct ChaosConfig {
  uint32_t servers = 5;
  uint32_t clients = 50;
  uint32_t streams = 200;  // streams open at most at once
  /// The run stops after this many executed events, or this much virtual time.
  std::optional<uint64_t> events;
  sim::Duration duration = sim::Duration::seconds(600);
  sim::Duration batch_interval = sim::Duration::seconds(1);
  /// The model checks the world every this many batches.
  uint32_t check_every = 1;
  /// After the settle window that follows the fault phase, exact checks go on this long.
  sim::Duration exact_window = sim::Duration::seconds(20);
  /// A batch draws between 1 and this many event kinds.
  uint32_t max_events_per_batch = 5;
  std::string profile = "calm";
  HealNetwork heal = HealNetwork::kAuto;
  /// Each drawn kind is kept with its probability.
  std::array<sim::Ratio, kEventKinds> probability = default_probabilities();
  /// Per batch of the fault phase and hostile kind: the chance that a running client, not
  /// hostile already, turns hostile in that way for a span (README, "Hostile peers").
  std::array<sim::Ratio, kHostileKinds> hostile = default_hostile_probabilities();
  /// Nodes whose keys (identity) are another node's: {"c0": "c47"} gives client c0 the keys
  /// client c47 has in a larger world. A shrunk run keeps its nodes' keys this way, and with
  /// them which server each stream is relayed by. Empty: every node has its own.
  std::map<std::string, std::string> identities;
  /// The test plan's snapshot check at every batch boundary (README, "The snapshot check"):
  /// outside the world, so a run with it on has the chain of one without.
  bool verify_snapshots = false;

  sim::Ratio& probability_of(EventKind kind) { return probability[static_cast<size_t>(kind)]; }
  const sim::Ratio& probability_of(EventKind kind) const { return probability[static_cast<size_t>(kind)]; }
  sim::Ratio& probability_of(HostileKind kind) { return hostile[static_cast<size_t>(kind)]; }
  const sim::Ratio& probability_of(HostileKind kind) const { return hostile[static_cast<size_t>(kind)]; }

  // The documented defaults (README, "Chaos"): dials and writes often, faults rarely.
  static std::array<sim::Ratio, kEventKinds> default_probabilities();
};

// Reads a JSON config over `base`: every key optional, unknown keys refused, durations as
// text with a unit ("1s"), probabilities as decimal strings ("0.05") or fractions ("1/20"),
// never JSON numbers (floats would make runs differ between parsers). Errors name the key.
sim::Result<ChaosConfig> parse_chaos_config(std::string_view json, ChaosConfig base = {});

// The config as a config file: every key, defaults filled in, one line. parse_chaos_config
// reads it back to the same config.
std::string chaos_config_json(const ChaosConfig& config);

}  // namespace scenarios::chaos
