// Segment helpers.
#include "net/segment.h"

namespace net {

Segment reset_reply(const Segment& segment) {
  Segment rst;
  rst.src_port = segment.dst_port;
  rst.dst_port = segment.src_port;
  rst.src_nonce = segment.dst_nonce;
  rst.dst_nonce = segment.src_nonce;
  rst.flags = kRst;
  return rst;
}

}  // namespace net
