// The out-of-line parts of the binary Writer and Reader.
#include "sim/binary.h"

#include "sim/fmt.h"

namespace sim {

// cereal's portable archive opens with one byte naming the byte order; so does ours.
constexpr uint8_t kLittleEndianMarker = 1;

Writer::Writer(Bytes& out, Encoding encoding) : encoding_(encoding), out_(&out) { out.push_back(kLittleEndianMarker); }

Writer::Writer(Bytes& out, Continuing) : encoding_(Encoding::kSnapshot), out_(&out) {}

Writer::Writer(Hasher& hasher, Encoding encoding) : encoding_(encoding), hasher_(&hasher) {
  SIM_ASSERT_MSG(encoding != Encoding::kSnapshot, "a snapshot is bytes to keep, not to hash");
  put(&kLittleEndianMarker, 1);
}

void Writer::write_bytes(const uint8_t* data, size_t size) {
  if (size == 0) return;
  put(data, size);
}

namespace {

// Our encoding is always little-endian: another marker is a foreign or corrupt input (a
// reader that believed it would byte-swap every value).
const uint8_t* checked_marker(const uint8_t* data, size_t size) {
  if (size == 0) throw DecodeError("the input is empty");
  if (data[0] != kLittleEndianMarker) {
    throw DecodeError(
        fmt::format("the input does not start with the little-endian marker (found byte 0x{:02x})", data[0]));
  }
  return data;
}

}  // namespace

Reader::Reader(const uint8_t* data, size_t size) : data_(checked_marker(data, size)), size_(size), at_(1) {}

void Reader::read_bytes(uint8_t* data, size_t size) {
  if (size == 0) return;
  if (remaining() < size) fail("the input ends in the middle of a byte string");
  std::memcpy(data, data_ + at_, size);
  at_ += size;
}

size_t Reader::read_length(size_t min_item_bytes) {
  uint64_t length = 0;
  read_raw(length);
  SIM_ASSERT_GT(min_item_bytes, 0u);
  if (length > remaining() / min_item_bytes) {
    fail(fmt::format("a length of {} exceeds the {} bytes that remain", length, remaining()));
  }
  return static_cast<size_t>(length);
}

void Reader::fail(std::string_view what) const { throw DecodeError(fmt::format("{} (field '{}')", what, field_)); }

}  // namespace sim
