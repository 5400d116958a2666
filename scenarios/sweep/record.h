// One run's result as a sweep reports it (a JSON line), and how it is read from the
// child's own --json output or from a sweep's output file (for merge).
#pragma once

#include "scenarios/sweep/plan.h"
#include "sim/json_value.h"
#include "sim/result.h"

#include <cstdint>
#include <optional>
#include <string>

namespace scenarios::sweep {

enum class Outcome : uint8_t {
  kPass,
  kFail,              // a check failed: a bug (exit 1 with a fingerprint)
  kCrashed,           // killed by a signal, an assertion, or output that is no verdict
  kHung,              // over its wall-time limit
  kNondeterministic,  // --double-check: the same run gave another chain
};
std::string_view outcome_name(Outcome outcome);
std::optional<Outcome> outcome_from_name(std::string_view name);
inline bool is_failure(Outcome outcome) { return outcome != Outcome::kPass; }

struct RunRecord {
  RunId run;
  uint32_t shard = 0;
  Outcome outcome = Outcome::kPass;
  std::string fingerprint;  // empty unless it failed a check
  std::string check;        // the first failed check's id
  int64_t virtual_time_ns = 0;
  int64_t wall_ms = 0;
  std::string chain_hash;  // "0x..." as the run printed it; empty without a verdict
  std::string reproduce;
  std::string detail;     // what went wrong for crashed, hung and nondeterministic runs
  std::string artifacts;  // the folder a failure's files went to, if any
};

// The child's --json object as `run --scenario` and `chaos` print it: outcome from its
// result, the first failure's check, its hashes and virtual time. An error when the text
// is no verdict (a crash mid-output).
sim::Result<RunRecord> record_from_child_json(std::string_view text, RunRecord base);

sim::JsonValue record_json(const RunRecord& record);
sim::Result<RunRecord> record_from_json(const sim::JsonValue& line);

}  // namespace scenarios::sweep
