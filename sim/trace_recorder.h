// Recording a world's trace to its file as the world runs.
//
// The recorder listens to the world's snapshots: after each one it may close a segment of
// the file (sim::TraceFileWriter), with the snapshot pieces and entries the store's
// journal gained, what the run added to its description, and the chain up to this tick.
// Memory then holds one segment's worth and the store's budget, whatever the run's length;
// a recording stopped at any moment (killed, out of power) leaves the trace of the
// segments it closed. At the end the file gets its end section, and if it went over its
// budget it is written again from the store in memory, thinned to that budget.
#pragma once

#include "sim/trace_file.h"
#include "sim/world.h"

#include <functional>
#include <memory>
#include <string>

namespace sim {

// A segment closes once the journal holds this many bytes of pieces, or this many ticks
// after the last one: an interrupted recording loses at most that.
constexpr uint64_t kSegmentPieceBytes = 4 << 20;
constexpr uint64_t kSegmentTicks = 10'000;

struct TraceRecording {
  std::string path;
  // The most the file may take at the end (0: no limit).
  uint64_t file_budget = 0;
  // What the run added to its description since the last call (empty: nothing).
  std::function<Bytes()> take_run_addition;
  uint64_t segment_piece_bytes = kSegmentPieceBytes;
  uint64_t segment_ticks = kSegmentTicks;
};

class TraceRecorder final : public SnapshotListener {
 public:
  // Starts the file (the world must keep snapshots: its first tick is kept now) and
  // listens to `world` until finish() or destruction.
  static Result<std::unique_ptr<TraceRecorder>> start(World& world, TraceHead head, TraceRecording recording);
  ~TraceRecorder() override;
  TraceRecorder(const TraceRecorder&) = delete;
  TraceRecorder& operator=(const TraceRecorder&) = delete;

  void snapshot_kept(World& world) override;
  // The last segment and the end, and the compaction if due; the file's size, or the first
  // error met while recording (the run went on without its file).
  Result<uint64_t> finish();
  // Segments closed so far (for tests and `info`-like reports).
  uint64_t segments() const { return segments_; }

 private:
  TraceRecorder(World& world, TraceHead head, TraceRecording recording, TraceFileWriter writer);
  Status close_segment();
  // Writes the file again from the store, thinned to the file budget.
  Result<uint64_t> compact();

  World& world_;
  TraceHead head_;
  TraceRecording recording_;
  std::optional<TraceFileWriter> writer_;
  std::vector<Bytes> run_additions_;  // all of them, for a compaction
  uint64_t next_chain_tick_ = 0;      // the first tick whose chain hash is not written
  uint64_t segments_ = 0;
  std::optional<Error> failed_;
};

}  // namespace sim
