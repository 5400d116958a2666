// Bounds-checked big-endian reading.
#include "dmsg/wire.h"

#include "sim/assert.h"

namespace dmsg {

void WireWriter::short_bytes(const uint8_t* data, size_t size) {
  SIM_ASSERT_LE(size, 0xffffu);
  u16(static_cast<uint16_t>(size));
  out_->insert(out_->end(), data, data + size);
}

bool WireReader::take(size_t n) {
  if (!ok_ || remaining() < n) {
    ok_ = false;
    return false;
  }
  at_ += n;
  return true;
}

uint64_t WireReader::get(int bytes) {
  if (!take(static_cast<size_t>(bytes))) return 0;
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | data_[at_ - static_cast<size_t>(bytes) + static_cast<size_t>(i)];
  return v;
}

sim::Bytes WireReader::short_bytes() {
  const uint16_t size = u16();
  if (!take(size)) return {};
  return sim::Bytes(data_ + at_ - size, data_ + at_);
}

}  // namespace dmsg
