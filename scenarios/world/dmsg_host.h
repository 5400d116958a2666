// The dmsg host on net/: what dmsg entities running on a network node see of the world.
#pragma once

#include "dmsg/host.h"
#include "net/host.h"

namespace scenarios {

// A network node that runs dmsg entities. Its subclasses hand their entities `host(ctx)`,
// a dmsg::Host valid for the current handler, and receive connection events already
// translated into dmsg's terms. Addresses are network node names.
class DmsgNode : public net::Host {
 protected:
  using net::Host::Host;

  // A view of this node as dmsg::Host for the handler that owns `ctx`; never stored.
  class HostView : public dmsg::Host {
   public:
    HostView(DmsgNode& node, sim::Context& ctx) : node_(&node), ctx_(&ctx) {}
    sim::Instant now() override { return ctx_->now(); }
    sim::Instant wall_now() override { return node_->wall_now(*ctx_); }
    sim::Rng& rng() override { return node_->rng(); }
    void log(sim::LogLevel level, std::string_view component, std::string message) override;
    sim::Event set_timer(sim::Duration delay, uint64_t timer_id, uint64_t arg) override {
      return node_->set_timer(*ctx_, delay, timer_id, arg);
    }
    void cancel_timer(const sim::Event& timer) override { node_->cancel_timer(*ctx_, timer); }
    std::optional<dmsg::ConnId> connect(std::string_view address, uint16_t port) override;
    sim::Status listen(uint16_t port) override { return node_->listen(*ctx_, port); }
    void unlisten(uint16_t port) override { node_->unlisten(*ctx_, port); }
    std::optional<dmsg::ConnId> accept(uint16_t port) override { return node_->accept(*ctx_, port); }
    size_t write(dmsg::ConnId conn, const uint8_t* data, size_t size) override {
      return node_->write(*ctx_, conn, data, size);
    }
    size_t read(dmsg::ConnId conn, uint8_t* out, size_t size) override { return node_->read(*ctx_, conn, out, size); }
    void shutdown(dmsg::ConnId conn) override { node_->shutdown(*ctx_, conn); }
    void close(dmsg::ConnId conn) override { node_->close(*ctx_, conn); }

   private:
    DmsgNode* node_;
    sim::Context* ctx_;
  };

  HostView host(sim::Context& ctx) { return HostView(*this, ctx); }

  // Connection events for dmsg entities.
  virtual void on_dmsg_event(sim::Context& ctx, const dmsg::ConnEvent& event) = 0;

 private:
  void on_transport_event(sim::Context& ctx, const net::TransportEvent& event) final;
};

}  // namespace scenarios
