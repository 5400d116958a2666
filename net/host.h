// A node of the virtual network: its transport, and the application that runs on it.
#pragma once

#include "net/segment.h"
#include "net/transport.h"
#include "sim/actor.h"
#include "sim/context.h"

#include <map>

namespace net {

struct HostConfig {
  NodeAddress address{};
  /// The Network actor this host sends through.
  sim::ActorId network{};
  TransportOptions transport;
  /// False for a host whose process was killed (or that was restarted into a crash): no
  /// application runs; the transport finishes the closes and answers the rest with RST.
  bool process_up = true;

  template <class Visitor>
  void visit(Visitor& v) {
    v("address", address);
    v("network", network);
    v("transport", transport);
    v("process_up", process_up);
  }
};

// The abstract actor of every network node. It owns the node's Transport, hands the
// segments it produces to the Network, keeps one scheduled timer per connection, and
// passes transport events and timers to the application a subclass implements. Its
// protected methods are the application's whole view of the network: an application
// never touches the Network or another actor.
class Host : public sim::Actor {
 public:
  enum EventKind : uint32_t { kConnTimer = 1, kAppTimer = 2 };
  static constexpr char kInterfaceTag = 0;  // World::mutate_as<Host>

  void on_start(sim::Context& ctx) final;
  void on_event(sim::Context& ctx, const sim::Event& event) final;
  // Called by the Network for each packet that reaches this node.
  void on_packet(sim::Context& ctx, const Packet& packet);

  NodeAddress address() const { return config_.address; }
  const HostConfig& config() const { return config_; }
  // A new host of the same kind and application settings, with fresh state: what a
  // restart (or a crash or kill, with the process down) puts in this host's place.
  virtual std::unique_ptr<Host> make_fresh(const HostConfig& config, sim::Rng rng) const = 0;
  bool is_process_up() const { return config_.process_up; }
  const Transport& transport() const { return transport_; }
  // A process kill: the application is gone at once; the kernel closes what it had open
  // (see Transport::close_all_for_dead_process) and keeps those closes going, and answers
  // anything else with RST, until a restart replaces the host.
  void kill_process(sim::Context& ctx);
  // Asks the application to stop gracefully (what that means is its own: a dmsg server
  // says go-away and closes its sessions). Nothing happens on a host whose process is down.
  void stop_app(sim::Context& ctx);
  // Runs `f` as the application would run a handler: transport events it causes are
  // delivered after it returns, never into the middle of it. For callers outside the
  // host's own handlers (tests, drivers).
  template <class F>
  void as_app(sim::Context& ctx, F&& f) {
    const bool outer = flushing_;
    flushing_ = true;
    f();
    flushing_ = outer;
    flush(ctx);
  }

 protected:
  Host() : Actor(&kInterfaceTag) {}
  Host(const HostConfig& config, sim::Rng rng);

  virtual void on_app_start(sim::Context& ctx) = 0;
  virtual void on_transport_event(sim::Context& ctx, const TransportEvent& event) = 0;
  virtual void on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t arg) = 0;
  virtual void on_app_stop(sim::Context&) {}

  // --- The application's view -------------------------------------------------------------------
  // This node's wall clock: virtual time plus the node's clock offset.
  sim::Instant wall_now(sim::Context& ctx) const;
  sim::Status listen(sim::Context& ctx, uint16_t port);
  void unlisten(sim::Context& ctx, uint16_t port);
  ConnId connect(sim::Context& ctx, NodeAddress dst, uint16_t port);
  std::optional<ConnId> accept(sim::Context& ctx, uint16_t port);
  size_t write(sim::Context& ctx, ConnId id, const uint8_t* data, size_t size);
  // Bytes a write on `id` would take now (free room in its send buffer).
  size_t writable_bytes(ConnId id) const;
  size_t read(sim::Context& ctx, ConnId id, uint8_t* out, size_t size);
  void shutdown(sim::Context& ctx, ConnId id);
  void close(sim::Context& ctx, ConnId id);
  void abort(sim::Context& ctx, ConnId id);
  sim::Event set_timer(sim::Context& ctx, sim::Duration delay, uint64_t timer_id, uint64_t arg = 0);
  void cancel_timer(sim::Context& ctx, const sim::Event& timer);
  sim::Rng& rng() { return rng_; }

  // Subclasses list these fields first in their visit().
  template <class Visitor>
  void visit_host(Visitor& v) {
    v("config", config_);
    v("rng", rng_);
    v("transport", transport_);
    v("conn_timers", conn_timers_);
  }

 private:
  void flush(sim::Context& ctx);
  void reconcile_timers(sim::Context& ctx, const std::vector<ConnId>& touched);
  void on_conn_timer(sim::Context& ctx, const sim::Event& event);
  void send(sim::Context& ctx, Outgoing&& out);

  HostConfig config_;
  sim::Rng rng_;
  Transport transport_;
  // The one scheduled timer of each connection; it fires at or before the deadline.
  std::map<ConnId, sim::Event> conn_timers_;
  // Inside flush() or an application handler: nested calls leave their effects to the
  // outer flush, so the application is never re-entered.
  bool flushing_ = false;
  // What flush() drains from the transport: storage kept between drains, never state
  // (empty whenever a handler returns).
  struct Drained {
    std::vector<Outgoing> outgoing;
    std::vector<ConnId> touched;
    std::vector<TransportEvent> events;
  } drained_;
};

}  // namespace net
