// Traces streamed to their file as the run goes: the file holds what the run kept, a
// recording stopped anywhere leaves a valid shorter trace, and a file over its budget is
// compacted at the end.
#include "scenarios/chaos/panel.h"
#include "scenarios/replay/trace_session.h"
#include "sim/file_io.h"
#include "sim/fmt.h"
#include "tests/support/background_run.h"
#include "tests/support/dmsgsim_process.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>

namespace {

using test_support::scratch_path;

struct Streamed {
  sim::Bytes file;
  sim::TraceFile memory;  // the same run's trace as record_trace() makes it in memory
  uint64_t segments = 0;
  uint64_t file_size = 0;
};

// A small chaos world (inputs made during the run) for 30 s of faults, streamed to `path`.
Streamed record_chaos(const std::string& path, uint64_t segment_ticks, uint64_t file_budget = 0) {
  scenarios::chaos::ChaosConfig config;
  config.servers = 3;
  config.clients = 8;
  config.streams = 30;
  config.duration = sim::Duration::seconds(30);
  auto panel = scenarios::chaos::ControlPanel::create(config, 5, dmsg::PlantedBug::kNone);
  REQUIRE(panel.ok());
  scenarios::ScenarioRunner& runner = (*panel)->runner();
  runner.world().set_snapshot_policy(scenarios::recording_snapshot_policy());
  sim::TraceRecording recording;
  recording.path = path;
  recording.segment_ticks = segment_ticks;
  recording.file_budget = file_budget;
  auto recorder = scenarios::start_recording(runner, recording);
  REQUIRE(recorder.ok());
  (*panel)->run();
  Streamed out;
  const sim::Result<uint64_t> size = (*recorder)->finish();
  REQUIRE(size.ok());
  out.file_size = *size;
  out.segments = (*recorder)->segments();
  sim::Result<sim::Bytes> bytes = sim::read_file(path);
  REQUIRE(bytes.ok());
  out.file = std::move(bytes).value();
  out.memory = scenarios::record_trace(runner);
  return out;
}

uint64_t le(const sim::Bytes& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{b[at + static_cast<size_t>(i)]} << (8 * i);
  return v;
}

struct SectionAt {
  size_t start = 0;
  uint32_t kind = 0;
  size_t end = 0;
};

std::vector<SectionAt> sections_of(const sim::Bytes& file) {
  std::vector<SectionAt> out;
  size_t at = 12;
  while (at < file.size()) {
    const size_t end = at + 12 + le(file, at + 4, 8) + 8;
    out.push_back(SectionAt{at, static_cast<uint32_t>(le(file, at, 4)), end});
    at = end;
  }
  return out;
}

constexpr uint32_t kChainSection = 3;

// Every kept tick among `ticks` restores to the recorded chain, and its state encodes to
// the same bytes as the in-memory recording's snapshot there.
void check_restores(const sim::TraceFile& trace, const sim::TraceFile& memory, const std::vector<uint64_t>& ticks) {
  sim::Result<scenarios::TraceSession> session = scenarios::TraceSession::open(trace);
  REQUIRE(session.ok());
  for (const uint64_t tick : ticks) {
    if (tick > trace.last_tick() || !trace.snapshots->has(tick)) continue;
    INFO("tick " << tick);
    sim::Result<sim::Snapshot> from_file = trace.snapshot_at(tick);
    sim::Result<sim::Snapshot> from_memory = memory.snapshot_at(tick);
    REQUIRE(from_file.ok());
    REQUIRE(from_memory.ok());
    CHECK(from_file->state == from_memory->state);
    sim::Result<std::unique_ptr<scenarios::ScenarioRunner>> restored = session->at_tick(tick);
    REQUIRE(restored.ok());
    CHECK((*restored)->world().chain_hash() == trace.chain[tick - trace.first_tick]);
  }
}

}  // namespace

TEST_CASE("trace: streamed: the file holds the run's chain, inputs and every tick's snapshot") {
  const std::string path = scratch_path("streamed.trace");
  const Streamed run = record_chaos(path, 2000);
  CHECK(run.segments > 10);
  CHECK(run.file_size == run.file.size());
  sim::Result<sim::TraceFile> decoded = sim::decode_trace(run.file);
  REQUIRE(decoded.ok());
  CHECK_FALSE(decoded->interruption.has_value());
  CHECK(decoded->chain == run.memory.chain);
  CHECK(decoded->snapshots->ranges() == run.memory.snapshots->ranges());
  // The panel's inputs went to the file with the segments they were made in.
  CHECK(decoded->run_additions.size() > 1);
  sim::Result<scenarios::TraceSession> from_file = scenarios::TraceSession::open(*decoded);
  sim::Result<scenarios::TraceSession> from_memory = scenarios::TraceSession::open(run.memory);
  REQUIRE(from_file.ok());
  REQUIRE(from_memory.ok());
  CHECK(sim::encode(from_file->run()) == sim::encode(from_memory->run()));
  std::vector<uint64_t> ticks;
  for (uint64_t t = 0; t <= decoded->last_tick(); t += 997) ticks.push_back(t);
  ticks.push_back(decoded->last_tick());
  check_restores(*decoded, run.memory, ticks);
  sim::Result<scenarios::ReplayOutcome> replayed = from_file->replay();
  REQUIRE(replayed.ok());
  CHECK_FALSE(replayed->divergence.has_value());
  std::remove(path.c_str());
}

TEST_CASE("trace: streamed: a recording stopped anywhere leaves a valid, shorter trace") {
  const std::string path = scratch_path("stopped.trace");
  const Streamed run = record_chaos(path, 2000);
  const std::vector<SectionAt> sections = sections_of(run.file);
  size_t first_segment_end = 0;
  for (const SectionAt& s : sections) {
    if (s.kind == kChainSection) {
      first_segment_end = s.end;
      break;
    }
  }
  REQUIRE(first_segment_end > 0);
  std::vector<size_t> cuts = {4, 11, 12};
  for (const SectionAt& s : sections) {
    for (const size_t offset : {size_t{0}, size_t{5}, size_t{14}}) cuts.push_back(s.start + offset);
  }
  for (const size_t cut : cuts) {
    if (cut >= run.file.size()) continue;
    INFO("cut at " << cut << " of " << run.file.size());
    const sim::Bytes stopped(run.file.begin(), run.file.begin() + static_cast<std::ptrdiff_t>(cut));
    sim::Result<sim::TraceFile> decoded = sim::decode_trace(stopped);
    if (cut < first_segment_end) {
      REQUIRE_FALSE(decoded.ok());
      const std::string& error = decoded.error().message;
      CHECK((error.find("truncated") != std::string::npos || error.find("magic") != std::string::npos));
      continue;
    }
    REQUIRE(decoded.ok());
    REQUIRE(decoded->interruption.has_value());
    // A prefix of the run: the chain as recorded, snapshots within it.
    REQUIRE(decoded->chain.size() <= run.memory.chain.size());
    CHECK(std::equal(decoded->chain.begin(), decoded->chain.end(), run.memory.chain.begin()));
    CHECK(decoded->snapshots->last_tick() <= decoded->last_tick());
  }
  // At each segment's end: every tick of it kept, restores, and the prefix replays.
  for (const SectionAt& s : sections) {
    if (s.kind != kChainSection || s.end == run.file.size()) continue;
    INFO("stopped after the segment ending at byte " << s.end);
    sim::Result<sim::TraceFile> decoded =
        sim::decode_trace(sim::Bytes(run.file.begin(), run.file.begin() + static_cast<std::ptrdiff_t>(s.end)));
    REQUIRE(decoded.ok());
    CHECK(decoded->snapshots->keeps_every_tick(decoded->first_tick, decoded->last_tick()));
    check_restores(*decoded, run.memory, {decoded->last_tick(), decoded->last_tick() / 2});
    sim::Result<scenarios::TraceSession> session = scenarios::TraceSession::open(*decoded);
    REQUIRE(session.ok());
    sim::Result<scenarios::ReplayOutcome> replayed = session->replay();
    REQUIRE(replayed.ok());
    CHECK_FALSE(replayed->divergence.has_value());
  }
  std::remove(path.c_str());
}

TEST_CASE("trace: streamed: a file over its budget is compacted at the end and still seeks everywhere") {
  const std::string path = scratch_path("compacted.trace");
  const Streamed whole = record_chaos(path, 2000);
  const uint64_t budget = whole.file.size() / 4;
  const Streamed run = record_chaos(path, 2000, budget);
  CHECK(run.file.size() <= budget);
  CHECK(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path + ".compacting"));
  sim::Result<sim::TraceFile> decoded = sim::decode_trace(run.file);
  REQUIRE(decoded.ok());
  CHECK(decoded->chain == whole.memory.chain);
  const sim::SnapshotStoreStats stats = decoded->snapshots->stats();
  CHECK(stats.thinning_passes > 0);
  CHECK(stats.thinned_ticks > 0);
  CHECK(decoded->snapshots->has(decoded->first_tick));
  CHECK(decoded->snapshots->has(decoded->last_tick()));
  // Between kept ticks a seek re-executes: every 500th tick equals the whole run's state.
  sim::Result<scenarios::TraceSession> session = scenarios::TraceSession::open(*decoded);
  REQUIRE(session.ok());
  for (uint64_t t = 0; t <= decoded->last_tick(); t += 1499) {
    INFO("tick " << t);
    sim::Result<std::unique_ptr<scenarios::ScenarioRunner>> at = session->at_tick(t);
    REQUIRE(at.ok());
    CHECK((*at)->world().chain_hash() == whole.memory.chain[t]);
  }
  std::remove(path.c_str());
}

TEST_CASE("trace: streamed: a chaos recording killed with SIGKILL replays up to where it stopped") {
  const std::string path = scratch_path("killed.trace");
  std::remove(path.c_str());
  test_support::Background run =
      test_support::start_dmsgsim({"chaos", "--duration", "1000000h", "--progress", "--trace", path});
  // Killed once the file holds a few segments (a 4 MiB chunk of pieces closes one).
  const int code = test_support::signal_when(run, SIGKILL, [&](const std::string&) {
    std::error_code error;
    return std::filesystem::file_size(path, error) > (12u << 20);
  });
  CHECK(code == 128 + SIGKILL);
  const test_support::DmsgsimRun info = test_support::run_dmsgsim("info " + path);
  INFO(info.output);
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.output, Catch::Contains("interrupted recording"));
  const test_support::DmsgsimRun replay = test_support::run_dmsgsim("replay " + path);
  INFO(replay.output);
  CHECK(replay.exit_code == 0);
  CHECK_THAT(replay.output, Catch::Contains("verified") && Catch::Contains("the recording was interrupted"));
  std::remove(path.c_str());
}
