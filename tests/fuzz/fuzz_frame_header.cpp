// libFuzzer target: the mux frame header decoder.
#include "dmsg/frame.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dmsg::DecodedFrameHeader decoded = dmsg::decode_frame_header(data, size);
  // A header that decodes must encode back to the same bytes.
  if (!decoded.error && dmsg::encode_frame_header(decoded.header) != [&] {
        std::array<uint8_t, dmsg::FrameHeader::kBytes> head{};
        for (size_t i = 0; i < head.size(); ++i) head[i] = data[i];
        return head;
      }()) {
    __builtin_trap();
  }
  return 0;
}
