// Hostile trace files: every corruption is refused with a message naming the problem.
#include "scenarios/replay/trace_session.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "tests/support/dmsgsim_process.h"

#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

namespace {

sim::Bytes small_trace() {
  scenarios::RunConfig config;
  config.seed = 3;
  auto runner = scenarios::ScenarioRunner::create(*scenarios::find_scenario("demo"), config, {});
  REQUIRE(runner.ok());
  (*runner)->world().set_snapshot_policy(sim::SnapshotPolicy{50, 0});
  (*runner)->run(120);
  return sim::encode_trace(scenarios::record_trace(**runner));
}

uint64_t le(const sim::Bytes& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{b[at + static_cast<size_t>(i)]} << (8 * i);
  return v;
}

// Offsets where each section starts, and the end of the file.
std::vector<size_t> section_starts(const sim::Bytes& file) {
  std::vector<size_t> starts;
  size_t at = 12;
  while (at < file.size()) {
    starts.push_back(at);
    at += 12 + le(file, at + 4, 8) + 8;
  }
  return starts;
}

std::string error_of(const sim::Bytes& file) {
  sim::Result<sim::TraceFile> decoded = sim::decode_trace(file);
  if (decoded.ok()) return "";
  return decoded.error().message;
}

}  // namespace

TEST_CASE("trace: files: a valid trace decodes and re-encodes to the same bytes") {
  const sim::Bytes file = small_trace();
  sim::Result<sim::TraceFile> decoded = sim::decode_trace(file);
  REQUIRE(decoded.ok());
  CHECK(sim::encode_trace(*decoded) == file);
  CHECK(decoded->snapshots->stats().snapshots == 3);
}

TEST_CASE("trace: files: a file cut before its first segment closed is refused; after it, it is interrupted") {
  const sim::Bytes file = small_trace();
  const std::vector<size_t> starts = section_starts(file);
  // One segment: pieces, entries, then the chain closes it; the end section is last.
  const size_t end_section = starts.back();
  std::vector<size_t> cuts = starts;
  for (size_t start : starts) {
    cuts.push_back(start + 5);   // inside the section header
    cuts.push_back(start + 14);  // inside the body
  }
  cuts.push_back(file.size() - 1);
  cuts.push_back(4);
  for (size_t cut : cuts) {
    if (cut >= file.size()) continue;
    INFO("cut at " << cut << " of " << file.size());
    const sim::Bytes stopped(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut));
    sim::Result<sim::TraceFile> decoded = sim::decode_trace(stopped);
    if (cut >= end_section) {
      REQUIRE(decoded.ok());
      CHECK(decoded->interruption.has_value());
      CHECK(decoded->chain.size() == 121);
      continue;
    }
    REQUIRE_FALSE(decoded.ok());
    const std::string& error = decoded.error().message;
    const bool named = error.find("truncated") != std::string::npos || error.find("magic") != std::string::npos;
    CHECK(named);
  }
}

TEST_CASE("trace: files: every flipped byte is detected, or shows as an interrupted recording") {
  const sim::Bytes file = small_trace();
  for (size_t at = 0; at < file.size(); at += 1 + at / 64) {
    sim::Bytes flipped = file;
    flipped[at] ^= 0x5a;
    INFO("byte " << at);
    // A length that runs past the end looks like a recording that stopped there: what is
    // before it is whole, and the trace says it was cut.
    sim::Result<sim::TraceFile> decoded = sim::decode_trace(flipped);
    CHECK((!decoded.ok() || decoded->interruption.has_value()));
  }
}

TEST_CASE("trace: files: foreign, future and oversized files get clear errors") {
  const sim::Bytes file = small_trace();
  CHECK_THAT(error_of(sim::Bytes(200, 'z')), Catch::Contains("not a dmsgsim trace"));
  CHECK_THAT(error_of(sim::Bytes()), Catch::Contains("not a dmsgsim trace"));
  sim::Bytes newer = file;
  newer[8] = static_cast<uint8_t>(sim::kTraceFormatVersion + 1);
  CHECK_THAT(error_of(newer),
             Catch::Contains(fmt::format("version {} is not supported", sim::kTraceFormatVersion + 1)) &&
                 Catch::Contains("newer"));
  sim::Bytes older = file;
  older[8] = 2;  // full snapshot copies, before the snapshot store
  CHECK_THAT(error_of(older), Catch::Contains("version 2 is not supported") && Catch::Contains("record the run again"));
  sim::Bytes huge = file;
  const size_t first = section_starts(file).front();
  for (int i = 0; i < 8; ++i) huge[first + 4 + static_cast<size_t>(i)] = 0xff;
  CHECK_THAT(error_of(huge), Catch::Contains("claims 18446744073709551615 bytes"));
}

TEST_CASE("trace: files: the command line refuses broken files with exit code 2") {
  const sim::Bytes file = small_trace();
  const std::string path = fmt::format("{}/dmsgsim-broken-{}.trace", P_tmpdir, ::getpid());
  const std::string good = path + ".good";
  REQUIRE(sim::write_file(good, file).ok());
  sim::Bytes broken = file;
  broken[file.size() / 2] ^= 1;
  REQUIRE(sim::write_file(path, broken).ok());
  for (const char* command : {"info", "replay", "seek --tick 3", "debug", "fork --tick 3 --seed 1 --trace /dev/null"}) {
    INFO(command);
    const test_support::DmsgsimRun cli = test_support::run_dmsgsim(fmt::format("{} {}", command, path));
    CHECK(cli.exit_code == 2);
    CHECK_THAT(cli.output, Catch::Contains("checksum mismatch"));
  }
  const test_support::DmsgsimRun missing = test_support::run_dmsgsim("replay /nonexistent/trace");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Catch::Contains("cannot open"));
  const test_support::DmsgsimRun replay = test_support::run_dmsgsim("replay " + good);
  CHECK(replay.exit_code == 0);
  CHECK_THAT(replay.output, Catch::Contains("verified 120 ticks"));
  const test_support::DmsgsimRun outside = test_support::run_dmsgsim("seek --tick 9999 " + good);
  CHECK(outside.exit_code == 2);
  CHECK_THAT(outside.output, Catch::Contains("outside the trace"));
  std::remove(path.c_str());
  std::remove(good.c_str());
}
