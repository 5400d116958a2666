// A scriptable host and small worlds for the net tests.
#pragma once

#include "net/host.h"
#include "net/network.h"
#include "net/profile.h"
#include "scenarios/run/actor_types.h"
#include "scenarios/workloads/pattern.h"
#include "scenarios/world/net_assembly.h"
#include "sim/world.h"

#include <memory>
#include <vector>

namespace test_net {

// A host whose application is the test: it records every transport event, optionally
// reads (and verifies) everything that arrives, and exposes the host API to the test.
class TestHost : public sim::ActorBase<TestHost, net::Host> {
 public:
  static constexpr std::string_view kTypeName = "test.host";

  struct Settings {
    uint16_t listen_port = 0;  // 0: does not listen
    bool auto_accept = true;
    bool auto_read = true;
    uint64_t recv_seed = 0;  // pattern expected from any peer
    template <class Visitor>
    void visit(Visitor& v) {
      v("listen_port", listen_port);
      v("auto_accept", auto_accept);
      v("auto_read", auto_read);
      v("recv_seed", recv_seed);
    }
  };

  struct Seen {
    sim::Instant at;
    net::TransportEvent::Kind kind = net::TransportEvent::Kind::kConnected;
    net::ConnId conn = 0;
    net::FailReason reason = net::FailReason::kNone;
    template <class Visitor>
    void visit(Visitor& v) {
      v("at", at);
      v("kind", kind);
      v("conn", conn);
      v("reason", reason);
    }
  };

  TestHost() = default;
  TestHost(const net::HostConfig& config, sim::Rng rng, const Settings& settings)
      : ActorBase(config, rng), settings_(settings) {}

  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override {
    return std::make_unique<TestHost>(config, rng, settings_);
  }

  // The host API, for the test to call with a context of this host.
  net::ConnId do_connect(sim::Context& ctx, net::NodeAddress dst, uint16_t port) { return connect(ctx, dst, port); }
  size_t do_write(sim::Context& ctx, net::ConnId id, const sim::Bytes& data) {
    return write(ctx, id, data.data(), data.size());
  }
  // Writes the next `size` bytes of this host's pattern on `id`; returns how many it took.
  // Only what fits, and one byte more, is generated (tests call this every tick on full
  // buffers); the extra byte makes a full buffer register the writer for kWritable.
  size_t write_pattern(sim::Context& ctx, net::ConnId id, uint64_t seed, uint64_t offset, size_t size) {
    const net::Connection& c = transport().connection(id);
    const size_t offer = std::min(size, c.send_buffer_free(transport().options()) + 1);
    sim::Bytes data(offer);
    scenarios::pattern_fill(seed, offset, data.data(), offer);
    return write(ctx, id, data.data(), offer);
  }
  size_t drain(sim::Context& ctx, net::ConnId id);
  void do_shutdown(sim::Context& ctx, net::ConnId id) { shutdown(ctx, id); }
  void do_close(sim::Context& ctx, net::ConnId id) { close(ctx, id); }
  void set_auto_read(bool on) { settings_.auto_read = on; }

  // The first event of each kind on each connection, in order.
  const std::vector<Seen>& seen() const { return seen_; }
  const std::vector<net::ConnId>& accepted() const { return accepted_; }
  uint64_t bytes_read() const { return bytes_read_; }
  const scenarios::PatternVerifier& verifier() const { return verifier_; }
  // The first event of `kind` on `conn` (any connection when conn == 0).
  std::optional<Seen> first(net::TransportEvent::Kind kind, net::ConnId conn = 0) const;

  template <class Visitor>
  void visit(Visitor& v) {
    visit_host(v);
    v("settings", settings_);
    v("seen", seen_);
    v("accepted", accepted_);
    v("bytes_read", bytes_read_);
    v("verifier", verifier_);
  }

 protected:
  void on_app_start(sim::Context& ctx) override;
  void on_transport_event(sim::Context& ctx, const net::TransportEvent& event) override;
  void on_app_timer(sim::Context&, uint64_t, uint64_t) override {}

 private:
  Settings settings_;
  std::vector<Seen> seen_;
  std::vector<net::ConnId> accepted_;
  uint64_t bytes_read_ = 0;
  scenarios::PatternVerifier verifier_;
};

const sim::ActorRegistry& registry();

// A world with a network of the given profile and `count` TestHosts named h0, h1, ...
struct TwoNodes {
  std::unique_ptr<sim::World> world;
  sim::ActorId network;
  std::vector<sim::ActorId> hosts;
  std::vector<net::NodeAddress> addresses;

  TestHost& host(size_t i) { return world->mutate<TestHost>(hosts[i]); }
  const TestHost& view(size_t i) const { return world->actor_as<TestHost>(hosts[i]); }
  sim::Context ctx(size_t i) { return world->context_for(hosts[i]); }
  const net::Network& network_view() const { return world->actor_as<net::Network>(network); }
};

TwoNodes make_nodes(uint64_t seed, const net::FaultProfile& profile, const std::vector<TestHost::Settings>& settings,
                    const net::TransportOptions& transport = {});

net::FaultProfile named_profile(const char* name);

}  // namespace test_net
