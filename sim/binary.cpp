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

void NestedPieces::known_piece(Bytes& written, const uint8_t* data, size_t size, uint64_t id_low, uint64_t id_high) {
  // `data` may die before hand_on() (a nested entry's own encoding): copied, unless the
  // outer sink has the piece already (a buffer's chunk, at every tick after its first).
  Nested piece{std::move(written), {}, data == nullptr || outer_.holds(id_low, id_high), id_low, id_high};
  if (!piece.held) piece.bytes = Bytes(data, data + size);
  written.clear();
  nested_.push_back(std::move(piece));
}

void NestedPieces::hand_on(PieceSink& sink, Bytes& out, const Bytes& tail) {
  for (Nested& piece : nested_) {
    out.insert(out.end(), piece.before.begin(), piece.before.end());
    if (piece.held) {
      SIM_ASSERT_MSG(sink.holds(piece.id_low, piece.id_high), "a nested piece named without its bytes is not held");
      sink.known_piece(out, nullptr, 0, piece.id_low, piece.id_high);
    } else {
      sink.known_piece(out, piece.bytes.data(), piece.bytes.size(), piece.id_low, piece.id_high);
    }
  }
  nested_.clear();
  out.insert(out.end(), tail.begin(), tail.end());
}

}  // namespace sim
