// `dmsgsim sweep` as a user runs it: children, JSON lines, artifacts, shards, limits, signals.
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "sim/json_value.h"
#include "tests/support/background_run.h"
#include "tests/support/dmsgsim_process.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <map>
#include <sstream>

namespace {

using test_support::run_dmsgsim;
using test_support::scratch_path;

// A world that fails quickly with backlog-never-rejects planted (seed 1 within 1 s).
std::string dense_config() { return std::string(DMSGSIM_SOURCE_ROOT) + "/configs/chaos-backlog-dense.json"; }

struct SweepLines {
  std::vector<sim::JsonValue> runs;
  std::optional<sim::JsonValue> header;
  std::optional<sim::JsonValue> summary;
};

SweepLines read_lines(const std::string& output) {
  SweepLines lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;  // standard error's lines are mixed in
    sim::Result<sim::JsonValue> value = sim::parse_json(line);
    REQUIRE(value.ok());
    const std::string type = value->find("type")->scalar();
    if (type == "run") lines.runs.push_back(*value);
    if (type == "sweep") lines.header = *value;
    if (type == "summary") lines.summary = *value;
  }
  return lines;
}

// A sweep of the dense world with backlog-never-rejects planted (seed 1 fails), in a fresh
// artifacts folder.
test_support::DmsgsimRun planted_sweep(const std::string& dir, const std::string& options) {
  std::filesystem::remove_all(dir);
  return run_dmsgsim(fmt::format("sweep --chaos --config {} --plant-bug backlog-never-rejects --json --artifacts {} {}",
                                 dense_config(), dir, options));
}

std::string text_of(const sim::JsonValue& line, const char* key) { return line.find(key)->scalar(); }

std::map<std::string, std::string> chains_by_index(const SweepLines& lines) {
  std::map<std::string, std::string> chains;
  for (const sim::JsonValue& run : lines.runs) chains[text_of(run, "index")] = text_of(run, "chain_hash");
  return chains;
}

}  // namespace

TEST_CASE("sweep: command: failing runs keep their files, the summary groups their fingerprint") {
  const std::string dir = scratch_path("sweep-planted");
  const test_support::DmsgsimRun run = planted_sweep(dir, "--seeds 1:4 --jobs 2");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  const SweepLines lines = read_lines(run.output);
  REQUIRE(lines.header.has_value());
  REQUIRE(lines.summary.has_value());
  REQUIRE(lines.runs.size() == 4);
  const sim::JsonValue* first = nullptr;
  for (const sim::JsonValue& r : lines.runs) {
    if (text_of(r, "seed") == "1") first = &r;
  }
  REQUIRE(first != nullptr);
  CHECK(text_of(*first, "result") == "fail");
  CHECK_THAT(text_of(*first, "fingerprint"), Catch::Contains("backlog-never-rejects"));
  CHECK_THAT(text_of(*first, "reproduce"), Catch::Contains("--seed 1 --profile calm --config"));
  const std::string folder = text_of(*first, "artifacts");
  CHECK(std::filesystem::exists(folder + "/failure.json"));
  CHECK(std::filesystem::exists(folder + "/run.trace"));
  // The kept trace replays to the same failure.
  const test_support::DmsgsimRun replay = run_dmsgsim("replay " + folder + "/run.trace");
  CHECK_THAT(replay.output, Catch::Contains("result: fail"));
  CHECK(lines.summary->find("failures")->scalar() != "0");
  const sim::JsonValue& fingerprints = *lines.summary->find("fingerprints");
  REQUIRE_FALSE(fingerprints.items().empty());
  CHECK(text_of(fingerprints.items()[0], "first_seed") == "1");
  CHECK(std::filesystem::is_empty(dir + "/.running"));  // each run's own folder went
}

TEST_CASE("sweep: command: shards running at once share one artifacts folder") {
  // A shard that ended once removed the shared `.running` folder under the others' feet,
  // which then refused their runs (found by the Slurm test).
  const std::string dir = scratch_path("sweep-shared");
  std::filesystem::remove_all(dir);
  const std::string chaos = fmt::format(
      "{} sweep --seeds 1:8 --chaos --config {}/configs/chaos-small.json --jobs 1 "
      "--json --artifacts {}",
      test_support::dmsgsim_binary(), DMSGSIM_SOURCE_ROOT, dir);
  const std::string outputs = scratch_path("sweep-shared-out");
  std::filesystem::create_directories(outputs);
  const test_support::DmsgsimRun both = test_support::run_shell(
      fmt::format("({0} --shard 0/2 > {1}/a.jsonl; echo a=$?) & sleep 0.3; {0} --shard 1/2 --timeout 100ms > "
                  "{1}/b.jsonl; echo b=$?; wait",
                  chaos, outputs));
  INFO(both.output);
  CHECK_THAT(both.output, Catch::Contains("a=0"));
  CHECK_THAT(both.output, Catch::Contains("b=1"));  // its runs hung, ended first, and went on
}

TEST_CASE("sweep: command: shards run their own runs, together the whole sweep, chain for chain") {
  const std::string dir = scratch_path("sweep-shards");
  const std::string common = fmt::format(
      "sweep --seeds 1:5 --scenario self_dial_should_work --profiles calm,lossy "
      "--json --artifacts {}",
      dir);
  const SweepLines whole = read_lines(run_dmsgsim(common + " --jobs 2").output);
  REQUIRE(whole.runs.size() == 10);
  std::map<std::string, std::string> merged;
  for (int shard = 0; shard < 3; ++shard) {
    const test_support::DmsgsimRun part = run_dmsgsim(fmt::format("{} --jobs 1 --shard {}/3", common, shard));
    CHECK(part.exit_code == 0);
    const SweepLines lines = read_lines(part.output);
    for (const sim::JsonValue& r : lines.runs) {
      CHECK(text_of(r, "shard") == std::to_string(shard));
      CHECK(std::stoull(text_of(r, "index")) % 3 == static_cast<unsigned>(shard));
      CHECK(merged.emplace(text_of(r, "index"), text_of(r, "chain_hash")).second);
    }
  }
  CHECK(merged == chains_by_index(whole));
}

TEST_CASE("sweep: command: a run past its limit is hung, a double check passes a deterministic run") {
  const std::string dir = scratch_path("sweep-limits");
  std::filesystem::remove_all(dir);
  const test_support::DmsgsimRun hung =
      run_dmsgsim("sweep --seeds 1:2 --chaos --timeout 100ms --json --artifacts " + dir);
  CHECK(hung.exit_code == 1);
  const SweepLines lines = read_lines(hung.output);
  REQUIRE(lines.runs.size() == 2);
  for (const sim::JsonValue& r : lines.runs) {
    CHECK(text_of(r, "result") == "hung");
    CHECK(std::filesystem::exists(text_of(r, "artifacts") + "/reproduce.txt"));
  }
  CHECK(lines.summary->find("hung")->scalar() == "2");

  const test_support::DmsgsimRun checked = run_dmsgsim(
      "sweep --seeds 1:3 --scenario reconnect_to_server_should_succeed --double-check 100 --json --artifacts " + dir);
  INFO(checked.output);
  CHECK(checked.exit_code == 0);
  CHECK(read_lines(checked.output).summary->find("nondeterministic")->scalar() == "0");
}

TEST_CASE("sweep: command: bad arguments are refused before anything runs") {
  const std::string dir = scratch_path("sweep-refused");
  std::filesystem::remove_all(dir);
  for (const std::string args :
       {"--seeds 5:1 --chaos", "--seeds 1:5 --chaos --shard 2/2", "--seeds 1:5",
        "--seeds 1:5 --chaos --profiles calm,stormy", "--seeds 1:5 --scenarios --config x.json",
        "--seeds 1:5 --chaos --config /no/such/config.json", "--seeds x --chaos"}) {
    const test_support::DmsgsimRun run = run_dmsgsim("sweep " + args + " --artifacts " + dir);
    INFO(args << ": " << run.output);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Catch::Contains("dmsgsim sweep:"));
    CHECK_FALSE(std::filesystem::exists(dir));
  }
  // A config the child refuses stops the sweep at once, as exit 2.
  const std::string bad = scratch_path("sweep-bad-config.json");
  REQUIRE(sim::write_file(bad, sim::Bytes{'{', '"', 'n', 'o', '"', ':', '1', '}'}).ok());
  const test_support::DmsgsimRun refused =
      run_dmsgsim("sweep --seeds 1:50 --chaos --config " + bad + " --artifacts " + dir);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.output, Catch::Contains("refused its arguments"));
}

TEST_CASE("sweep: command: SIGINT starts no new run and ends with the interrupted code") {
  test_support::Background run = test_support::start_dmsgsim(
      {"sweep", "--seeds", "1:40", "--chaos", "--jobs", "1", "--progress", "--artifacts", scratch_path("sweep-int")});
  CHECK(test_support::interrupt_when_running(run, SIGINT, "sweep: ") == 130);
}

TEST_CASE("sweep: command: merge puts shards together and names what is missing") {
  const std::string dir = scratch_path("sweep-merge");
  std::filesystem::create_directories(dir);
  std::vector<std::string> files;
  for (int shard = 0; shard < 3; ++shard) {
    const test_support::DmsgsimRun part = run_dmsgsim(fmt::format(
        "sweep --seeds 1:5 --scenario self_dial_should_work --shard {}/3 --json --artifacts {}/a", shard, dir));
    REQUIRE(part.exit_code == 0);
    files.push_back(fmt::format("{}/shard{}.jsonl", dir, shard));
    REQUIRE(sim::write_file(files.back(), sim::Bytes(part.output.begin(), part.output.end())).ok());
  }
  const test_support::DmsgsimRun all =
      run_dmsgsim(fmt::format("sweep merge {} {} {} --json", files[0], files[1], files[2]));
  INFO(all.output);
  CHECK(all.exit_code == 0);
  sim::Result<sim::JsonValue> summary = sim::parse_json(all.output);
  REQUIRE(summary.ok());
  CHECK(summary->find("complete")->scalar() == "true");
  CHECK(summary->find("runs")->scalar() == "5");

  const test_support::DmsgsimRun partial = run_dmsgsim(fmt::format("sweep merge {} {}", files[0], files[0]));
  CHECK(partial.exit_code == 1);
  CHECK_THAT(partial.output, Catch::Contains("sbatch --array=1-2"));
  CHECK_THAT(partial.output, Catch::Contains("duplicated: 2 runs"));

  const std::string other = dir + "/other.jsonl";
  const test_support::DmsgsimRun another =
      run_dmsgsim(fmt::format("sweep --seeds 1:2 --scenario self_dial_should_work --json --artifacts {}/a", dir));
  REQUIRE(sim::write_file(other, sim::Bytes(another.output.begin(), another.output.end())).ok());
  const test_support::DmsgsimRun mixed = run_dmsgsim(fmt::format("sweep merge {} {}", files[0], other));
  CHECK(mixed.exit_code == 2);
  CHECK_THAT(mixed.output, Catch::Contains("another sweep"));
  CHECK(run_dmsgsim("sweep merge " + dir + "/no-such.jsonl").exit_code == 2);
}

TEST_CASE("sweep: shrink: --shrink leaves the shrunk trace and its report in the failure's folder") {
  const test_support::DmsgsimRun run = planted_sweep(scratch_path("sweep-shrink"), "--seeds 1:1 --shrink");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  const SweepLines lines = read_lines(run.output);
  REQUIRE(lines.runs.size() == 1);
  const std::string folder = text_of(lines.runs[0], "artifacts");
  CHECK(std::filesystem::exists(folder + "/run.min.trace"));
  sim::Result<sim::Bytes> report = sim::read_file(folder + "/shrink.json");
  REQUIRE(report.ok());
  sim::Result<sim::JsonValue> parsed = sim::parse_json(std::string(report->begin(), report->end()));
  REQUIRE(parsed.ok());
  CHECK(parsed->find("fingerprint")->scalar() == text_of(lines.runs[0], "fingerprint"));
  // The shrunk trace fails as the run did.
  CHECK_THAT(run_dmsgsim("replay " + folder + "/run.min.trace").output, Catch::Contains("result: fail"));
}
