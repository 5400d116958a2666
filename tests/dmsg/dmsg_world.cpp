// Assembling dmsg test worlds.
#include "dmsg_world.h"

#include "scenarios/inputs.h"

namespace dmsg_test {

DmsgWorld::DmsgWorld(const WorldShape& shape) {
  world_ = std::make_unique<sim::World>(sim::WorldOptions{shape.seed, sim::Duration::milliseconds(1)}, registry());
  network_ = scenarios::spawn_network(*world_, scenarios::world_profile(*world_, shape.profile).value());
  scenarios::add_host<scenarios::DiscoveryNode>(*world_, network_, "discovery", net::TransportOptions{});
  for (int i = 0; i < shape.servers; ++i) {
    const std::string name = fmt::format("s{}", i);
    dmsg::ServerOptions options = shape.server_options;
    options.address = scenarios::server_address(name);
    options.port = scenarios::kServerPort;
    servers_.push_back(world_->next_actor_id());
    scenarios::add_host<scenarios::ServerNode>(*world_, network_, name, net::TransportOptions{},
                                               scenarios::node_identity(shape.seed, name), options);
  }
  world_->run_tick();
  run_for(sim::Duration::seconds(1));
  for (int i = 0; i < shape.clients; ++i) {
    const std::string name = fmt::format("c{}", i);
    clients_.push_back(world_->next_actor_id());
    scenarios::add_host<ProbeClient>(*world_, network_, name, net::TransportOptions{},
                                     scenarios::node_identity(shape.seed, name), shape.client_options);
  }
  world_->run_tick();
}

bool DmsgWorld::settle(sim::Duration limit) {
  return run_until(
      [&] {
        for (size_t i = 0; i < clients_.size(); ++i) {
          const dmsg::Client& c = client_state(static_cast<int>(i));
          if (c.delegated_servers().empty() || !c.published() || c.published()->empty()) return false;
        }
        return true;
      },
      limit);
}

void DmsgWorld::fault(const std::string& text) {
  const sim::Result<scenarios::FaultInput> input = scenarios::parse_fault("0s " + text);
  REQUIRE(input.ok());
  scenarios::apply_fault(*world_, network_, input.value());
}

uint32_t DmsgWorld::dial(int a, int b, uint16_t port) {
  uint32_t stream = 0;
  const dmsg::PublicKey pk = client_pk(b);
  act(a, [&](dmsg::Client& c, dmsg::Host& h) { stream = c.dial(h, pk, port); });
  return stream;
}

dmsg::ClientEvent DmsgWorld::await_dial(int a, uint32_t stream, sim::Duration limit) {
  const bool resolved = run_until([&] { return client(a).dialed(stream) != nullptr; }, limit);
  REQUIRE(resolved);
  return *client(a).dialed(stream);
}

}  // namespace dmsg_test
