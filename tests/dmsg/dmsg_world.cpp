// Assembling dmsg test worlds.
#include "dmsg_world.h"

#include "scenarios/inputs.h"

namespace dmsg_test {

DmsgWorld::DmsgWorld(const WorldShape& shape) {
  world_ = std::make_unique<sim::World>(sim::WorldOptions{shape.seed, sim::Duration::milliseconds(1)}, registry());
  const scenarios::DmsgCluster cluster = scenarios::spawn_dmsg_cluster(
      *world_, scenarios::world_profile(*world_, shape.profile).value(), shape.servers, shape.server_options);
  network_ = cluster.network;
  discovery_ = cluster.discovery;
  servers_ = cluster.servers;
  world_->run_tick();
  run_for(sim::Duration::seconds(1));
  for (int i = 0; i < shape.clients; ++i) {
    clients_.push_back(
        scenarios::add_client<ProbeClient>(*world_, network_, fmt::format("c{}", i), shape.client_options));
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

void DmsgWorld::plant_entry(dmsg::Entry entry, const dmsg::Identity& signer) {
  entry.static_pk = signer.public_key();
  entry.timestamp = world_->now().ns();
  dmsg::sign_entry(entry, signer);
  auto& discovery = world_->mutate<scenarios::DiscoveryNode>(discovery_).mutable_server().mutable_store();
  const dmsg::StoreOutcome outcome = discovery.post(entry, world_->now());
  REQUIRE(outcome.status == dmsg::Status::kOk);
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
