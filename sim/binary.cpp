// Stream buffers and the out-of-line parts of the binary Writer and Reader.
#include "sim/binary.h"

#include "sim/fmt.h"

namespace sim {
namespace detail {

std::streamsize VectorStreamBuf::xsputn(const char* data, std::streamsize count) {
  SIM_ASSERT_GE(count, 0);
  out_->insert(out_->end(), reinterpret_cast<const uint8_t*>(data), reinterpret_cast<const uint8_t*>(data) + count);
  return count;
}

VectorStreamBuf::int_type VectorStreamBuf::overflow(int_type c) {
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    out_->push_back(static_cast<uint8_t>(traits_type::to_char_type(c)));
  }
  return traits_type::not_eof(c);
}

SpanStreamBuf::SpanStreamBuf(const uint8_t* data, size_t size) {
  // std::streambuf's get area is non-const, but this buffer never writes to it.
  char* begin = const_cast<char*>(reinterpret_cast<const char*>(data));  // NOLINT
  setg(begin, begin, begin + size);
}

}  // namespace detail

// cereal's portable archive opens with one byte naming the byte order; the direct path
// writes the same byte, so both produce identical output.
constexpr uint8_t kLittleEndianMarker = 1;

Writer::Writer(Bytes& out, Encoding encoding) : encoding_(encoding), out_(&out) {
  if (encoding == Encoding::kSnapshot) {
    backend_ = std::make_unique<CerealBackend>(out);
    archive_ = &backend_->archive;
  } else {
    out.push_back(kLittleEndianMarker);
  }
}

Writer::Writer(Hasher& hasher, Encoding encoding) : encoding_(encoding), hasher_(&hasher) {
  SIM_ASSERT_MSG(encoding != Encoding::kSnapshot, "a snapshot is bytes to keep, not to hash");
  put(&kLittleEndianMarker, 1);
}

void Writer::write_bytes(const uint8_t* data, size_t size) {
  if (size == 0) return;
  if (archive_ != nullptr) {
    (*archive_)(cereal::binary_data(static_cast<const uint8_t*>(data), size));
    return;
  }
  put(data, size);
}

namespace {

// Our encoding is always little-endian. cereal's portable reader would otherwise believe
// the marker and byte-swap every value, and for byte strings it swaps in words of the
// pointer's size, past the end of short buffers (found by the trace reader's fuzzer).
const uint8_t* checked_marker(const uint8_t* data, size_t size) {
  if (size == 0) throw DecodeError("the input is empty");
  if (data[0] != kLittleEndianMarker) {
    throw DecodeError(
        fmt::format("the input does not start with the little-endian marker (found byte 0x{:02x})", data[0]));
  }
  return data;
}

}  // namespace

Reader::Reader(const uint8_t* data, size_t size)
    : buffer_(checked_marker(data, size), size), stream_(&buffer_), archive_(stream_) {}

void Reader::read_bytes(uint8_t* data, size_t size) {
  if (size == 0) return;
  if (remaining() < size) fail("the input ends in the middle of a byte string");
  // An rvalue pointer: cereal sizes a byte string's elements by the deduced type.
  archive_(cereal::binary_data(static_cast<uint8_t*>(data), size));
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
