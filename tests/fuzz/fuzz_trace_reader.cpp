// libFuzzer target: the trace reader and every decoder behind it must refuse any input
// with an error, never crash, hang or allocate by a corrupt length.
#include "scenarios/replay/trace_session.h"
#include "scenarios/run/actor_types.h"
#include "sim/trace_file.h"
#include "sim/world.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const sim::Bytes bytes(data, data + size);
  // The whole file: framing, lengths and checksums.
  if (sim::Result<sim::TraceFile> trace = sim::decode_trace(bytes)) {
    (void)scenarios::TraceSession::open(std::move(trace).value());
  }
  // Checksums stop random bytes at the framing, so the decoders behind it get the input
  // directly too: as a run description, and as a world's state.
  sim::TraceFile as_run;
  as_run.run = bytes;
  as_run.chain = {0};
  (void)scenarios::TraceSession::open(as_run);
  const sim::Snapshot as_state{0, 0, 0, bytes};
  (void)sim::World::restore(as_state, scenarios::all_actor_types());
  // ... and as a snapshot store (index and pieces), every kept tick of it rebuilt.
  if (sim::Result<sim::SnapshotStore> store = sim::SnapshotStore::decode(data, size)) {
    for (const auto& [first, last] : store->ranges()) {
      for (const uint64_t tick : {first, last}) {
        if (sim::Result<sim::Snapshot> snapshot = sim::World::assemble_snapshot(store->parts_at(tick), 0)) {
          (void)sim::World::restore(*snapshot, scenarios::all_actor_types());
        }
      }
    }
  }
  return 0;
}
