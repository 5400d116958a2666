// The trace file: everything needed to re-execute a run and check it tick by tick.
#pragma once

#include "sim/file_io.h"
#include "sim/result.h"
#include "sim/serial.h"
#include "sim/snapshot.h"
#include "sim/snapshot_store.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sim {

// Where a forked run came from.
struct ForkOrigin {
  uint64_t parent_seed = 0;
  uint64_t parent_chain_hash = 0;  // the parent's chain at the fork tick
  uint64_t tick = 0;
  uint64_t new_seed = 0;

  friend bool operator==(const ForkOrigin&, const ForkOrigin&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("parent_seed", parent_seed);
    v("parent_chain_hash", parent_chain_hash);
    v("tick", tick);
    v("new_seed", new_seed);
  }
};

// A recorded run. `run` describes how to rebuild the world and which external inputs to
// apply (its encoding belongs to the layer that builds worlds); `chain[i]` is the chain
// hash at tick first_tick + i. A run recorded from scratch starts at tick 0; a fork starts
// at its fork tick from the snapshot embedded there.
struct TraceFile {
  uint32_t semantics_version = 0;
  std::string build_id;  // informational: traces replay across compilers
  Bytes run;
  // What the run added to its description as it went (inputs made during the run, as the
  // chaos panel makes them), in order; opaque here, like `run`, whose reader applies them.
  std::vector<Bytes> run_additions;
  // Set when read from a file whose recording stopped before it was closed (killed, or the
  // machine went down): how the file ends. The trace holds its closed segments.
  std::optional<std::string> interruption;
  uint64_t first_tick = 0;
  std::vector<uint64_t> chain;
  std::shared_ptr<const SnapshotStore> snapshots;  // always holding first_tick
  std::optional<ForkOrigin> fork;

  uint64_t last_tick() const { return first_tick + chain.size() - 1; }
  // The kept snapshot at `tick` (which must be kept), put together again from the store;
  // an error for parts that do not make a world's state.
  Result<Snapshot> snapshot_at(uint64_t tick) const;
  // The latest kept tick at or before `tick` (the first tick is always kept).
  uint64_t snapshot_tick_at_or_before(uint64_t tick) const;
};

// Bumped whenever a change makes old traces re-execute differently: such traces are then
// refused with a clear message instead of failing verification somewhere in the middle.
constexpr uint32_t kTraceSemanticsVersion = 13;
constexpr uint32_t kTraceFormatVersion = 4;

// The fields a trace file starts with.
struct TraceHead {
  uint32_t semantics_version = 0;
  std::string build_id;
  uint64_t first_tick = 0;
  std::optional<ForkOrigin> fork;
  Bytes run;
};

// Writes a trace file front to back, as a run goes: the head, then segments (the snapshot
// pieces and entries gained since the segment before, what the run added to its
// description, and last the chain's next hashes, which close the segment), then an end.
// Every closed segment is flushed to the file, so a recording that stops at any moment
// leaves a trace of what it closed. The layout is docs/trace-format.md.
class TraceFileWriter {
 public:
  static Result<TraceFileWriter> create(const std::string& path, const TraceHead& head);
  // The same file into `out` (encode_trace()).
  static TraceFileWriter in_memory(Bytes& out, const TraceHead& head);

  Status add_pieces(const Bytes& chunk);
  Status add_entries(const Bytes& section);
  Status add_run_addition(const Bytes& addition);
  // Closes the segment: the chain hashes of the ticks after those written before.
  Status close_segment(const uint64_t* hashes, size_t count);
  // Writes the end (the thinning figures of the snapshots the file holds) and closes the
  // file; its size.
  Result<uint64_t> finish(SnapshotStore::Thinning thinning);
  uint64_t bytes_written() const { return size_; }

 private:
  TraceFileWriter(std::optional<FileWriter> file, Bytes* memory) : file_(std::move(file)), memory_(memory) {}
  Status start(const TraceHead& head);
  Status append(const Bytes& bytes);
  Status section(uint32_t kind, const Bytes& body);
  std::optional<FileWriter> file_;  // or, without a file, into memory_
  Bytes* memory_ = nullptr;
  uint64_t size_ = 0;
};

// The whole trace as one segment (a trace kept in memory: a failure's, a fork's, a shrunk
// run's); the file's size. write_trace() streams it to the file section by section.
Bytes encode_trace(const TraceFile& trace);
Result<uint64_t> write_trace(const std::string& path, const TraceFile& trace);
// Checks the magic, the format version and every section's length and checksum before
// decoding anything; a corrupt, foreign or newer file is an error naming the problem,
// never a crash or an allocation sized by a corrupt field. A file that ends without its
// end section (a recording that stopped) gives the trace of its closed segments, marked
// `interrupted`; one that stops before its first segment closed is an error.
Result<TraceFile> decode_trace(const Bytes& file);

// Per section: its name, size in bytes (for `dmsgsim info`).
struct SectionSize {
  std::string name;
  uint64_t bytes = 0;
};
std::vector<SectionSize> trace_section_sizes(const TraceFile& trace);

// The compiler and build type, for the build id.
std::string this_build_id();

}  // namespace sim
