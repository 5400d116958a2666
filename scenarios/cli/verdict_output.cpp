// Printing verdicts.
#include "scenarios/cli/verdict_output.h"

#include "sim/fmt.h"

namespace scenarios::cli {

std::string_view result_word(const Verdict& verdict) {
  if (verdict.interrupted) return "interrupted";
  return verdict.passed ? "pass" : "fail";
}

void write_verdict_fields(sim::JsonWriter& json, const Verdict& verdict) {
  json.string_or_null("fingerprint", verdict.fingerprint);
  json.key("failures");
  json.begin_array();
  for (const Failure& f : verdict.failures) {
    json.begin_object();
    json("check", f.check_id);
    json("field", f.field);
    json("expected", f.expected);
    json("actual", f.actual);
    json.count("tick", f.tick);
    json.end_object();
  }
  json.end_array();
}

void write_predictions(sim::JsonWriter& json, const std::vector<Prediction>& predictions) {
  json.key("predictions");
  json.begin_array();
  for (Prediction p : predictions) {  // a copy: visit() takes its fields by reference
    json.begin_object();
    p.visit(json);
    json.end_object();
  }
  json.end_array();
}

void print_verdict_lines(std::FILE* out, const Verdict& verdict) {
  if (verdict.fingerprint.empty()) return;
  fmt::print(out, "fingerprint: {}\n", verdict.fingerprint);
  fmt::print(out, "first failure: {}\n", verdict.failures.front().describe());
}

}  // namespace scenarios::cli
