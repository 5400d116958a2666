// The scriptable test host and its worlds.
#include "tests/net/net_fixture.h"

#include "sim/fmt.h"

namespace test_net {

void TestHost::on_app_start(sim::Context& ctx) {
  verifier_.seed = settings_.recv_seed;
  if (settings_.listen_port != 0) {
    const sim::Status listening = listen(ctx, settings_.listen_port);
    SIM_ASSERT(listening.ok());
  }
}

size_t TestHost::drain(sim::Context& ctx, net::ConnId id) {
  size_t total = 0;
  uint8_t buffer[8192];
  while (size_t got = read(ctx, id, buffer, sizeof buffer)) {
    verifier_.check(buffer, got);
    total += got;
  }
  bytes_read_ += total;
  return total;
}

void TestHost::on_transport_event(sim::Context& ctx, const net::TransportEvent& event) {
  // Tests ask for the first event of a kind on a connection; keeping only those keeps
  // this host's state (hashed every tick it changes) small.
  if (!first(event.kind, event.conn)) seen_.push_back(Seen{ctx.now(), event.kind, event.conn, event.reason});
  using Kind = net::TransportEvent::Kind;
  if (event.kind == Kind::kIncoming && settings_.auto_accept) {
    if (std::optional<net::ConnId> id = accept(ctx, event.port)) accepted_.push_back(*id);
  }
  if ((event.kind == Kind::kReadable || event.kind == Kind::kPeerClosed) && settings_.auto_read) drain(ctx, event.conn);
}

std::optional<TestHost::Seen> TestHost::first(net::TransportEvent::Kind kind, net::ConnId conn) const {
  for (const Seen& s : seen_) {
    if (s.kind == kind && (conn == 0 || s.conn == conn)) return s;
  }
  return std::nullopt;
}

const sim::ActorRegistry& registry() {
  static const sim::ActorRegistry r = [] {
    sim::ActorRegistry made;
    scenarios::register_actor_types(made);
    made.add<TestHost>();
    return made;
  }();
  return r;
}

TwoNodes make_nodes(uint64_t seed, const net::FaultProfile& profile, const std::vector<TestHost::Settings>& settings,
                    const net::TransportOptions& transport) {
  TwoNodes nodes;
  nodes.world = std::make_unique<sim::World>(sim::WorldOptions{seed, sim::Duration::milliseconds(1)}, registry());
  nodes.network = scenarios::spawn_network(*nodes.world, profile);
  for (size_t i = 0; i < settings.size(); ++i) {
    nodes.hosts.push_back(nodes.world->next_actor_id());
    nodes.addresses.push_back(
        scenarios::add_host<TestHost>(*nodes.world, nodes.network, fmt::format("h{}", i), transport, settings[i]));
  }
  nodes.world->run_tick();  // hosts start (and listen)
  return nodes;
}

net::FaultProfile named_profile(const char* name) {
  sim::Rng unused = sim::Rng::stream(0, "unused");
  return net::make_profile(name, unused).value();
}

}  // namespace test_net
