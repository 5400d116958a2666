// Discovery over the virtual network: endpoints, lossy links, hostile requests, retries.
#include "dmsg/discovery_client.h"
#include "dmsg/discovery_protocol.h"
#include "net/network.h"
#include "net/node_faults.h"
#include "scenarios/run/actor_types.h"
#include "scenarios/world/discovery_node.h"
#include "scenarios/world/inputs.h"
#include "scenarios/world/net_assembly.h"
#include "sim/fmt.h"
#include "sim/world.h"

#include <catch2/catch.hpp>

namespace {

using dmsg::Status;

// A node whose application is the test: a discovery client, plus a raw connection for
// sending hostile bytes.
class DiscoveryProbe : public sim::ActorBase<DiscoveryProbe, scenarios::DmsgNode> {
 public:
  static constexpr std::string_view kTypeName = "test.discovery_probe";

  DiscoveryProbe() = default;
  DiscoveryProbe(const net::HostConfig& config, sim::Rng rng, uint64_t identity_seed)
      : ActorBase(config, rng), identity_seed_(identity_seed) {
    sim::Rng keys = sim::Rng::stream(identity_seed, "test/probe/identity");
    client_ = dmsg::DiscoveryClient("discovery", dmsg::Identity::generate(keys));
  }
  std::unique_ptr<net::Host> make_fresh(const net::HostConfig& config, sim::Rng rng) const override {
    return std::make_unique<DiscoveryProbe>(config, rng, identity_seed_);
  }

  dmsg::DiscoveryClient& client() { return client_; }
  HostView view(sim::Context& ctx) { return host(ctx); }
  const std::vector<dmsg::DiscoveryResult>& results() const { return results_; }
  const dmsg::DiscoveryResult* result(uint32_t id) const {
    for (const auto& r : results_) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }
  dmsg::PublicKey public_key() const {
    sim::Rng keys = sim::Rng::stream(identity_seed_, "test/probe/identity");
    return dmsg::Identity::generate(keys).public_key();
  }
  // Opens a raw connection to discovery and writes `bytes` on it.
  void send_raw(sim::Context& ctx, const sim::Bytes& bytes) {
    const auto& network = ctx.world().actor_as<net::Network>(config().network);
    raw_ = connect(ctx, *network.find_node("discovery"), dmsg::DiscoveryServer::kPort);
    raw_pending_ = bytes;
  }
  const std::vector<dmsg::DiscoveryResponse>& raw_responses() const { return raw_responses_; }
  bool raw_closed() const { return raw_closed_; }

  template <class Visitor>
  void visit(Visitor& v) {
    visit_host(v);
    v("identity_seed", identity_seed_);
    v("client", client_);
    v("results", results_);
    v("raw", raw_);
    v("raw_pending", raw_pending_);
    v("raw_in", raw_in_);
    v("raw_closed", raw_closed_);
  }

 protected:
  void on_app_start(sim::Context&) override {}
  void on_dmsg_event(sim::Context& ctx, const dmsg::ConnEvent& event) override {
    HostView h = host(ctx);
    if (raw_ && event.conn == *raw_) {
      on_raw_event(ctx, event);
      return;
    }
    client_.on_conn_event(h, event);
    collect();
  }
  void on_app_timer(sim::Context& ctx, uint64_t timer_id, uint64_t) override {
    HostView h = host(ctx);
    client_.on_timer(h, timer_id);
    collect();
  }

 private:
  void collect() {
    for (auto& r : client_.take_results()) results_.push_back(std::move(r));
  }
  void on_raw_event(sim::Context& ctx, const dmsg::ConnEvent& event) {
    using Kind = dmsg::ConnEvent::Kind;
    if (event.kind == Kind::kConnected) {
      write(ctx, *raw_, raw_pending_.data(), raw_pending_.size());
    } else if (event.kind == Kind::kReadable || event.kind == Kind::kPeerClosed) {
      uint8_t buffer[4096];
      while (size_t got = read(ctx, *raw_, buffer, sizeof buffer)) raw_in_.insert(raw_in_.end(), buffer, buffer + got);
      size_t consumed = 0;
      bool too_large = false;
      while (auto body = dmsg::take_message(raw_in_.data(), raw_in_.size(), consumed, too_large)) {
        raw_responses_.push_back(dmsg::decode_response_body(*body).value());
        raw_in_.erase(raw_in_.begin(), raw_in_.begin() + static_cast<std::ptrdiff_t>(consumed));
      }
      if (event.kind == Kind::kPeerClosed) raw_closed_ = true;
    } else if (event.kind == Kind::kFailed || event.kind == Kind::kClosed) {
      raw_closed_ = true;
    }
  }

  uint64_t identity_seed_ = 0;
  dmsg::DiscoveryClient client_;
  std::vector<dmsg::DiscoveryResult> results_;
  std::optional<dmsg::ConnId> raw_;
  sim::Bytes raw_pending_;
  sim::Bytes raw_in_;
  bool raw_closed_ = false;
  // Not state: decoded from raw_in_ as it arrives, for the test to read.
  std::vector<dmsg::DiscoveryResponse> raw_responses_;
};

const sim::ActorRegistry& registry() {
  static const sim::ActorRegistry r = [] {
    sim::ActorRegistry made;
    scenarios::register_actor_types(made);
    made.add<DiscoveryProbe>();
    return made;
  }();
  return r;
}

struct Fixture {
  std::unique_ptr<sim::World> world;
  sim::ActorId network;
  std::vector<sim::ActorId> probes;

  Fixture(uint64_t seed, const char* profile, size_t probe_count) {
    world = std::make_unique<sim::World>(sim::WorldOptions{seed, sim::Duration::milliseconds(1)}, registry());
    network = scenarios::spawn_network(*world, scenarios::world_profile(*world, profile).value());
    scenarios::add_host<scenarios::DiscoveryNode>(*world, network, "discovery", net::TransportOptions{});
    for (size_t i = 0; i < probe_count; ++i) {
      probes.push_back(world->next_actor_id());
      scenarios::add_host<DiscoveryProbe>(*world, network, fmt::format("p{}", i), net::TransportOptions{}, 1000 + i);
    }
    world->run_tick();
  }
  DiscoveryProbe& probe(size_t i) { return world->mutate<DiscoveryProbe>(probes[i]); }
  // Issues a request from probe i through its client.
  template <class F>
  uint32_t request(size_t i, F&& f) {
    sim::Context ctx = world->context_for(probes[i]);
    auto view = probe(i).view(ctx);
    return f(probe(i).client(), view);
  }
  const dmsg::DiscoveryResult& await(size_t i, uint32_t id, uint64_t max_ticks = 30'000) {
    world->run_until([&](const sim::World&) { return probe(i).result(id) != nullptr; }, max_ticks);
    const dmsg::DiscoveryResult* r = probe(i).result(id);
    REQUIRE(r != nullptr);
    return *r;
  }
};

dmsg::Entry server_part(const std::string& address, int32_t available, int64_t timestamp) {
  dmsg::Entry e;
  e.timestamp = timestamp;
  e.server = dmsg::ServerPart{address, available};
  return e;
}

dmsg::Entry client_part(int64_t timestamp) {
  dmsg::Entry e;
  e.timestamp = timestamp;
  e.client = dmsg::ClientPart{};
  return e;
}

}  // namespace

TEST_CASE("dmsg: discovery: every endpoint answers over the network") {
  Fixture f(1, "calm", 2);
  const int64_t now = f.world->now().ns();
  const auto& posted =
      f.await(0, f.request(0, [&](auto& c, auto& h) { return c.post_entry(h, server_part("p0", 5, now)); }));
  CHECK(posted.ok());
  dmsg::Entry client_entry;
  client_entry.timestamp = now;
  client_entry.client = dmsg::ClientPart{{f.probe(0).public_key()}};
  CHECK(f.await(1, f.request(1, [&](auto& c, auto& h) { return c.post_entry(h, client_entry); })).ok());

  const dmsg::PublicKey server_pk = f.probe(0).public_key();
  const auto& got = f.await(1, f.request(1, [&](auto& c, auto& h) { return c.get_entry(h, server_pk); }));
  REQUIRE(got.ok());
  CHECK(got.entry->server->address == "p0");
  const auto& available = f.await(1, f.request(1, [](auto& c, auto& h) { return c.available_servers(h); }));
  REQUIRE(available.ok());
  REQUIRE(available.entries.size() == 1);
  CHECK(available.entries[0].static_pk == server_pk);
  CHECK(f.await(1, f.request(1, [](auto& c, auto& h) { return c.all_servers(h); })).entries.size() == 1);
  CHECK(f.await(1, f.request(1, [](auto& c, auto& h) { return c.delete_entry(h); })).ok());
  const dmsg::PublicKey client_pk = f.probe(1).public_key();
  const auto& gone = f.await(0, f.request(0, [&](auto& c, auto& h) { return c.get_entry(h, client_pk); }));
  CHECK(gone.status == Status::kNotFound);
}

TEST_CASE("dmsg: discovery: under the lossy profile every request is answered") {
  for (uint64_t seed : {2ULL, 3ULL, 4ULL}) {
    INFO("seed " << seed);
    Fixture f(seed, "lossy", 3);
    std::vector<std::pair<size_t, uint32_t>> issued;
    for (size_t i = 0; i < 3; ++i) {
      const dmsg::Entry entry = client_part(f.world->now().ns());
      issued.emplace_back(i, f.request(i, [&](auto& c, auto& h) { return c.post_entry(h, entry); }));
      for (int k = 0; k < 10; ++k) {
        const dmsg::PublicKey pk = f.probe((i + 1) % 3).public_key();
        issued.emplace_back(i, f.request(i, [&](auto& c, auto& h) { return c.get_entry(h, pk); }));
        issued.emplace_back(i, f.request(i, [](auto& c, auto& h) { return c.all_servers(h); }));
      }
    }
    for (const auto& [probe, id] : issued) {
      const dmsg::DiscoveryResult& r = f.await(probe, id);
      CHECK(r.outcome == dmsg::DiscoveryResult::Outcome::kAnswered);
    }
  }
}

TEST_CASE("dmsg: discovery: malformed requests get error statuses and others are still served") {
  Fixture f(5, "calm", 2);
  sim::Bytes garbage;
  dmsg::frame_message(sim::Bytes{1, 2}, garbage);                                   // too short for a request
  dmsg::frame_message(dmsg::encode_request({dmsg::Endpoint{99}, 7, {}}), garbage);  // unknown endpoint
  dmsg::frame_message(dmsg::encode_request({dmsg::Endpoint::kGetEntry, 8, {1, 2, 3}}), garbage);  // bad pk
  dmsg::frame_message(dmsg::encode_request({dmsg::Endpoint::kPostEntry, 9, sim::Bytes(40, 0xee)}), garbage);
  const sim::Bytes oversized = {0xff, 0xff, 0xff, 0xff, 0};
  garbage.insert(garbage.end(), oversized.begin(), oversized.end());
  {
    sim::Context ctx = f.world->context_for(f.probes[0]);
    f.probe(0).send_raw(ctx, garbage);
  }
  f.world->run_ticks(200);
  const auto& responses = f.probe(0).raw_responses();
  REQUIRE(responses.size() == 4);
  CHECK(responses[0].status == Status::kBadRequest);
  CHECK(responses[1].status == Status::kNotFound);
  CHECK(responses[1].id == 7);
  CHECK(responses[2].status == Status::kBadRequest);
  CHECK(responses[3].status == Status::kBadRequest);
  CHECK(f.probe(0).raw_closed());  // the oversized length ended that connection only
  const dmsg::Entry entry = client_part(f.world->now().ns());
  CHECK(f.await(1, f.request(1, [&](auto& c, auto& h) { return c.post_entry(h, entry); })).ok());
}

TEST_CASE("dmsg: discovery: a post refused as stale adopts the stored sequence and succeeds") {
  Fixture f(6, "calm", 1);
  const dmsg::Entry entry = client_part(f.world->now().ns());
  REQUIRE(f.await(0, f.request(0, [&](auto& c, auto& h) { return c.post_entry(h, entry); })).ok());
  // The same identity restarts and posts from sequence 0 again.
  net::restart_node(*f.world, f.network, f.world->actor_as<net::Network>(f.network).find_node("p0").value());
  f.world->run_tick();
  const auto& again = f.await(0, f.request(0, [&](auto& c, auto& h) { return c.post_entry(h, entry); }));
  CHECK(again.ok());
  CHECK(again.posted_sequence == 1);
}

// Found by the chaos run: an old post that arrived late took the newer stored entry's
// sequence and timestamp on its retry, and put older content over newer.
TEST_CASE("dmsg: discovery: a stale post never overwrites a newer entry of the same owner") {
  Fixture f(8, "calm", 1);
  dmsg::Entry older;
  older.timestamp = f.world->now().ns();
  older.client = dmsg::ClientPart{};
  dmsg::Entry newer = older;
  newer.timestamp += sim::Duration::seconds(1).ns();
  newer.client->delegated_servers = {f.world->actor_as<DiscoveryProbe>(f.probes[0]).public_key()};
  REQUIRE(f.await(0, f.request(0, [&](auto& c, auto& h) { return c.post_entry(h, newer); })).ok());
  // The older content comes in after it, from sequence 0 (as a delayed or restarted post would).
  net::restart_node(*f.world, f.network, f.world->actor_as<net::Network>(f.network).find_node("p0").value());
  f.world->run_tick();
  const auto& late = f.await(0, f.request(0, [&](auto& c, auto& h) { return c.post_entry(h, older); }));
  CHECK_FALSE(late.ok());
  CHECK(late.reason.find("newer entry") != std::string::npos);
  const auto& stored = f.await(0, f.request(0, [&](auto& c, auto& h) {
    return c.get_entry(h, f.world->actor_as<DiscoveryProbe>(f.probes[0]).public_key());
  }));
  REQUIRE(stored.entry.has_value());
  CHECK(stored.entry->client->delegated_servers.size() == 1);
}

TEST_CASE("dmsg: discovery: a server whose clock is off by more than the window is refused") {
  Fixture f(7, "calm", 2);
  for (const char* fault : {"0s clock p0 10s", "0s clock p1 3s"}) {
    auto input = scenarios::parse_fault(fault).value();
    scenarios::apply_fault(*f.world, f.network, input);
  }
  // Each server stamps its entry with its own wall clock.
  for (size_t i : {size_t{0}, size_t{1}}) {
    const int64_t wall = f.world->now().ns() + (i == 0 ? 10'000'000'000 : 3'000'000'000);
    const auto& r =
        f.await(i, f.request(i, [&](auto& c, auto& h) { return c.post_entry(h, server_part("x", 1, wall)); }));
    CHECK(r.status == (i == 0 ? Status::kUnprocessable : Status::kOk));
  }
}

TEST_CASE("dmsg: discovery: a world with requests in flight restores to the uninterrupted chain") {
  auto issue = [](Fixture& f) {
    for (size_t i = 0; i < 3; ++i) {
      // Built by a helper, as a value: GCC 12 at -O3 warns falsely of an uninitialized
      // optional when this local entry is copied into the request.
      const int64_t timestamp = f.world->now().ns();
      f.request(i, [&](auto& c, auto& h) { return c.post_entry(h, client_part(timestamp)); });
      f.request(i, [](auto& c, auto& h) { return c.all_servers(h); });
    }
  };
  Fixture reference(8, "lossy", 3);
  issue(reference);
  reference.world->run_ticks(400);
  Fixture paused(8, "lossy", 3);
  issue(paused);
  paused.world->run_ticks(37);  // requests and handshakes in flight
  auto restored = sim::World::restore(paused.world->snapshot(), registry());
  REQUIRE(restored.ok());
  CHECK((*restored)->state_hash() == (*restored)->state_hash_from_scratch());
  (*restored)->run_ticks(400 - 37);
  CHECK((*restored)->chain_hash() == reference.world->chain_hash());
}
