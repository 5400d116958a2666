// A verdict as every command prints it: the result word, the fingerprint, the failures.
#pragma once

#include "scenarios/run/verdict.h"
#include "scenarios/world/predictions.h"
#include "sim/json_writer.h"

#include <cstdio>
#include <string_view>

namespace scenarios::cli {

// "pass", "fail" or "interrupted", as `result` in every command's --json.
std::string_view result_word(const Verdict& verdict);
// `fingerprint` (null on a pass) and `failures` ({check, field, expected, actual, tick}).
void write_verdict_fields(sim::JsonWriter& json, const Verdict& verdict);
// `predictions`: [{rule, node, outcome}], the outcomes the run's knobs fixed before it began.
void write_predictions(sim::JsonWriter& json, const std::vector<Prediction>& predictions);
// "fingerprint: ..." and the primary failure, for people (nothing on a pass).
void print_verdict_lines(std::FILE* out, const Verdict& verdict);

}  // namespace scenarios::cli
