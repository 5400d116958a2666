// The multiplexer's 12-byte frame header (yamux semantics).
#pragma once

#include "sim/result.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dmsg {

enum class FrameType : uint8_t { kData = 0, kWindowUpdate = 1, kPing = 2, kGoAway = 3 };

enum FrameFlag : uint16_t { kFlagSyn = 1, kFlagAck = 2, kFlagFin = 4, kFlagRst = 8 };

struct FrameHeader {
  static constexpr size_t kBytes = 12;
  static constexpr uint8_t kVersion = 0;

  FrameType type = FrameType::kData;
  uint16_t flags = 0;
  uint32_t stream_id = 0;
  uint32_t length = 0;  // data: payload bytes; window update: the increment; ping: opaque

  friend bool operator==(const FrameHeader&, const FrameHeader&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("type", type);
    v("flags", flags);
    v("stream_id", stream_id);
    v("length", length);
  }
};

enum class FrameError : uint8_t { kTooShort, kBadVersion, kBadType, kBadFlags };
std::string_view enum_name(FrameError error);

// version u8 | type u8 | flags u16 | stream id u32 | length u32, all big-endian.
std::array<uint8_t, FrameHeader::kBytes> encode_frame_header(const FrameHeader& header);

struct DecodedFrameHeader {
  std::optional<FrameError> error;
  FrameHeader header;
};
DecodedFrameHeader decode_frame_header(const uint8_t* data, size_t size);

}  // namespace dmsg
