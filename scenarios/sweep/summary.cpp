#include "scenarios/sweep/summary.h"

#include "scenarios/sweep/json_fields.h"
#include "sim/fmt.h"

#include <algorithm>

namespace scenarios::sweep {
namespace {

sim::JsonValue tally_json(const Tally& t) {
  return sim::JsonValue::object(
      {{"runs", number_value(t.runs)}, {"passes", number_value(t.passes)}, {"failures", number_value(t.failures)}});
}

void add(Tally& t, const RunRecord& r) {
  ++t.runs;
  ++(is_failure(r.outcome) ? t.failures : t.passes);
}

}  // namespace

std::string failure_key(const RunRecord& record) {
  switch (record.outcome) {
    case Outcome::kPass:
      return "";
    case Outcome::kFail:
      return record.fingerprint;
    case Outcome::kCrashed:
      return record.fingerprint.empty() ? "crashed" : record.fingerprint;
    case Outcome::kHung:
      return "hung";
    case Outcome::kNondeterministic:
      return "nondeterministic";
  }
  SIM_UNREACHABLE("an unknown outcome");
}

Summary summarize(std::vector<RunRecord> records, bool interrupted) {
  std::sort(records.begin(), records.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.run.index < b.run.index; });
  Summary s;
  s.interrupted = interrupted;
  std::map<std::string, size_t> position;
  for (const RunRecord& r : records) {
    add(s.all, r);
    add(s.per_profile[r.run.profile], r);
    s.nondeterministic += r.outcome == Outcome::kNondeterministic ? 1 : 0;
    s.crashed += r.outcome == Outcome::kCrashed ? 1 : 0;
    s.hung += r.outcome == Outcome::kHung ? 1 : 0;
    if (!is_failure(r.outcome)) continue;
    const std::string key = failure_key(r);
    auto [at, fresh] = position.emplace(key, s.fingerprints.size());
    if (fresh) s.fingerprints.push_back(FingerprintTally{key, 0, r.run.seed, r.reproduce});
    ++s.fingerprints[at->second].count;
  }
  std::stable_partition(s.fingerprints.begin(), s.fingerprints.end(),
                        [](const FingerprintTally& f) { return f.fingerprint == "nondeterministic"; });
  return s;
}

sim::JsonValue summary_json(const Summary& s) {
  std::vector<std::pair<std::string, sim::JsonValue>> profiles;
  for (const auto& [name, tally] : s.per_profile) profiles.emplace_back(name, tally_json(tally));
  std::vector<sim::JsonValue> fingerprints;
  for (const FingerprintTally& f : s.fingerprints) {
    fingerprints.push_back(sim::JsonValue::object({{"fingerprint", sim::JsonValue::string(f.fingerprint)},
                                                   {"count", number_value(f.count)},
                                                   {"first_seed", number_value(f.first_seed)},
                                                   {"reproduce", sim::JsonValue::string(f.first_reproduce)}}));
  }
  return sim::JsonValue::object({
      {"type", sim::JsonValue::string("summary")},
      {"runs", number_value(s.all.runs)},
      {"passes", number_value(s.all.passes)},
      {"failures", number_value(s.all.failures)},
      {"nondeterministic", number_value(s.nondeterministic)},
      {"crashed", number_value(s.crashed)},
      {"hung", number_value(s.hung)},
      {"profiles", sim::JsonValue::object(std::move(profiles))},
      {"fingerprints", sim::JsonValue::array(std::move(fingerprints))},
      {"interrupted", sim::JsonValue::boolean(s.interrupted)},
  });
}

std::string summary_text(const Summary& s) {
  std::string out = fmt::format("{} runs: {} passed, {} failed", s.all.runs, s.all.passes, s.all.failures);
  if (s.nondeterministic + s.crashed + s.hung > 0) {
    out += fmt::format(" ({} nondeterministic, {} crashed, {} hung)", s.nondeterministic, s.crashed, s.hung);
  }
  out += s.interrupted ? ", interrupted\n" : "\n";
  for (const auto& [name, t] : s.per_profile) {
    out += fmt::format("  {:<10} {} runs, {} passed, {} failed\n", name, t.runs, t.passes, t.failures);
  }
  for (const FingerprintTally& f : s.fingerprints) {
    out += fmt::format("  {} x{}, first seed {}: {}\n", f.fingerprint, f.count, f.first_seed, f.first_reproduce);
  }
  return out;
}

}  // namespace scenarios::sweep
