// A snapshot: the whole world at a tick boundary, and its self-checking file form.
#pragma once

#include "sim/result.h"
#include "sim/serial.h"

#include <cstdint>

namespace sim {

struct Snapshot {
  uint64_t tick = 0;
  uint64_t state_hash = 0;
  uint64_t chain_hash = 0;  // chain[tick], so a restored world continues the chain
  Bytes state;              // the world's canonical encoding (World::snapshot)

  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// A standalone snapshot file: magic "DMSGSNAP", format version, tick, hashes, the state's
// length and an XXH3 checksum of everything before it, checked before decoding.
Bytes encode_snapshot_file(const Snapshot& snapshot);
Result<Snapshot> decode_snapshot_file(const Bytes& file);

}  // namespace sim
