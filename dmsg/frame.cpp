// Frame header encoding.
#include "dmsg/frame.h"

#include "dmsg/wire.h"
#include "sim/enum_names.h"

namespace dmsg {
namespace {

constexpr std::array<sim::EnumName<FrameError>, 4> kFrameErrorNames = {{
    {FrameError::kTooShort, "frame header too short"},
    {FrameError::kBadVersion, "unknown frame version"},
    {FrameError::kBadType, "unknown frame type"},
    {FrameError::kBadFlags, "unknown frame flags"},
}};

constexpr uint16_t kKnownFlags = kFlagSyn | kFlagAck | kFlagFin | kFlagRst;

}  // namespace

std::string_view enum_name(FrameError error) { return sim::name_in(kFrameErrorNames, error); }

std::array<uint8_t, FrameHeader::kBytes> encode_frame_header(const FrameHeader& header) {
  sim::Bytes bytes;
  WireWriter w(bytes);
  w.u8(FrameHeader::kVersion);
  w.u8(static_cast<uint8_t>(header.type));
  w.u16(header.flags);
  w.u32(header.stream_id);
  w.u32(header.length);
  std::array<uint8_t, FrameHeader::kBytes> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

DecodedFrameHeader decode_frame_header(const uint8_t* data, size_t size) {
  if (size < FrameHeader::kBytes) return {FrameError::kTooShort, {}};
  WireReader r(data, FrameHeader::kBytes);
  const uint8_t version = r.u8();
  const uint8_t type = r.u8();
  FrameHeader header;
  header.flags = r.u16();
  header.stream_id = r.u32();
  header.length = r.u32();
  if (version != FrameHeader::kVersion) return {FrameError::kBadVersion, {}};
  if (type > static_cast<uint8_t>(FrameType::kGoAway)) return {FrameError::kBadType, {}};
  if ((header.flags & ~kKnownFlags) != 0) return {FrameError::kBadFlags, {}};
  header.type = static_cast<FrameType>(type);
  return {std::nullopt, header};
}

}  // namespace dmsg
