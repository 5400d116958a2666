// The sweep's parts without processes: its order and shards, its records' JSON, its summary.
#include "scenarios/sweep/emit.h"
#include "scenarios/sweep/merge.h"
#include "scenarios/sweep/plan.h"
#include "scenarios/sweep/record.h"
#include "scenarios/sweep/summary.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

namespace {

scenarios::sweep::SweepSpec two_profiles(uint64_t first, uint64_t last) {
  scenarios::sweep::SweepSpec spec;
  spec.first_seed = first;
  spec.last_seed = last;
  spec.profiles = {"calm", "lossy"};
  spec.scenarios = scenarios::sweep::fault_scenario_names();
  return spec;
}

}  // namespace

TEST_CASE("sweep: parts: the order is seed, profile, scenario, and shards split it exactly once") {
  using namespace scenarios::sweep;
  SweepSpec spec = two_profiles(5, 9);
  REQUIRE(spec.scenarios.size() == 6);
  REQUIRE(validate(spec).ok());
  CHECK(run_count(spec) == 5 * 2 * 6);
  const RunId seventh = run_at(spec, 7);  // seed 5, lossy, the second scenario
  CHECK(seventh.seed == 5);
  CHECK(seventh.profile == "lossy");
  CHECK(seventh.scenario == spec.scenarios[1]);
  CHECK(run_at(spec, 12).seed == 6);
  for (const uint32_t shards : {1u, 3u, 7u, 100u}) {
    std::set<uint64_t> seen;
    spec.shards = shards;
    for (uint32_t shard = 0; shard < shards; ++shard) {
      spec.shard = shard;
      for (const RunId& run : shard_runs(spec)) {
        CHECK(shard_of(run.index, shards) == shard);
        CHECK(seen.insert(run.index).second);
      }
    }
    CHECK(seen.size() == run_count(spec));
  }
}

TEST_CASE("sweep: parts: a spec is refused before anything runs, with the reason") {
  using namespace scenarios::sweep;
  auto refused = [](SweepSpec spec) {
    sim::Status status = validate(spec);
    REQUIRE_FALSE(status.ok());
    return status.error().message;
  };
  SweepSpec spec = two_profiles(9, 5);
  CHECK_THAT(refused(spec), Catch::Contains("reversed"));
  spec = two_profiles(1, 2);
  spec.shard = 4;
  spec.shards = 4;
  CHECK_THAT(refused(spec), Catch::Contains("out of range"));
  spec = two_profiles(1, 2);
  spec.profiles = {"calm", "stormy"};
  CHECK_THAT(refused(spec), Catch::Contains("unknown profile 'stormy'"));
  spec = two_profiles(1, 2);
  spec.config_path = "c.json";
  CHECK_THAT(refused(spec), Catch::Contains("--chaos only"));
  spec = two_profiles(1, 2);
  spec.scenarios = {"transfer"};
  CHECK_THAT(refused(spec), Catch::Contains("no fault scenario"));
  spec = two_profiles(0, UINT64_MAX);
  CHECK_THAT(refused(spec), Catch::Contains("too many runs"));
}

TEST_CASE("sweep: parts: reproduction commands, double-check samples and array ranges") {
  using namespace scenarios::sweep;
  SweepSpec spec;
  spec.config_path = "my config.json";
  CHECK(reproduce_command(spec, RunId{0, 3, "lossy", "chaos"}) ==
        "dmsgsim chaos --seed 3 --profile lossy --config 'my config.json'");
  CHECK(reproduce_command(SweepSpec{}, RunId{0, 4, "calm", "self_dial_should_work"}) ==
        "dmsgsim run --scenario self_dial_should_work --seed 4 --profile calm");
  int picked = 0;
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    CHECK(double_checked(seed, 30) == double_checked(seed, 30));
    CHECK_FALSE(double_checked(seed, 0));
    CHECK(double_checked(seed, 100));
    picked += double_checked(seed, 30) ? 1 : 0;
  }
  CHECK(picked > 240);
  CHECK(picked < 360);
  CHECK(array_ranges({7, 0, 1, 2, 5, 8}) == "0-2,5,7-8");
  CHECK(array_ranges({3}) == "3");
  CHECK(array_ranges({}).empty());
}

TEST_CASE("sweep: parts: a run line reads back as it was written; a child's verdict is read") {
  using namespace scenarios::sweep;
  RunRecord r;
  r.run = RunId{41, UINT64_MAX, "hostile", "chaos"};
  r.shard = 3;
  r.outcome = Outcome::kFail;
  r.fingerprint = "chaos:oracle.content:streams/*/acceptor";
  r.check = "oracle.content";
  r.virtual_time_ns = 246001000000;
  r.wall_ms = 812;
  r.chain_hash = "0x11edc9df1557a285";
  r.reproduce = "dmsgsim chaos --seed 18446744073709551615 --profile hostile";
  r.artifacts = "sweep-artifacts/x/seed-1-hostile";
  sim::Result<sim::JsonValue> line = sim::parse_json(record_json(r).to_text());
  REQUIRE(line.ok());
  sim::Result<RunRecord> back = record_from_json(*line);
  REQUIRE(back.ok());
  CHECK(back->run.seed == UINT64_MAX);
  CHECK(back->run.index == 41);
  CHECK(back->fingerprint == r.fingerprint);
  CHECK(back->chain_hash == r.chain_hash);
  CHECK(back->outcome == Outcome::kFail);
  CHECK(record_json(*back).to_text() == record_json(r).to_text());

  const std::string child = R"({"seed":"0x1","result":"fail","fingerprint":"chaos:liveness:clients/c3/sessions",
    "failures":[{"check":"liveness","field":"clients/c3/sessions"}],"virtual_time_ns":5000,"chain_hash":"0xab"})";
  sim::Result<RunRecord> verdict = record_from_child_json(child, RunRecord{});
  REQUIRE(verdict.ok());
  CHECK(verdict->outcome == Outcome::kFail);
  CHECK(verdict->check == "liveness");
  CHECK(verdict->virtual_time_ns == 5000);
  CHECK_FALSE(record_from_child_json(R"({"result":"fail"})", RunRecord{}).ok());   // no fingerprint
  CHECK_FALSE(record_from_child_json(R"({"seed":"0x1","res)", RunRecord{}).ok());  // cut off
  const std::string scenario = R"({"result":"pass","ticks":6461,"tick_ns":1000000,"chain_hash":"0x9f","failures":[]})";
  CHECK(record_from_child_json(scenario, RunRecord{})->virtual_time_ns == 6461000000);
}

TEST_CASE("sweep: parts: the summary counts per profile and lists determinism failures first") {
  using namespace scenarios::sweep;
  std::vector<RunRecord> records;
  auto add = [&](uint64_t index, uint64_t seed, const char* profile, Outcome outcome, const char* fingerprint) {
    RunRecord r;
    r.run = RunId{index, seed, profile, "chaos"};
    r.outcome = outcome;
    r.fingerprint = fingerprint;
    records.push_back(r);
  };
  add(3, 2, "lossy", Outcome::kFail, "chaos:a");
  add(0, 1, "calm", Outcome::kPass, "");
  add(1, 1, "lossy", Outcome::kFail, "chaos:a");
  add(2, 2, "calm", Outcome::kNondeterministic, "");
  add(4, 3, "calm", Outcome::kHung, "");
  const Summary s = summarize(records, false);
  CHECK(s.all.runs == 5);
  CHECK(s.all.passes == 1);
  CHECK(s.per_profile.at("lossy").failures == 2);
  REQUIRE(s.fingerprints.size() == 3);
  CHECK(s.fingerprints[0].fingerprint == "nondeterministic");
  CHECK(s.fingerprints[1].fingerprint == "chaos:a");
  CHECK(s.fingerprints[1].count == 2);
  CHECK(s.fingerprints[1].first_seed == 1);  // run 1 comes before run 3
  CHECK(s.fingerprints[2].fingerprint == "hung");
  CHECK(summary_json(s).find("interrupted")->scalar() == "false");
}

TEST_CASE("sweep: parts: merging refuses lines that do not belong, and bounds its work by the shard count") {
  using namespace scenarios::sweep;
  SweepSpec spec = two_profiles(1, 3);
  spec.shards = 2;
  std::string text = header_json(spec, 0).to_text() + "\n";
  RunRecord r;
  r.run = run_at(spec, 2);
  r.shard = 0;
  text += record_json(r).to_text() + "\n";
  sim::Result<Merged> merged = merge_outputs({{"a", text}});
  REQUIRE(merged.ok());
  CHECK(merged->missing_runs == run_count(spec) - 1);
  CHECK(merged->missing_shards == std::vector<uint32_t>{0, 1});
  // A run line of the other shard, or naming another seed than its index, is refused.
  RunRecord wrong = r;
  wrong.run = run_at(spec, 3);
  CHECK_FALSE(merge_outputs({{"b", text + record_json(wrong).to_text() + "\n"}}).ok());
  wrong = r;
  wrong.run.seed = 99;
  CHECK_FALSE(merge_outputs({{"c", text + record_json(wrong).to_text() + "\n"}}).ok());
  // A header claiming the largest range finishes at once.
  SweepSpec huge = spec;
  huge.first_seed = 0;
  huge.last_seed = (uint64_t{1} << 36);
  huge.shards = 1000;
  sim::Result<Merged> empty = merge_outputs({{"d", header_json(huge, 0).to_text() + "\n"}});
  REQUIRE(empty.ok());
  CHECK(empty->missing_shards.size() == 1000);
  CHECK_FALSE(merge_outputs({{"e", "{\"type\":\"run\"}\n"}}).ok());
  CHECK_FALSE(merge_outputs({}).ok());
}

TEST_CASE("sweep: parts: the Slurm script and the parallel line run every shard, then the merge") {
  using namespace scenarios::sweep;
  EmitRequest request;
  request.spec.first_seed = 1;
  request.spec.last_seed = 40;
  request.spec.shards = 4;
  request.spec.config_path = "/c/my config.json";
  request.dmsgsim = "/opt/dmsgsim";
  request.out_dir = "/out";
  request.artifacts = "/art";
  request.jobs_per_shard = 2;
  request.timeout_ns = 60'000'000'000;
  request.array_limit = 2;
  const std::string script = slurm_script(request);
  INFO(script);
  CHECK_THAT(script, Catch::Contains("#SBATCH --array=0-3%2"));
  CHECK_THAT(script, Catch::Contains("#SBATCH --cpus-per-task=2"));
  CHECK_THAT(script, Catch::Contains("#SBATCH --output=/out/%A_%a.jsonl"));
  CHECK_THAT(script, Catch::Contains("--shard \"$SLURM_ARRAY_TASK_ID/4\""));
  CHECK_THAT(script, Catch::Contains("--config '/c/my config.json'"));
  CHECK_THAT(script, Catch::Contains("--dependency=afterany:\"$array_job\""));
  CHECK_THAT(script, Catch::Contains("sweep merge --json /out/\"$array_job\"_*.jsonl"));
  const std::vector<std::string> words = shard_words(request, "3");
  CHECK(std::find(words.begin(), words.end(), "3/4") != words.end());
  CHECK(std::find(words.begin(), words.end(), "60000ms") != words.end());
  request.hosts = {"a", "b"};
  const std::string line = parallel_command(request);
  INFO(line);
  CHECK_THAT(line, Catch::Contains("--sshlogin a,b"));
  CHECK_THAT(line, Catch::Contains("::: 0 1 2 3"));
  CHECK_THAT(line, Catch::Contains("sweep merge --json /out/*.jsonl > /out/merged.json"));
}
