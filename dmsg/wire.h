// Big-endian wire encoding with bounds-checked reading, for dmsg's messages.
#pragma once

#include "sim/serial.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace dmsg {

// Appends big-endian fields. Wire formats are written by hand, field by field, so they do
// not change when the in-memory state encoding does.
class WireWriter {
 public:
  explicit WireWriter(sim::Bytes& out) : out_(&out) {}
  void u8(uint8_t v) { out_->push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i64(int64_t v) { put(static_cast<uint64_t>(v), 8); }
  template <size_t N>
  void fixed(const std::array<uint8_t, N>& bytes) {
    out_->insert(out_->end(), bytes.begin(), bytes.end());
  }
  // A u16 length, then the bytes (at most 65535).
  void short_bytes(const uint8_t* data, size_t size);
  void short_bytes(const sim::Bytes& bytes) { short_bytes(bytes.data(), bytes.size()); }

 private:
  void put(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out_->push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  sim::Bytes* out_;
};

// Reads what a WireWriter wrote. Every read checks the bytes that remain; the first short
// read marks the reader failed and every later read returns zeros, so a decoder checks
// ok() once at the end (and before using a length it read).
class WireReader {
 public:
  WireReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return size_ - at_; }
  size_t position() const { return at_; }
  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint16_t u16() { return static_cast<uint16_t>(get(2)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  int64_t i64() { return static_cast<int64_t>(get(8)); }
  template <size_t N>
  std::array<uint8_t, N> fixed() {
    std::array<uint8_t, N> out{};
    if (!take(N)) return out;
    for (size_t i = 0; i < N; ++i) out[i] = data_[at_ - N + i];
    return out;
  }
  sim::Bytes short_bytes();

 private:
  bool take(size_t n);
  uint64_t get(int bytes);
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace dmsg
