// Serving discovery requests; a malformed request on one connection harms no other.
#include "dmsg/discovery_server.h"

#include "dmsg/discovery_protocol.h"
#include "sim/fmt.h"

namespace dmsg {

void DiscoveryServer::start(Host& host) {
  const sim::Status listening = host.listen(kPort);
  SIM_ASSERT_MSG(listening.ok(), "discovery cannot listen: {}", listening.ok() ? "" : listening.error().message);
  host.set_timer(kPurgePeriod, kPurgeTimer, 0);
}

void DiscoveryServer::on_timer(Host& host, uint64_t timer_id) {
  SIM_ASSERT_EQ(timer_id, kPurgeTimer);
  store_.purge_expired(host.wall_now());
  host.set_timer(kPurgePeriod, kPurgeTimer, 0);
}

void DiscoveryServer::on_conn_event(Host& host, const ConnEvent& event) {
  using Kind = ConnEvent::Kind;
  if (event.kind == Kind::kIncoming) {
    while (std::optional<ConnId> conn = host.accept(event.port)) conns_[*conn] = FramedConn{*conn, true, {}, {}};
    return;
  }
  auto it = conns_.find(event.conn);
  if (it == conns_.end()) return;
  switch (event.kind) {
    case Kind::kReadable:
    case Kind::kPeerClosed: {
      const bool healthy = serve(host, it->second);
      if (!healthy || event.kind == Kind::kPeerClosed) {
        host.close(event.conn);
        conns_.erase(it);
      }
      return;
    }
    case Kind::kWritable:
      it->second.flush(host);
      return;
    case Kind::kFailed:
    case Kind::kClosed:
      host.close(event.conn);
      conns_.erase(it);
      return;
    default:
      return;
  }
}

bool DiscoveryServer::serve(Host& host, FramedConn& conn) {
  bool broken = false;
  for (const sim::Bytes& body : conn.receive(host, broken)) {
    const DiscoveryResponse response = answer(store_, body, host.wall_now());
    ++requests_answered_;
    if (response.status != Status::kOk) {
      host.log(sim::LogLevel::kDebug, "discovery",
               fmt::format("request {}: {} ({})", response.id, describe(response.status), response.reason));
    }
    conn.send(host, encode_response(response));
  }
  if (broken) {
    // A length over the limit: the stream cannot be resynchronised. Only this connection
    // ends; everyone else is served as before.
    host.log(sim::LogLevel::kInfo, "discovery", "closing a connection that sent an oversized message");
    return false;
  }
  return true;
}

}  // namespace dmsg
