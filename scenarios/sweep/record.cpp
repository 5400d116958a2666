#include "scenarios/sweep/record.h"

#include "scenarios/sweep/json_fields.h"
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
  const std::string result = text_field(*parsed, "result");
  if (result != "pass" && result != "fail") return sim::Error{"its output has no result pass or fail"};
  base.outcome = result == "pass" ? Outcome::kPass : Outcome::kFail;
  base.fingerprint = text_field(*parsed, "fingerprint");
  base.chain_hash = text_field(*parsed, "chain_hash");
  if (std::optional<int64_t> ns = i64_field(*parsed, "virtual_time_ns")) {
    base.virtual_time_ns = *ns;
  } else if (std::optional<int64_t> ticks = i64_field(*parsed, "ticks")) {  // run --scenario
    base.virtual_time_ns = *ticks * i64_field(*parsed, "tick_ns").value_or(0);
  }
  if (const sim::JsonValue* failures = array_field(*parsed, "failures");
      failures != nullptr && !failures->items().empty() && failures->items()[0].is_object()) {
    base.check = text_field(failures->items()[0], "check");
  }
  if (base.outcome == Outcome::kFail && base.fingerprint.empty()) return sim::Error{"it failed without a fingerprint"};
  return base;
}

sim::JsonValue record_json(const RunRecord& r) {
  return sim::JsonValue::object({
      {"type", sim::JsonValue::string("run")},
      {"index", number_value(r.run.index)},
      {"seed", number_value(r.run.seed)},
      {"profile", sim::JsonValue::string(r.run.profile)},
      {"scenario", sim::JsonValue::string(r.run.scenario)},
      {"shard", signed_value(r.shard)},
      {"result", sim::JsonValue::string(std::string(outcome_name(r.outcome)))},
      {"fingerprint", text_or_null(r.fingerprint)},
      {"check", text_or_null(r.check)},
      {"virtual_time_ns", signed_value(r.virtual_time_ns)},
      {"wall_ms", signed_value(r.wall_ms)},
      {"chain_hash", text_or_null(r.chain_hash)},
      {"reproduce", sim::JsonValue::string(r.reproduce)},
      {"detail", text_or_null(r.detail)},
      {"artifacts", text_or_null(r.artifacts)},
  });
}

sim::Result<RunRecord> record_from_json(const sim::JsonValue& line) {
  RunRecord r;
  const std::optional<uint64_t> index = u64_field(line, "index");
  const std::optional<uint64_t> seed = u64_field(line, "seed");
  const std::optional<uint64_t> shard = u64_field(line, "shard");
  const std::optional<Outcome> outcome = outcome_from_name(text_field(line, "result"));
  if (!index || !seed || !shard || *shard > UINT32_MAX || !outcome) {
    return sim::Error{"a run line needs index, seed, shard and result"};
  }
  r.run = RunId{*index, *seed, text_field(line, "profile"), text_field(line, "scenario")};
  r.shard = static_cast<uint32_t>(*shard);
  r.outcome = *outcome;
  r.fingerprint = text_field(line, "fingerprint");
  r.check = text_field(line, "check");
  r.virtual_time_ns = i64_field(line, "virtual_time_ns").value_or(0);
  r.wall_ms = i64_field(line, "wall_ms").value_or(0);
  r.chain_hash = text_field(line, "chain_hash");
  r.reproduce = text_field(line, "reproduce");
  r.detail = text_field(line, "detail");
  r.artifacts = text_field(line, "artifacts");
  return r;
}

}  // namespace scenarios::sweep
