// Buffered framed messages over a host connection.
#include "dmsg/framed_conn.h"

#include "dmsg/discovery_protocol.h"

namespace dmsg {

void FramedConn::send(Host& host, const sim::Bytes& body) {
  sim::Bytes framed;
  frame_message(body, framed);
  out.append(framed);
  flush(host);
}

void FramedConn::flush(Host& host) {
  if (!connected) return;
  while (!out.empty()) {
    uint8_t chunk[4096];
    const size_t size = out.copy_out(0, chunk, sizeof chunk);
    const size_t taken = host.write(conn, chunk, size);
    out.consume(taken);
    if (taken < size) return;
  }
}

std::vector<sim::Bytes> FramedConn::receive(Host& host, bool& broken) {
  broken = false;
  uint8_t chunk[4096];
  while (size_t got = host.read(conn, chunk, sizeof chunk)) in.append(chunk, got);
  std::vector<sim::Bytes> messages;
  while (true) {
    const sim::Bytes pending = in.read(0, in.size());
    size_t consumed = 0;
    bool too_large = false;
    std::optional<sim::Bytes> message = take_message(pending.data(), pending.size(), consumed, too_large);
    if (too_large) {
      broken = true;
      return messages;
    }
    if (!message) return messages;
    in.consume(consumed);
    messages.push_back(std::move(*message));
  }
}

}  // namespace dmsg
