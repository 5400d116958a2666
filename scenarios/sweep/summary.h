// A sweep's summary: runs, passes and failures per profile, each distinct failure
// fingerprint with its count and first seed, determinism failures first.
#pragma once

#include "scenarios/sweep/record.h"
#include "sim/json_value.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace scenarios::sweep {

struct Tally {
  uint64_t runs = 0;
  uint64_t passes = 0;
  uint64_t failures = 0;
};

struct FingerprintTally {
  std::string fingerprint;  // a check's fingerprint, or "crashed:...", "hung", "nondeterministic"
  uint64_t count = 0;
  uint64_t first_seed = 0;
  std::string first_reproduce;
};

struct Summary {
  Tally all;
  std::map<std::string, Tally> per_profile;
  std::vector<FingerprintTally> fingerprints;  // nondeterministic first, then by first run
  uint64_t nondeterministic = 0;
  uint64_t crashed = 0;
  uint64_t hung = 0;
  bool interrupted = false;
};

// The name a failure is grouped and filed under.
std::string failure_key(const RunRecord& record);

// `records` in any order; they are summed in run order.
Summary summarize(std::vector<RunRecord> records, bool interrupted);
sim::JsonValue summary_json(const Summary& summary);
std::string summary_text(const Summary& summary);

}  // namespace scenarios::sweep
