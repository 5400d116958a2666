// Transport segments and the packets that carry them across the network.
#pragma once

#include "net/address.h"
#include "sim/bounded_vector.h"
#include "sim/serial.h"

#include <cstdint>
#include <vector>

namespace net {

enum SegmentFlag : uint8_t {
  kSyn = 1,
  kAck = 2,
  kFin = 4,
  kRst = 8,
  // A keepalive probe: the receiver answers it with an ack. (Recognising probes by an old
  // sequence number, as TCP does, can make two go-back senders ack each other forever.)
  kProbe = 16,
  // In a SYN or SYN-ACK: this end takes selective acknowledgements (RFC 2018's
  // SACK-permitted option); both must offer it for the connection to use them.
  kSackPermitted = 32,
  // The segment carries TCP's timestamps option (RFC 7323): ts_val and ts_ecr. In a SYN or
  // SYN-ACK it is also the offer; once both offered it, every segment carries it.
  kTimestamps = 64,
};

// A block of bytes [start, end) the receiver holds beyond its cumulative ack.
struct SackBlock {
  uint64_t start = 0;
  uint64_t end = 0;

  friend bool operator==(const SackBlock&, const SackBlock&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("start", start);
    v("end", end);
  }
};

// At most this many blocks ride on one segment (TCP's option space holds four).
constexpr size_t kMaxSackBlocks = 4;
// A segment's blocks, inline: nearly every ack carries some.
using SackList = sim::BoundedVector<SackBlock, kMaxSackBlocks>;

// One transport segment. Connections are identified by 64-bit nonces drawn at open time
// (the role TCP's initial sequence numbers play): a segment names the sender's and the
// receiver's nonce, so a segment of an older connection or incarnation never matches a
// newer one. Data sequence numbers start at 0 and never wrap; a FIN occupies the sequence
// number after the last data byte.
struct Segment {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint64_t src_nonce = 0;
  uint64_t dst_nonce = 0;  // 0 in a SYN: the receiver has not chosen one yet
  uint8_t flags = 0;
  uint64_t seq = 0;
  uint64_t ack = 0;
  uint32_t window = 0;  // receive window in bytes, from `ack` on
  // With kTimestamps: when the sender sent it (its clock, in ns: never wraps), and the
  // timestamp it echoes (RFC 7323's TS.Recent).
  uint64_t ts_val = 0;
  uint64_t ts_ecr = 0;
  // Selective acknowledgements, the block holding the newest arrival first.
  SackList sack;
  sim::Bytes payload;

  bool has(SegmentFlag f) const { return (flags & f) != 0; }
  // Header bytes counted against the MTU and the link's bandwidth.
  static constexpr uint32_t kHeaderBytes = 40;
  // TCP's SACK option: kind and length, then 8 bytes a block.
  static constexpr uint32_t kSackOptionBytes = 2;
  static constexpr uint32_t kSackBlockBytes = 8;
  // TCP's timestamps option, padded to 12 bytes as Linux sends it.
  static constexpr uint32_t kTimestampOptionBytes = 12;
  uint32_t wire_bytes() const {
    uint32_t options = sack.empty() ? 0 : kSackOptionBytes + kSackBlockBytes * static_cast<uint32_t>(sack.size());
    if (has(kTimestamps)) options += kTimestampOptionBytes;
    return kHeaderBytes + options + static_cast<uint32_t>(payload.size());
  }

  template <class Visitor>
  void visit(Visitor& v) {
    v("src_port", src_port);
    v("dst_port", dst_port);
    v("src_nonce", src_nonce);
    v("dst_nonce", dst_nonce);
    v("flags", flags);
    v("seq", seq);
    v("ack", ack);
    v("window", window);
    v("ts_val", ts_val);
    v("ts_ecr", ts_ecr);
    v("sack", sack);
    v("payload", payload);
  }
};

// The RST that answers `segment` (sent for segments nobody here can take).
Segment reset_reply(const Segment& segment);

struct Packet {
  NodeAddress src{};
  NodeAddress dst{};
  Segment segment;

  template <class Visitor>
  void visit(Visitor& v) {
    v("src", src);
    v("dst", dst);
    v("segment", segment);
  }
};

}  // namespace net
