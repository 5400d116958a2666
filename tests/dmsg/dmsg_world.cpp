// Assembling dmsg test worlds.
#include "dmsg_world.h"

#include "scenarios/workloads/pattern.h"
#include "scenarios/world/inputs.h"

namespace dmsg_test {

sim::Bytes pattern(uint64_t seed, size_t size) {
  sim::Bytes bytes(size);
  scenarios::pattern_fill(seed, 0, bytes.data(), size);
  return bytes;
}

uint64_t DmsgWorld::write_until_refused(int i, uint32_t stream, uint64_t seed) {
  uint64_t written = 0;
  int refused_in_a_row = 0;
  sim::Bytes chunk(16384);
  const bool blocked = run_until(
      [&] {
        size_t took = 0;
        act(i, [&](dmsg::Client& c, dmsg::Host& h) {
          scenarios::pattern_fill(seed, written, chunk.data(), chunk.size());
          took = c.write(h, stream, chunk.data(), chunk.size());
        });
        written += took;
        refused_in_a_row = took > 0 ? 0 : refused_in_a_row + 1;
        if (took == 0) run_for(sim::Duration::milliseconds(200));
        return refused_in_a_row == 3;
      },
      sim::Duration::seconds(10));
  REQUIRE(blocked);
  return written;
}

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

std::pair<uint32_t, uint32_t> DmsgWorld::open_stream(int a, int b, uint16_t port) {
  const uint32_t dialed = dial(a, b, port);
  const dmsg::ClientEvent outcome = await_dial(a, dialed);
  INFO("dial: " << static_cast<int>(outcome.error) << " " << outcome.reason);
  REQUIRE(outcome.error == dmsg::ErrorCode::kOk);
  std::optional<uint32_t> accepted;
  const bool arrived = run_until(
      [&] {
        act(b, [&](dmsg::Client& c, dmsg::Host&) { accepted = c.accept(port); });
        return accepted.has_value();
      },
      sim::Duration::seconds(5));
  REQUIRE(arrived);
  return {dialed, *accepted};
}

void DmsgWorld::write_all(int i, uint32_t stream, const sim::Bytes& bytes, sim::Duration limit) {
  size_t done = 0;
  const bool written = run_until(
      [&] {
        act(i, [&](dmsg::Client& c, dmsg::Host& h) {
          done += c.write(h, stream, bytes.data() + done, bytes.size() - done);
        });
        return done == bytes.size();
      },
      limit);
  REQUIRE(written);
}

sim::Bytes DmsgWorld::read_now(int i, uint32_t stream, dmsg::ReadResult::State* state) {
  sim::Bytes got;
  act(i, [&](dmsg::Client& c, dmsg::Host& h) {
    uint8_t buffer[16384];
    while (true) {
      const dmsg::ReadResult r = c.read(h, stream, buffer, sizeof buffer);
      if (state) *state = r.state;
      if (r.state != dmsg::ReadResult::State::kData) break;
      got.insert(got.end(), buffer, buffer + r.bytes);
    }
  });
  return got;
}

sim::Bytes DmsgWorld::read_exactly(int i, uint32_t stream, size_t size, sim::Duration limit) {
  sim::Bytes got;
  dmsg::ReadResult::State state = dmsg::ReadResult::State::kWouldBlock;
  run_until(
      [&] {
        const sim::Bytes more = read_now(i, stream, &state);
        got.insert(got.end(), more.begin(), more.end());
        return got.size() >= size || state == dmsg::ReadResult::State::kEnd ||
               state == dmsg::ReadResult::State::kBroken || state == dmsg::ReadResult::State::kUnknown;
      },
      limit);
  return got;
}

}  // namespace dmsg_test
