// A byte-stream connection carrying length-framed messages, with buffers both ways.
#pragma once

#include "dmsg/host.h"
#include "sim/byte_queue.h"

#include <optional>
#include <vector>

namespace dmsg {

struct FramedConn {
  ConnId conn = 0;
  bool connected = false;
  sim::ByteQueue in;   // received, not yet a whole message
  sim::ByteQueue out;  // framed, not yet taken by the transport

  // Queues a framed message and writes what the transport takes.
  void send(Host& host, const sim::Bytes& body);
  // Writes queued bytes the transport takes now (call again on kWritable).
  void flush(Host& host);
  // Reads everything available and returns the whole messages received; sets `broken`
  // when the peer sent a length over the limit.
  std::vector<sim::Bytes> receive(Host& host, bool& broken);

  template <class Visitor>
  void visit(Visitor& v) {
    v("conn", conn);
    v("connected", connected);
    v("in", in);
    v("out", out);
  }
};

}  // namespace dmsg
