// libFuzzer target: a session multiplexer fed hostile bytes must end streams or the
// session with a reason, never crash, and never buffer past its windows.
#include "dmsg/mux.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dmsg::Mux mux(dmsg::Mux::Side::kServer, dmsg::MuxOptions{}, sim::Instant::zero());
  // In two pieces, so frames split across reads are exercised too.
  const size_t half = size / 2;
  mux.on_bytes(data, half, sim::Instant::zero());
  mux.on_bytes(data + half, size - half, sim::Instant::from_ns(1));
  while (std::optional<uint32_t> id = mux.accept()) {
    uint8_t buffer[4096];
    while (mux.read(*id, buffer, sizeof buffer) > 0) {
    }
  }
  mux.on_tick(sim::Instant::from_ns(400'000'000'000));
  (void)mux.take_output();
  (void)mux.take_events();
  return 0;
}
