// Locating a failure's first tick, and the failure file.
#include "scenarios/replay/failure_file.h"

#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/json_writer.h"

namespace scenarios {
namespace {

bool same_condition(const Failure& a, const Failure& b) { return a.check_id == b.check_id && a.field == b.field; }

void write_config(sim::JsonWriter& json, const ScenarioInfo& scenario, const RunConfig& config) {
  json.key("configuration");
  json.begin_object();
  json("seed", config.seed);
  json.key("tick_ns");
  json.number(config.tick.ns());
  json("profile", config.profile);
  json.count("servers", config.servers);
  json.count("clients", config.clients);
  json.key("scenario_config");
  if (config.scenario_config.empty()) {
    json.null();
  } else {
    json.json_text(config.scenario_config);
  }
  json.key("parameters");
  if (scenario.parameters != nullptr) {
    json.json_text(scenario.parameters(config));
  } else {
    json.null();
  }
  json.end_object();
}

}  // namespace

sim::Result<FailureOrigin> locate_failure(const TraceSession& session, const Verdict& verdict) {
  SIM_ASSERT(!verdict.passed && !verdict.failures.empty());
  const Failure& primary = verdict.failures.front();
  if (!primary.time_free) return FailureOrigin{primary.tick, false};
  sim::Result<std::unique_ptr<ScenarioRunner>> runner = session.start();
  if (!runner) return runner.error();
  sim::Result<std::unique_ptr<RunJudge>> judge =
      make_run_judge(session.scenario(), session.run().config, (*runner)->world());
  if (!judge) return judge.error();
  ScenarioRunner& r = **runner;
  while (true) {
    const uint64_t tick = r.world().tick();
    if (tick > verdict.last_passing_tick || verdict.last_passing_tick == 0) {
      for (const Failure& found : (*judge)->probe(r.world())) {
        if (same_condition(found, primary)) return FailureOrigin{tick, true};
      }
    }
    if (tick >= primary.tick) break;
    if (sim::Status judged = judge_boundary(**judge, r); !judged) return judged.error();
    r.run_tick();
  }
  return sim::Error{fmt::format("re-executing the trace, the check {} on {} did not fail up to tick {}",
                                primary.check_id, primary.field, primary.tick)};
}

std::string failure_json(const TraceSession& session, const Verdict& verdict, const FailureOrigin& origin,
                         const std::string& trace_path) {
  const RunConfig& config = session.run().config;
  const Failure& f = verdict.failures.front();
  std::string out;
  sim::JsonWriter json(out);
  json.begin_object();
  json("scenario", session.run().scenario);
  json("seed", config.seed);
  json("profile", config.profile);
  json.string_or_null("planted_bug",
                      config.planted_bug == dmsg::PlantedBug::kNone ? "" : enum_name(config.planted_bug));
  write_config(json, session.scenario(), config);
  json("check", f.check_id);
  json("fingerprint", verdict.fingerprint);
  json("field", f.field);
  json("expected", f.expected);
  json("actual", f.actual);
  json.count("failed_tick", f.tick);
  json.count("last_passing_tick", verdict.last_passing_tick);
  json.count("first_tick", origin.first_tick);
  json("first_tick_searched", origin.searched);
  if (f.byte_offset) {
    json.count("stream", f.stream.value_or(0));
    json("end", f.stream_end);
    json.count("first_bad_offset", *f.byte_offset);
    // Wrong bytes arrive at the tick their check first fails; missing ones never arrive.
    if (f.check_id == "oracle.content") {
      json.count("bytes_arrived_tick", origin.first_tick);
    }
  }
  json.key("failures");
  json.begin_array();
  for (const Failure& each : verdict.failures) json.string(each.describe());
  json.end_array();
  json.key("commands");
  json.begin_object();
  json("replay", fmt::format("dmsgsim replay {}", trace_path));
  json("seek", fmt::format("dmsgsim seek {} --tick {}", trace_path, origin.first_tick));
  json("seek_failed", fmt::format("dmsgsim seek {} --tick {}", trace_path, f.tick));
  json("shrink", shrink_command_for(trace_path));
  json.end_object();
  json.end_object();
  return out + "\n";
}

std::string shrink_command_for(const std::string& trace_path) { return fmt::format("dmsgsim shrink {}", trace_path); }

std::string failure_line(const Verdict& verdict, const FailureOrigin& origin) {
  const Failure& f = verdict.failures.front();
  std::string line = fmt::format("failure: {} at tick {}", verdict.fingerprint, f.tick);
  if (origin.searched) line += fmt::format(" (first held at tick {})", origin.first_tick);
  line += fmt::format(": {}", f.field.empty() ? f.check_id : f.field);
  if (f.byte_offset) {
    line += fmt::format(", stream {} {} end, first bad byte at offset {}", f.stream.value_or(0), f.stream_end,
                        *f.byte_offset);
  }
  return line;
}

sim::Result<FailureOrigin> write_failure_file(const TraceSession& session, const Verdict& verdict,
                                              const std::string& trace_path, const std::string& path) {
  sim::Result<FailureOrigin> origin = locate_failure(session, verdict);
  if (!origin) return origin.error();
  const std::string text = failure_json(session, verdict, *origin, trace_path);
  if (sim::Status ok = sim::write_file(path, sim::Bytes(text.begin(), text.end())); !ok) return ok.error();
  return origin;
}

}  // namespace scenarios
