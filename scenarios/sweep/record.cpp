#include "scenarios/sweep/record.h"

#include "scenarios/cli/args.h"
#include "sim/fmt.h"

#include <array>

namespace scenarios::sweep {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 5> kOutcomes{{
    {Outcome::kPass, "pass"},
    {Outcome::kFail, "fail"},
    {Outcome::kCrashed, "crashed"},
    {Outcome::kHung, "hung"},
    {Outcome::kNondeterministic, "nondeterministic"},
}};

const sim::JsonValue* member_of_kind(const sim::JsonValue& object, std::string_view key, sim::JsonValue::Kind kind) {
  const sim::JsonValue* value = object.find(key);
  return value != nullptr && value->kind() == kind ? value : nullptr;
}

std::string string_member(const sim::JsonValue& object, std::string_view key) {
  const sim::JsonValue* value = member_of_kind(object, key, sim::JsonValue::Kind::kString);
  return value == nullptr ? std::string() : value->scalar();
}

std::optional<int64_t> number_member(const sim::JsonValue& object, std::string_view key) {
  const sim::JsonValue* value = member_of_kind(object, key, sim::JsonValue::Kind::kNumber);
  if (value == nullptr) return std::nullopt;
  const std::string& text = value->scalar();
  const bool negative = !text.empty() && text[0] == '-';
  std::optional<uint64_t> magnitude = cli::parse_u64(negative ? std::string_view(text).substr(1) : text);
  if (!magnitude || *magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return negative ? -static_cast<int64_t>(*magnitude) : static_cast<int64_t>(*magnitude);
}

std::optional<uint64_t> u64_member(const sim::JsonValue& object, std::string_view key) {
  const sim::JsonValue* value = member_of_kind(object, key, sim::JsonValue::Kind::kNumber);
  return value == nullptr ? std::nullopt : cli::parse_u64(value->scalar());
}

sim::JsonValue text_or_null(const std::string& text) {
  return text.empty() ? sim::JsonValue::null() : sim::JsonValue::string(text);
}

sim::JsonValue integer(int64_t value) { return sim::JsonValue::number(std::to_string(value)); }
sim::JsonValue unsigned_integer(uint64_t value) { return sim::JsonValue::number(std::to_string(value)); }

}  // namespace

std::string_view outcome_name(Outcome outcome) {
  for (const auto& [o, name] : kOutcomes) {
    if (o == outcome) return name;
  }
  SIM_UNREACHABLE("an outcome without a name");
}

std::optional<Outcome> outcome_from_name(std::string_view name) {
  for (const auto& [o, n] : kOutcomes) {
    if (n == name) return o;
  }
  return std::nullopt;
}

sim::Result<RunRecord> record_from_child_json(std::string_view text, RunRecord base) {
  sim::Result<sim::JsonValue> parsed = sim::parse_json(text);
  if (!parsed) return sim::Error{"its output is no JSON verdict: " + parsed.error().message};
  if (!parsed->is_object()) return sim::Error{"its output is no JSON object"};
  const std::string result = string_member(*parsed, "result");
  if (result != "pass" && result != "fail") return sim::Error{"its output has no result pass or fail"};
  base.outcome = result == "pass" ? Outcome::kPass : Outcome::kFail;
  base.fingerprint = string_member(*parsed, "fingerprint");
  base.chain_hash = string_member(*parsed, "chain_hash");
  if (std::optional<int64_t> ns = number_member(*parsed, "virtual_time_ns")) {
    base.virtual_time_ns = *ns;
  } else if (std::optional<int64_t> ticks = number_member(*parsed, "ticks")) {  // run --scenario
    base.virtual_time_ns = *ticks * number_member(*parsed, "tick_ns").value_or(0);
  }
  if (const sim::JsonValue* failures = member_of_kind(*parsed, "failures", sim::JsonValue::Kind::kArray);
      failures != nullptr && !failures->items().empty() && failures->items()[0].is_object()) {
    base.check = string_member(failures->items()[0], "check");
  }
  if (base.outcome == Outcome::kFail && base.fingerprint.empty()) return sim::Error{"it failed without a fingerprint"};
  return base;
}

sim::JsonValue record_json(const RunRecord& r) {
  return sim::JsonValue::object({
      {"type", sim::JsonValue::string("run")},
      {"index", unsigned_integer(r.run.index)},
      {"seed", unsigned_integer(r.run.seed)},
      {"profile", sim::JsonValue::string(r.run.profile)},
      {"scenario", sim::JsonValue::string(r.run.scenario)},
      {"shard", integer(r.shard)},
      {"result", sim::JsonValue::string(std::string(outcome_name(r.outcome)))},
      {"fingerprint", text_or_null(r.fingerprint)},
      {"check", text_or_null(r.check)},
      {"virtual_time_ns", integer(r.virtual_time_ns)},
      {"wall_ms", integer(r.wall_ms)},
      {"chain_hash", text_or_null(r.chain_hash)},
      {"reproduce", sim::JsonValue::string(r.reproduce)},
      {"detail", text_or_null(r.detail)},
      {"artifacts", text_or_null(r.artifacts)},
  });
}

sim::Result<RunRecord> record_from_json(const sim::JsonValue& line) {
  RunRecord r;
  const std::optional<uint64_t> index = u64_member(line, "index");
  const std::optional<uint64_t> seed = u64_member(line, "seed");
  const std::optional<uint64_t> shard = u64_member(line, "shard");
  const std::optional<Outcome> outcome = outcome_from_name(string_member(line, "result"));
  if (!index || !seed || !shard || *shard > UINT32_MAX || !outcome) {
    return sim::Error{"a run line needs index, seed, shard and result"};
  }
  r.run = RunId{*index, *seed, string_member(line, "profile"), string_member(line, "scenario")};
  r.shard = static_cast<uint32_t>(*shard);
  r.outcome = *outcome;
  r.fingerprint = string_member(line, "fingerprint");
  r.check = string_member(line, "check");
  r.virtual_time_ns = number_member(line, "virtual_time_ns").value_or(0);
  r.wall_ms = number_member(line, "wall_ms").value_or(0);
  r.chain_hash = string_member(line, "chain_hash");
  r.reproduce = string_member(line, "reproduce");
  r.detail = string_member(line, "detail");
  r.artifacts = string_member(line, "artifacts");
  return r;
}

}  // namespace scenarios::sweep
