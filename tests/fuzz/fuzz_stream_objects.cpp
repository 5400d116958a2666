// libFuzzer target: the signed StreamRequest and StreamResponse decoders.
#include "dmsg/stream_request.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const sim::Bytes bytes(data, data + size);
  (void)dmsg::decode_request(bytes);
  const dmsg::PublicKey responder{};
  (void)dmsg::decode_response(bytes, responder);
  return 0;
}
