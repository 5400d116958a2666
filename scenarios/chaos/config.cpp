// Parsing chaos configs: strict, with errors that name the key at fault.
#include "scenarios/chaos/config.h"

#include "sim/enum_names.h"
#include "sim/fmt.h"
#include "sim/json_value.h"

#include <algorithm>
#include <charconv>

namespace scenarios::chaos {
namespace {

constexpr std::array<sim::EnumName<EventKind>, kEventKinds> kNames = {{
    {EventKind::kStartServer, "start_server"},
    {EventKind::kStopServer, "stop_server"},
    {EventKind::kStartClient, "start_client"},
    {EventKind::kStopClient, "stop_client"},
    {EventKind::kDial, "dial"},
    {EventKind::kWrite, "write"},
    {EventKind::kPartition, "partition"},
    {EventKind::kHeal, "heal"},
    {EventKind::kClog, "clog"},
    {EventKind::kLossBurst, "loss_burst"},
}};

constexpr std::array<sim::EnumName<HealNetwork>, 3> kHealNames = {{
    {HealNetwork::kAuto, "auto"},
    {HealNetwork::kAlways, "always"},
    {HealNetwork::kNever, "never"},
}};

sim::Error key_error(std::string_view key, std::string_view what) {
  return sim::Error{fmt::format("chaos config: \"{}\": {}", key, what)};
}

sim::Result<uint64_t> whole_number(std::string_view key, const sim::JsonValue& value, uint64_t min, uint64_t max) {
  const std::string& text = value.scalar();
  uint64_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (value.kind() != sim::JsonValue::Kind::kNumber || error != std::errc() || end != text.data() + text.size() ||
      n < min || n > max) {
    return key_error(key, fmt::format("expected a whole number from {} to {}, got {}", min, max, value.to_text()));
  }
  return n;
}

sim::Result<sim::Duration> duration(std::string_view key, const sim::JsonValue& value) {
  const std::optional<sim::Duration> d =
      value.kind() == sim::JsonValue::Kind::kString ? sim::parse_duration(value.scalar()) : std::nullopt;
  if (!d || *d <= sim::Duration::zero()) {
    return key_error(key,
                     fmt::format("expected a positive duration with a unit, like \"1s\", got {}", value.to_text()));
  }
  return *d;
}

sim::Result<sim::Ratio> probability(std::string_view key, const sim::JsonValue& value) {
  if (value.kind() != sim::JsonValue::Kind::kString) {
    return key_error(key, fmt::format("probabilities are strings, \"0.05\" or \"1/20\" (never JSON numbers), got {}",
                                      value.to_text()));
  }
  const std::optional<sim::Ratio> p = sim::parse_probability(value.scalar());
  if (!p) return key_error(key, fmt::format("expected a probability from 0 to 1, got \"{}\"", value.scalar()));
  return *p;
}

// An object of kind name to probability under `key`: `key_of(kind)` names each of the
// table's N kinds (`what` says which kinds, for the errors).
template <class Kind, size_t N, class KeyOf>
sim::Status read_probability_table(std::string_view key, std::string_view what, const sim::JsonValue& object,
                                   KeyOf key_of, std::array<sim::Ratio, N>& table) {
  if (!object.is_object()) return key_error(key, fmt::format("expected an object of {} to probability", what));
  for (const auto& [name, value] : object.members()) {
    std::optional<size_t> index;
    std::string known;
    for (size_t k = 0; k < N; ++k) {
      const std::string_view candidate = key_of(static_cast<Kind>(k));
      if (candidate == name) index = k;
      known += fmt::format("{}{}", k == 0 ? "" : ", ", candidate);
    }
    const std::string at = fmt::format("{}/{}", key, name);
    if (!index) return key_error(at, fmt::format("unknown {} (known: {})", what, known));
    sim::Result<sim::Ratio> p = probability(at, value);
    if (!p) return p.error();
    table[*index] = *p;
  }
  return sim::Ok{};
}

// A node name as the chaos world gives them: "s" or "c" and a number.
bool is_node_name(std::string_view name) {
  if (name.size() < 2 || (name[0] != 's' && name[0] != 'c')) return false;
  if (name[1] == '0' && name.size() > 2) return false;
  return std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

sim::Status read_identities(const sim::JsonValue& object, ChaosConfig& config) {
  if (!object.is_object()) return key_error("identities", "expected an object of node name to node name");
  for (const auto& [name, value] : object.members()) {
    const std::string key = fmt::format("identities/{}", name);
    if (value.kind() != sim::JsonValue::Kind::kString) return key_error(key, "expected a node name");
    const std::string identity = value.scalar();
    if (!is_node_name(name) || !is_node_name(identity) || name[0] != identity[0]) {
      return key_error(key, "expected a server (s0, s1, ...) or client (c0, ...) named to one of its own kind");
    }
    config.identities[name] = identity;
  }
  return sim::Ok{};
}

// Applies one top-level member.
sim::Status read_member(const std::string& key, const sim::JsonValue& value, ChaosConfig& config) {
  auto count = [&](uint32_t& field, uint64_t min, uint64_t max) -> sim::Status {
    sim::Result<uint64_t> n = whole_number(key, value, min, max);
    if (!n) return n.error();
    field = static_cast<uint32_t>(*n);
    return sim::Ok{};
  };
  auto span = [&](sim::Duration& field) -> sim::Status {
    sim::Result<sim::Duration> d = duration(key, value);
    if (!d) return d.error();
    field = *d;
    return sim::Ok{};
  };
  if (key == "servers") return count(config.servers, 1, 100);
  if (key == "clients") return count(config.clients, 1, 1000);
  if (key == "streams") return count(config.streams, 0, 100'000);
  if (key == "max_events_per_batch") return count(config.max_events_per_batch, 1, 1000);
  if (key == "check_every") return count(config.check_every, 1, 1'000'000);
  if (key == "exact_window") return span(config.exact_window);
  if (key == "duration") return span(config.duration);
  if (key == "batch_interval") return span(config.batch_interval);
  if (key == "probabilities") {
    return read_probability_table<EventKind>(
        key, "event kind", value, [](EventKind k) { return enum_name(k); }, config.probability);
  }
  if (key == "hostile") {
    return read_probability_table<HostileKind>(
        key, "hostile kind", value, [](HostileKind k) { return config_key(k); }, config.hostile);
  }
  if (key == "events") {
    // null: no event limit (the duration ends the fault phase), as chaos_config_json writes it.
    if (value.kind() == sim::JsonValue::Kind::kNull) {
      config.events.reset();
      return sim::Ok{};
    }
    sim::Result<uint64_t> n = whole_number(key, value, 1, UINT64_MAX);
    if (!n) return n.error();
    config.events = *n;
    return sim::Ok{};
  }
  if (key == "identities") return read_identities(value, config);
  if (key == "heal") {
    const std::optional<HealNetwork> heal =
        value.kind() == sim::JsonValue::Kind::kString ? sim::value_in(kHealNames, value.scalar()) : std::nullopt;
    if (!heal)
      return key_error(key, fmt::format("expected \"auto\", \"always\" or \"never\", got {}", value.to_text()));
    config.heal = *heal;
    return sim::Ok{};
  }
  if (key == "verify_snapshots") {
    if (value.kind() != sim::JsonValue::Kind::kBool) return key_error(key, "expected true or false");
    config.verify_snapshots = value.scalar() == "true";
    return sim::Ok{};
  }
  if (key == "profile") {
    if (value.kind() != sim::JsonValue::Kind::kString) return key_error(key, "expected a profile name");
    config.profile = value.scalar();
    return sim::Ok{};
  }
  return key_error(key,
                   "unknown key (known: servers, clients, streams, events, duration, batch_interval, "
                   "max_events_per_batch, check_every, exact_window, profile, heal, probabilities, hostile, "
                   "identities, verify_snapshots)");
}

}  // namespace

std::string_view enum_name(EventKind kind) { return sim::name_in(kNames, kind); }

std::string_view enum_name(HealNetwork heal) { return sim::name_in(kHealNames, heal); }

std::optional<EventKind> event_kind_named(std::string_view name) { return sim::value_in(kNames, name); }

std::array<sim::Ratio, kEventKinds> ChaosConfig::default_probabilities() {
  std::array<sim::Ratio, kEventKinds> p;
  p[static_cast<size_t>(EventKind::kStartServer)] = sim::Ratio(1, 10);
  p[static_cast<size_t>(EventKind::kStopServer)] = sim::Ratio(1, 20);
  p[static_cast<size_t>(EventKind::kStartClient)] = sim::Ratio(1, 10);
  p[static_cast<size_t>(EventKind::kStopClient)] = sim::Ratio(1, 40);
  p[static_cast<size_t>(EventKind::kDial)] = sim::Ratio(1, 2);
  p[static_cast<size_t>(EventKind::kWrite)] = sim::Ratio(1, 2);
  p[static_cast<size_t>(EventKind::kPartition)] = sim::Ratio(1, 50);
  p[static_cast<size_t>(EventKind::kHeal)] = sim::Ratio(1, 10);
  p[static_cast<size_t>(EventKind::kClog)] = sim::Ratio(1, 50);
  p[static_cast<size_t>(EventKind::kLossBurst)] = sim::Ratio(1, 50);
  return p;
}

sim::Result<ChaosConfig> parse_chaos_config(std::string_view json, ChaosConfig base) {
  sim::Result<sim::JsonValue> parsed = sim::parse_json(json);
  if (!parsed) return sim::Error{fmt::format("chaos config: not valid JSON: {}", parsed.error().message)};
  if (!parsed->is_object()) return sim::Error{"chaos config: expected a JSON object at the top"};
  for (const auto& [key, value] : parsed->members()) {
    if (sim::Status read = read_member(key, value, base); !read) return read.error();
  }
  for (const auto& [name, identity] : base.identities) {
    const uint32_t count = name[0] == 's' ? base.servers : base.clients;
    uint64_t index = 0;
    const auto [end, error] = std::from_chars(name.data() + 1, name.data() + name.size(), index);
    if (error != std::errc() || index >= count) {
      return key_error(fmt::format("identities/{}", name), fmt::format("the run has no node {}", name));
    }
  }
  return base;
}

std::string chaos_config_json(const ChaosConfig& config) {
  // Durations and probabilities are strings, as the file format wants them.
  std::string events = config.events ? std::to_string(*config.events) : "null";
  std::string out = fmt::format(
      "{{\"servers\": {}, \"clients\": {}, \"streams\": {}, \"events\": {}, \"duration\": \"{}\", "
      "\"batch_interval\": \"{}\", \"max_events_per_batch\": {}, \"check_every\": {}, \"exact_window\": \"{}\", "
      "\"profile\": {}, \"probabilities\": {{",
      config.servers, config.clients, config.streams, events, sim::format_duration(config.duration),
      sim::format_duration(config.batch_interval), config.max_events_per_batch, config.check_every,
      sim::format_duration(config.exact_window), sim::JsonValue::string(config.profile).to_text());
  for (size_t k = 0; k < kEventKinds; ++k) {
    const auto kind = static_cast<EventKind>(k);
    out += fmt::format("{}\"{}\": \"{}\"", k == 0 ? "" : ", ", enum_name(kind),
                       sim::format_ratio(config.probability_of(kind)));
  }
  out += "}, \"hostile\": {";
  for (size_t k = 0; k < kHostileKinds; ++k) {
    const auto kind = static_cast<HostileKind>(k);
    out += fmt::format("{}\"{}\": \"{}\"", k == 0 ? "" : ", ", config_key(kind),
                       sim::format_ratio(config.probability_of(kind)));
  }
  out += "}";
  // Written only when set, so a panel's config reads as it always did.
  if (config.heal != HealNetwork::kAuto) out += fmt::format(", \"heal\": \"{}\"", enum_name(config.heal));
  if (config.verify_snapshots) out += ", \"verify_snapshots\": true";
  if (!config.identities.empty()) {
    out += ", \"identities\": {";
    for (const auto& [name, identity] : config.identities) {
      out += fmt::format("{}\"{}\": \"{}\"", out.back() == '{' ? "" : ", ", name, identity);
    }
    out += "}";
  }
  out += "}";
  return out;
}

}  // namespace scenarios::chaos
