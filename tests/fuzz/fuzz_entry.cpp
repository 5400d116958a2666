// libFuzzer target: the discovery entry decoder.
#include "dmsg/entry.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dmsg::DecodedEntry decoded = dmsg::decode_entry(data, size);
  if (decoded.error) return 0;
  (void)dmsg::entry_signature_valid(decoded.entry);
  // An entry that decodes must encode back to the same bytes.
  if (dmsg::encode_entry(decoded.entry) != sim::Bytes(data, data + size)) __builtin_trap();
  return 0;
}
