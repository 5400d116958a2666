// libFuzzer target: discovery's framing, request handler and response decoder.
#include "dmsg/discovery_protocol.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t consumed = 0;
  bool too_large = false;
  (void)dmsg::take_message(data, size, consumed, too_large);
  const sim::Bytes bytes(data, data + size);
  dmsg::DiscoveryStore store;
  (void)dmsg::answer(store, bytes, sim::Instant::from_ns(1'000'000'000'000));
  (void)dmsg::decode_response_body(bytes);
  return 0;
}
