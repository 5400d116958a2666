// The chaos run's configuration and its control panel's draw.
#include "scenarios/chaos/config.h"
#include "scenarios/chaos/picker.h"

#include <catch2/catch.hpp>

#include <map>

using scenarios::chaos::ChaosConfig;
using scenarios::chaos::EventKind;
using scenarios::chaos::EventPicker;
using scenarios::chaos::HostileKind;
using scenarios::chaos::parse_chaos_config;

TEST_CASE("chaos: config: every key is read, probabilities from decimal text or fractions") {
  const auto config = parse_chaos_config(R"({
    "servers": 3, "clients": 12, "streams": 40, "events": 5000, "duration": "2m",
    "batch_interval": "500ms", "max_events_per_batch": 4, "profile": "lossy",
    "probabilities": {"dial": "0.25", "stop_server": "1/40", "heal": "1", "write": "0"}
  })");
  REQUIRE(config.ok());
  CHECK(config->servers == 3);
  CHECK(config->clients == 12);
  CHECK(config->streams == 40);
  CHECK(config->events == 5000U);
  CHECK(config->duration == sim::Duration::seconds(120));
  CHECK(config->batch_interval == sim::Duration::milliseconds(500));
  CHECK(config->max_events_per_batch == 4);
  CHECK(config->profile == "lossy");
  CHECK(config->probability_of(EventKind::kDial) == sim::Ratio(1, 4));
  CHECK(config->probability_of(EventKind::kStopServer) == sim::Ratio(1, 40));
  CHECK(config->probability_of(EventKind::kHeal) == sim::Ratio::one());
  CHECK(config->probability_of(EventKind::kWrite) == sim::Ratio::zero());
  // Kinds not named keep their defaults.
  CHECK(config->probability_of(EventKind::kClog) == ChaosConfig{}.probability_of(EventKind::kClog));
}

TEST_CASE("chaos: config: an empty object gives the documented defaults") {
  const auto config = parse_chaos_config("{}");
  REQUIRE(config.ok());
  CHECK(config->servers == 5);
  CHECK(config->clients == 50);
  CHECK(config->batch_interval == sim::Duration::seconds(1));
  CHECK(config->probability_of(EventKind::kDial) == sim::Ratio(1, 2));
  for (size_t k = 0; k < scenarios::chaos::kHostileKinds; ++k) {
    CHECK(config->probability_of(static_cast<HostileKind>(k)) == sim::Ratio(1, 500));
  }
}

TEST_CASE("chaos: config: hostile kinds each have their own probability") {
  const auto config = parse_chaos_config(R"({"hostile": {"dial_flood": "1/20", "never_reads": "0"}})");
  REQUIRE(config.ok());
  CHECK(config->probability_of(HostileKind::kDialFlood) == sim::Ratio(1, 20));
  CHECK(config->probability_of(HostileKind::kNeverReads) == sim::Ratio::zero());
  CHECK(config->probability_of(HostileKind::kBadRecord) == sim::Ratio(1, 500));  // not named: the default
}

TEST_CASE("chaos: config: the recorded config file reads back to the same config, with or without an event limit") {
  // A trace records chaos_config_json(config); its judge reads it back.
  ChaosConfig limited;
  limited.events = 40;
  limited.batch_interval = sim::Duration::milliseconds(20);
  limited.probability_of(EventKind::kClog) = sim::Ratio(3, 7);
  limited.probability_of(HostileKind::kSpoofedSource) = sim::Ratio(2, 9);
  limited.verify_snapshots = true;
  for (const ChaosConfig& original : {ChaosConfig{}, limited}) {
    const std::string text = scenarios::chaos::chaos_config_json(original);
    INFO(text);
    const auto read = parse_chaos_config(text);
    REQUIRE(read.ok());
    CHECK(scenarios::chaos::chaos_config_json(*read) == text);
    CHECK(read->events == original.events);
    CHECK(read->verify_snapshots == original.verify_snapshots);
  }
}

TEST_CASE("chaos: config: mistakes are refused with the key named") {
  const std::map<std::string, std::string> cases = {
      {R"({"probabilities": {"dial": 0.5}})", "probabilities/dial"},    // a JSON number: refused
      {R"({"probabilities": {"dial": "1.5"}})", "probabilities/dial"},  // not a probability
      {R"({"probabilities": {"teleport": "0.1"}})", "probabilities/teleport"},
      {R"({"servers": 0})", "servers"},
      {R"({"servers": 2.5})", "servers"},
      {R"({"clients": "ten"})", "clients"},
      {R"({"duration": "10"})", "duration"},  // no unit
      {R"({"batch_interval": "-1s"})", "batch_interval"},
      {R"({"colour": "blue"})", "colour"},
      {R"({"hostile": {"shouting": "0.1"}})", "hostile/shouting"},
      {R"({"hostile": {"dial_flood": 1}})", "hostile/dial_flood"},
      {R"({"hostile": "often"})", "hostile"},
      {R"({"verify_snapshots": "yes"})", "verify_snapshots"},
      {R"({"verify_snapshots": 1})", "verify_snapshots"},
  };
  for (const auto& [text, key] : cases) {
    INFO(text);
    const auto config = parse_chaos_config(text);
    REQUIRE_FALSE(config.ok());
    CHECK_THAT(config.error().message, Catch::Contains("\"" + key + "\""));
  }
  CHECK_FALSE(parse_chaos_config("[1, 2]").ok());
  CHECK_FALSE(parse_chaos_config("{\"servers\": ").ok());
}

TEST_CASE("chaos: picker: batches are reproducible and follow the probabilities") {
  ChaosConfig config;
  EventPicker a(config, sim::Rng::stream(7, "chaos/panel"));
  EventPicker b(config, sim::Rng::stream(7, "chaos/panel"));
  std::map<EventKind, uint64_t> kept;
  uint64_t drawn_batches = 0;
  for (int i = 0; i < 20'000; ++i) {
    const std::vector<EventKind> batch = a.draw_batch();
    REQUIRE(batch == b.draw_batch());
    REQUIRE(batch.size() <= config.max_events_per_batch);
    for (EventKind kind : batch) ++kept[kind];
    ++drawn_batches;
  }
  // 20 000 batches of 3 draws on average, a tenth of them each kind: dials kept half the time.
  const double dials = static_cast<double>(kept[EventKind::kDial]);
  CHECK(dials > 0.45 * 6000);
  CHECK(dials < 0.55 * 6000);
  CHECK(kept[EventKind::kPartition] < kept[EventKind::kHeal]);
  CHECK(drawn_batches == 20'000);
}

TEST_CASE("chaos: picker: probability 1 keeps every draw, 0 keeps none") {
  ChaosConfig always;
  always.probability.fill(sim::Ratio::one());
  always.max_events_per_batch = 3;
  EventPicker all(always, sim::Rng::stream(1, "chaos/panel"));
  std::map<size_t, int> sizes;
  for (int i = 0; i < 3000; ++i) ++sizes[all.draw_batch().size()];
  CHECK(sizes.size() == 3);  // 1, 2 and 3 events, nothing else
  CHECK(sizes.count(0) == 0);
  ChaosConfig never;
  never.probability.fill(sim::Ratio::zero());
  EventPicker none(never, sim::Rng::stream(1, "chaos/panel"));
  for (int i = 0; i < 1000; ++i) REQUIRE(none.draw_batch().empty());
}
