// Wiring dmsg servers and clients to their network nodes.
#include "scenarios/world/dmsg_nodes.h"

#include "sim/fmt.h"

namespace scenarios {

std::string server_address(const std::string& node_name) { return fmt::format("{}:{}", node_name, kServerPort); }

dmsg::Identity node_identity(uint64_t seed, const std::string& name) {
  sim::Rng keys = sim::Rng::stream(seed, fmt::format("dmsg/identity/{}", name));
  return dmsg::Identity::generate(keys);
}

// --- Server ----------------------------------------------------------------------------------------

void ServerNode::on_app_start(sim::Context& ctx) {
  HostView h = host(ctx);
  server_.start(h);
}

void ServerNode::on_app_stop(sim::Context& ctx) {
  HostView h = host(ctx);
  server_.stop(h);
}

void ServerNode::on_dmsg_event(sim::Context& ctx, const dmsg::ConnEvent& event) {
  HostView h = host(ctx);
  server_.on_conn_event(h, event);
}

void ServerNode::on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) {
  HostView h = host(ctx);
  server_.on_timer(h, timer_id, arg);
}

// --- Client ----------------------------------------------------------------------------------------

void ClientNode::on_app_start(sim::Context& ctx) {
  HostView h = host(ctx);
  client_.start(h);
  on_workload_start(ctx);
  deliver(ctx);
}

void ClientNode::on_app_stop(sim::Context& ctx) {
  HostView h = host(ctx);
  client_.stop(h);
  deliver(ctx);
}

void ClientNode::on_dmsg_event(sim::Context& ctx, const dmsg::ConnEvent& event) {
  HostView h = host(ctx);
  client_.on_conn_event(h, event);
  deliver(ctx);
}

void ClientNode::on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) {
  if (timer_id >= kWorkloadTimerBase && timer_id < dmsg::DiscoveryClient::kTimerBase) {
    on_workload_timer(ctx, timer_id - kWorkloadTimerBase, arg);
  } else {
    HostView h = host(ctx);
    client_.on_timer(h, timer_id, arg);
  }
  deliver(ctx);
}

void ClientNode::deliver(sim::Context& ctx) {
  while (true) {
    std::vector<dmsg::ClientEvent> events = client_.take_events();
    if (events.empty()) return;
    for (const dmsg::ClientEvent& event : events) on_client_event(ctx, event);
  }
}

}  // namespace scenarios
