// Translating between net/'s hosts and dmsg's host interface.
#include "scenarios/world/dmsg_host.h"

#include "net/network.h"
#include "sim/world.h"

namespace scenarios {
namespace {

dmsg::ConnFailure failure_of(net::FailReason reason) {
  switch (reason) {
    case net::FailReason::kNone:
      return dmsg::ConnFailure::kNone;
    case net::FailReason::kRefused:
      return dmsg::ConnFailure::kRefused;
    case net::FailReason::kTimedOut:
      return dmsg::ConnFailure::kTimedOut;
    case net::FailReason::kReset:
      return dmsg::ConnFailure::kReset;
  }
  SIM_UNREACHABLE("fail reason {}", static_cast<int>(reason));
}

dmsg::ConnEvent::Kind kind_of(net::TransportEvent::Kind kind) {
  using In = net::TransportEvent::Kind;
  using Out = dmsg::ConnEvent::Kind;
  switch (kind) {
    case In::kConnected:
      return Out::kConnected;
    case In::kIncoming:
      return Out::kIncoming;
    case In::kReadable:
      return Out::kReadable;
    case In::kWritable:
      return Out::kWritable;
    case In::kPeerClosed:
      return Out::kPeerClosed;
    case In::kFailed:
      return Out::kFailed;
    case In::kClosed:
      return Out::kClosed;
  }
  SIM_UNREACHABLE("transport event {}", static_cast<int>(kind));
}

}  // namespace

void DmsgNode::HostView::log(sim::LogLevel level, std::string_view component, std::string message) {
  ctx_->log(level, component, "{}", message);
}

std::optional<dmsg::ConnId> DmsgNode::HostView::connect(std::string_view address, uint16_t port) {
  const net::Network& network = ctx_->world().actor_as<net::Network>(node_->config().network);
  const std::optional<net::NodeAddress> to = network.find_node(address);
  if (!to) return std::nullopt;
  return node_->connect(*ctx_, *to, port);
}

void DmsgNode::on_transport_event(sim::Context& ctx, const net::TransportEvent& event) {
  on_dmsg_event(ctx, dmsg::ConnEvent{kind_of(event.kind), event.conn, event.port, failure_of(event.reason)});
}

}  // namespace scenarios
