// A world with discovery, dmsg servers and recording clients, for the dmsg tests.
#pragma once

#include "scenarios/run/actor_types.h"
#include "scenarios/workloads/bulk_client.h"
#include "scenarios/world/discovery_node.h"
#include "scenarios/world/dmsg_assembly.h"
#include "sim/fmt.h"
#include "sim/world.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

namespace dmsg_test {

// `size` bytes of the pattern named by `seed`.
sim::Bytes pattern(uint64_t seed, size_t size);

// A client whose application is the test: it records every event and otherwise does what
// the test tells it through act().
class ProbeClient : public sim::ActorBase<ProbeClient, scenarios::ClientNode> {
 public:
  static constexpr std::string_view kTypeName = "test.dmsg_probe_client";

  ProbeClient() = default;
  ProbeClient(const net::HostConfig& config, sim::Rng rng, dmsg::Identity identity, dmsg::ClientOptions options)
      : ActorBase(config, rng, std::move(identity), std::move(options)) {}
  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override {
    return std::make_unique<ProbeClient>(config, rng, client().identity(), client().options());
  }

  const std::vector<dmsg::ClientEvent>& events() const { return events_; }
  // The kDialed event of a dial, if it came.
  const dmsg::ClientEvent* dialed(uint32_t stream) const {
    for (const auto& e : events_) {
      if (e.kind == dmsg::ClientEvent::Kind::kDialed && e.stream == stream) return &e;
    }
    return nullptr;
  }
  bool saw(dmsg::ClientEvent::Kind kind, uint32_t stream) const {
    for (const auto& e : events_) {
      if (e.kind == kind && e.stream == stream) return true;
    }
    return false;
  }

  template <class Visitor>
  void visit(Visitor& v) {
    visit_client_node(v);
    v("events", events_);
  }

 protected:
  void on_client_event(sim::Context&, const dmsg::ClientEvent& event) override { events_.push_back(event); }

 private:
  std::vector<dmsg::ClientEvent> events_;
};

inline const sim::ActorRegistry& registry() {
  static const sim::ActorRegistry r = [] {
    sim::ActorRegistry made;
    scenarios::register_actor_types(made);
    made.add<ProbeClient>();
    return made;
  }();
  return r;
}

struct WorldShape {
  uint64_t seed = 1;
  std::string profile = "calm";
  int servers = 1;
  int clients = 2;
  dmsg::ClientOptions client_options;
  dmsg::ServerOptions server_options;
};

// Discovery "discovery", servers "s0".., clients "c0"..; started at tick 0. Servers start
// first, clients a second later, so the clients' first look finds the servers.
class DmsgWorld {
 public:
  explicit DmsgWorld(const WorldShape& shape);

  sim::World& world() { return *world_; }
  sim::ActorId network() const { return network_; }
  ProbeClient& client(int i) { return world_->mutate<ProbeClient>(clients_.at(static_cast<size_t>(i))); }
  const dmsg::Client& client_state(int i) const {
    return world_->actor_as<ProbeClient>(clients_.at(static_cast<size_t>(i))).client();
  }
  const dmsg::Server& server(int i) const {
    return world_->actor_as<scenarios::ServerNode>(servers_.at(static_cast<size_t>(i))).server();
  }
  dmsg::PublicKey client_pk(int i) const { return client_state(i).identity().public_key(); }

  // Runs `f(client, host)` on client i, as its application.
  template <class F>
  void act(int i, F&& f) {
    sim::Context ctx = world_->context_for(clients_.at(static_cast<size_t>(i)));
    client(i).act(ctx, std::forward<F>(f));
  }
  // Runs until `done()` holds; false if it did not within `limit` of virtual time.
  template <class F>
  bool run_until(F&& done, sim::Duration limit) {
    const sim::Instant end = world_->now() + limit;
    while (!done()) {
      if (world_->now() >= end) return false;
      world_->run_tick();
    }
    return true;
  }
  void run_for(sim::Duration d) {
    const sim::Instant end = world_->now() + d;
    while (world_->now() < end) world_->run_tick();
  }
  // Until every client has at least one open session and its entry is posted.
  bool settle(sim::Duration limit = sim::Duration::seconds(30));
  // Adds a recording client named `name` with its own options; returns its index.
  int add_probe(const std::string& name, const dmsg::ClientOptions& options) {
    clients_.push_back(scenarios::add_client<ProbeClient>(*world_, network_, name, options));
    return static_cast<int>(clients_.size()) - 1;
  }
  // Stores `entry`, signed by `signer`, in discovery as if it had been posted now.
  void plant_entry(dmsg::Entry entry, const dmsg::Identity& signer);
  dmsg::PublicKey server_pk(int i) const { return server(i).identity().public_key(); }
  // Adds a bulk client named `name` (started at once).
  sim::ActorId add_bulk(const std::string& name, const scenarios::BulkSettings& settings,
                        const dmsg::ClientOptions& options = {}) {
    return scenarios::add_client<scenarios::BulkClient>(*world_, network_, name, options, settings);
  }
  const scenarios::BulkClient& bulk(sim::ActorId id) const { return world_->actor_as<scenarios::BulkClient>(id); }
  // The identity a node named `name` gets in this world.
  dmsg::PublicKey pk_of(const std::string& name) const {
    return scenarios::node_identity(world_->seed(), name).public_key();
  }
  // Applies a fault input ("kill s0", "restart s0", ...) now.
  void fault(const std::string& text);

  // A dial from client a to client b's port; returns the stream handle once resolved.
  uint32_t dial(int a, int b, uint16_t port);
  dmsg::ClientEvent await_dial(int a, uint32_t stream, sim::Duration limit = sim::Duration::seconds(25));
  // An open stream from a to b:port (b listens on it already): (a's handle, b's handle).
  std::pair<uint32_t, uint32_t> open_stream(int a, int b, uint16_t port);
  // Writes all of `bytes` on a stream (running the world while it waits for room).
  void write_all(int i, uint32_t stream, const sim::Bytes& bytes, sim::Duration limit = sim::Duration::seconds(10));
  // Writes pattern `seed` on a stream until writes take nothing, even after the windows had
  // time to reopen (three refusals 200 ms apart); returns the bytes written.
  uint64_t write_until_refused(int i, uint32_t stream, uint64_t seed);
  // Reads until `size` bytes came (or the stream ended or broke); returns them.
  sim::Bytes read_exactly(int i, uint32_t stream, size_t size, sim::Duration limit = sim::Duration::seconds(10));
  // Reads what is there now; `state` is the last read's.
  sim::Bytes read_now(int i, uint32_t stream, dmsg::ReadResult::State* state = nullptr);

 private:
  std::unique_ptr<sim::World> world_;
  sim::ActorId network_{};
  sim::ActorId discovery_{};
  std::vector<sim::ActorId> servers_;
  std::vector<sim::ActorId> clients_;
};

}  // namespace dmsg_test
