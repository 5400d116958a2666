// The trace file: everything needed to re-execute a run and check it tick by tick.
#pragma once

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
constexpr uint32_t kTraceFormatVersion = 3;

// The file layout is documented in docs/trace-format.md.
Bytes encode_trace(const TraceFile& trace);
// The same bytes, written section by section (never the whole file in memory at once);
// the file's size.
Result<uint64_t> write_trace(const std::string& path, const TraceFile& trace);
// Checks the magic, the format version and every section's length and checksum before
// decoding anything; a truncated, corrupt, foreign or newer file is an error naming the
// problem, never a crash or an allocation sized by a corrupt field.
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
