// Verdicts, fingerprints and the final-state judge.
#include "scenarios/run/verdict.h"

#include "sim/fmt.h"

#include <cctype>

namespace scenarios {
namespace {

// An id or an index within a path: "26", "c3", "s10" (a letter or two, then digits).
bool is_id(std::string_view part) {
  size_t letters = 0;
  while (letters < part.size() && std::isalpha(static_cast<unsigned char>(part[letters])) != 0) ++letters;
  if (letters == part.size() || letters > 2) return false;
  for (size_t i = letters; i < part.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(part[i])) == 0) return false;
  }
  return true;
}

class FinalStateJudge final : public RunJudge {
 public:
  FinalStateJudge(const ScenarioInfo& scenario, RunConfig config) : scenario_(&scenario), config_(std::move(config)) {}

  void at_boundary(const sim::World&) override {}
  sim::Status take(const FaultInput&, const sim::World&) override { return sim::Ok{}; }
  bool done() const override { return false; }
  Verdict verdict(const sim::World& world) const override {
    return verdict_of(*scenario_, scenario_->judge(world), config_, world.tick());
  }
  std::vector<Failure> probe(const sim::World& world) const override {
    std::vector<Failure> found;
    for (Failure& f : verdict(world).failures) {
      if (f.time_free) found.push_back(std::move(f));
    }
    return found;
  }
  std::unique_ptr<RunJudge> clone() const override { return std::make_unique<FinalStateJudge>(*this); }

 private:
  const ScenarioInfo* scenario_;
  RunConfig config_;
};

}  // namespace

std::string Failure::describe() const {
  const std::string where = field.empty() ? "" : fmt::format(" {}:", field);
  return fmt::format("{}:{} expected {}, found {} (tick {})", check_id, where, expected, actual, tick);
}

std::string field_pattern(std::string_view entity) {
  if (entity.empty()) return "-";
  std::string out;
  size_t start = 0;
  while (start <= entity.size()) {
    const size_t slash = std::min(entity.find('/', start), entity.size());
    const std::string_view part = entity.substr(start, slash - start);
    if (!out.empty()) out += '/';
    out += is_id(part) ? std::string_view("*") : part;
    start = slash + 1;
  }
  return out;
}

std::string fingerprint(std::string_view run_kind, const Failure& failure, dmsg::PlantedBug bug) {
  std::string text = fmt::format("{}:{}:{}", run_kind, failure.check_id, field_pattern(failure.entity));
  if (bug != dmsg::PlantedBug::kNone) text += fmt::format(":{}", enum_name(bug));
  return text;
}

Verdict verdict_of(const ScenarioInfo& scenario, const ScenarioOutcome& outcome, const RunConfig& config,
                   uint64_t tick) {
  Verdict v;
  v.passed = outcome.passed;
  for (const Check& c : outcome.checks) {
    if (!c.passed) {
      v.failures.push_back(
          Failure{c.name, "", "", c.expected, c.measured, tick, {}, {}, {}, c.kind == CheckKind::kSafety});
    }
  }
  SIM_ASSERT_MSG(v.passed == v.failures.empty(), "scenario {}: a failed outcome names no failing check", scenario.name);
  if (!v.passed) {
    v.fingerprint = fingerprint(fmt::format("scenario/{}", scenario.name), v.failures.front(), config.planted_bug);
  }
  return v;
}

std::unique_ptr<RunJudge> final_state_judge(const ScenarioInfo& scenario, const RunConfig& config) {
  return std::make_unique<FinalStateJudge>(scenario, config);
}

sim::Result<std::unique_ptr<RunJudge>> make_run_judge(const ScenarioInfo& scenario, const RunConfig& config,
                                                      const sim::World& world) {
  if (scenario.make_judge != nullptr) {
    sim::Result<std::unique_ptr<RunJudge>> own = scenario.make_judge(config, world);
    if (!own) return own.error();
    if (*own) return own;
  }
  return final_state_judge(scenario, config);
}

}  // namespace scenarios
