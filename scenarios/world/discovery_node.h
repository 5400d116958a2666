// The discovery service as a node of the virtual network.
#pragma once

#include "dmsg/discovery_server.h"
#include "scenarios/world/dmsg_host.h"

namespace scenarios {

class DiscoveryNode : public sim::ActorBase<DiscoveryNode, DmsgNode> {
 public:
  static constexpr std::string_view kTypeName = "scenarios.discovery";

  DiscoveryNode() = default;
  DiscoveryNode(const net::HostConfig& config, sim::Rng rng) : ActorBase(config, rng) {}

  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override {
    return std::make_unique<DiscoveryNode>(config, rng);
  }
  const dmsg::DiscoveryServer& server() const { return server_; }
  dmsg::DiscoveryServer& mutable_server() { return server_; }

  template <class Visitor>
  void visit(Visitor& v) {
    visit_host(v);
    v("server", server_);
  }

 protected:
  void on_app_start(sim::Context& ctx) override {
    HostView h = host(ctx);
    server_.start(h);
  }
  void on_dmsg_event(sim::Context& ctx, const dmsg::ConnEvent& event) override {
    HostView h = host(ctx);
    server_.on_conn_event(h, event);
  }
  void on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t) override {
    HostView h = host(ctx);
    server_.on_timer(h, timer_id);
  }

 private:
  dmsg::DiscoveryServer server_;
};

}  // namespace scenarios
