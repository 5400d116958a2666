// dmsg servers and clients as nodes of the virtual network.
#pragma once

#include "dmsg/client.h"
#include "dmsg/server.h"
#include "scenarios/world/dmsg_host.h"

#include <memory>
#include <string>

namespace scenarios {

// The port servers listen on in the simulation, and the address they publish.
constexpr uint16_t kServerPort = 8081;
std::string server_address(const std::string& node_name);

// An identity made from a seed and a name, the same in every incarnation of its node.
dmsg::Identity node_identity(uint64_t seed, const std::string& name);

class ServerNode : public sim::ActorBase<ServerNode, DmsgNode> {
 public:
  static constexpr std::string_view kTypeName = "scenarios.dmsg_server";

  ServerNode() = default;
  ServerNode(const net::HostConfig& config, sim::Rng rng, dmsg::Identity identity, dmsg::ServerOptions options)
      : ActorBase(config, rng), server_(std::move(identity), std::move(options)) {}

  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override {
    return std::make_unique<ServerNode>(config, rng, server_.identity(), server_.options());
  }
  const dmsg::Server& server() const { return server_; }

  template <class Visitor>
  void visit(Visitor& v) {
    visit_host(v);
    v("server", server_);
  }

 protected:
  void on_app_start(sim::Context& ctx) override;
  void on_app_stop(sim::Context& ctx) override;
  void on_dmsg_event(sim::Context& ctx, const dmsg::ConnEvent& event) override;
  void on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) override;

 private:
  dmsg::Server server_;
};

// A node running a dmsg client and an application (a workload) on top of it. Subclasses
// are the applications: they get every client event, and timers of their own from
// kWorkloadTimerBase up.
class ClientNode : public DmsgNode {
 public:
  static constexpr uint64_t kWorkloadTimerBase = 1000;

  const dmsg::Client& client() const { return client_; }
  // Runs `f(client, host)` as this node's application would, from outside its handlers
  // (tests, drivers); client events it causes are delivered before it returns.
  template <class F>
  void act(sim::Context& ctx, F&& f) {
    as_app(ctx, [&] {
      HostView h = host(ctx);
      f(client_, static_cast<dmsg::Host&>(h));
      deliver(ctx);
    });
  }

 protected:
  ClientNode() = default;
  ClientNode(const net::HostConfig& config, sim::Rng rng, dmsg::Identity identity, dmsg::ClientOptions options)
      : DmsgNode(config, rng), client_(std::move(identity), std::move(options)) {}

  // The application.
  virtual void on_client_event(sim::Context& ctx, const dmsg::ClientEvent& event) = 0;
  virtual void on_workload_start(sim::Context&) {}
  virtual void on_workload_timer(sim::Context&, uint64_t, uint64_t) {}

  dmsg::Client& mutable_client() { return client_; }
  sim::Event set_workload_timer(sim::Context& ctx, sim::Duration delay, uint64_t timer_id, uint64_t arg = 0) {
    return set_timer(ctx, delay, kWorkloadTimerBase + timer_id, arg);
  }

  template <class Visitor>
  void visit_client_node(Visitor& v) {
    visit_host(v);
    v("client", client_);
  }

  void on_app_start(sim::Context& ctx) final;
  void on_app_stop(sim::Context& ctx) final;
  void on_dmsg_event(sim::Context& ctx, const dmsg::ConnEvent& event) final;
  void on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) final;

 private:
  // Hands the client's events to the application until there are none.
  void deliver(sim::Context& ctx);

  dmsg::Client client_;
};

}  // namespace scenarios
