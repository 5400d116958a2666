// libFuzzer target: dmsg's wire decoders (frame headers, signed stream objects, discovery
// entries) must refuse any input with a typed error, never crash or over-read.
#include "dmsg/entry.h"
#include "dmsg/frame.h"
#include "dmsg/stream_request.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)dmsg::decode_frame_header(data, size);
  const sim::Bytes bytes(data, data + size);
  (void)dmsg::decode_request(bytes);
  dmsg::PublicKey responder{};
  (void)dmsg::decode_response(bytes, responder);
  const dmsg::DecodedEntry entry = dmsg::decode_entry(data, size);
  if (!entry.error) (void)dmsg::entry_signature_valid(entry.entry);
  return 0;
}
