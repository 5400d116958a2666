// Volume through dmsg: 64 MiB on one stream, 1000 streams one after another.
#include "dmsg_world.h"
#include "tests/support/golden.h"

#include <catch2/catch.hpp>

using dmsg_test::DmsgWorld;
using dmsg_test::WorldShape;
using sim::Duration;

namespace {

// Sender "tx" dials receiver "rx" (port 9) `streams` times with `bytes` each.
struct BulkPair {
  DmsgWorld w;
  sim::ActorId tx{};
  sim::ActorId rx{};

  BulkPair(const WorldShape& shape, uint32_t streams, uint64_t bytes, uint32_t parallel = 1) : w(shape) {
    scenarios::BulkSettings receiver;
    receiver.listen_port = 9;
    rx = w.add_bulk("rx", receiver);
    scenarios::BulkSettings sender;
    sender.peer = w.pk_of("rx");
    sender.peer_port = 9;
    sender.streams = streams;
    sender.bytes_per_stream = bytes;
    sender.parallel = parallel;
    sender.seed = shape.seed;
    tx = w.add_bulk("tx", sender);
  }
  const scenarios::BulkStats& sent() const { return w.bulk(tx).stats(); }
  const scenarios::BulkStats& received() const { return w.bulk(rx).stats(); }
  bool run_to_completion(uint32_t streams, Duration limit) {
    return w.run_until(
        [&] { return received().streams_received + received().streams_broken >= streams && w.bulk(tx).done_sending(); },
        limit);
  }
};

void check_transfer(const char* profile, uint64_t seed) {
  constexpr uint64_t kBytes = 64ULL << 20;
  WorldShape shape;
  shape.seed = seed;
  shape.profile = profile;
  shape.clients = 0;
  BulkPair pair(shape, 1, kBytes);
  const bool completed = pair.run_to_completion(1, Duration::seconds(3600));
  INFO("sent " << pair.sent().bytes_sent << ", verified " << pair.received().bytes_verified << ", dials ok "
               << pair.sent().dials_ok << " failed " << pair.sent().dials_failed << ", broken "
               << pair.received().streams_broken << ", virtual time " << pair.w.world().now().ns() / 1000000 << " ms");
  REQUIRE(completed);
  CHECK(pair.sent().dials_ok == 1);
  CHECK(pair.sent().bytes_sent == kBytes + 8);
  CHECK(pair.received().bytes_verified == kBytes);
  CHECK(pair.received().mismatches == 0);
  CHECK(pair.received().streams_received == 1);
  CHECK(pair.received().streams_broken == 0);
}

}  // namespace

TEST_CASE("dmsg: 64 MiB through one stream arrive byte-exact on calm", "[volume][calm]") { check_transfer("calm", 5); }

TEST_CASE("dmsg: 64 MiB through one stream arrive byte-exact on lossy", "[volume][lossy]") {
  check_transfer("lossy", 6);
}

TEST_CASE("dmsg: 1000 streams opened and closed leave nothing behind") {
  WorldShape shape;
  shape.seed = 7;
  shape.clients = 0;
  BulkPair pair(shape, 1000, 1000, /*parallel=*/10);
  REQUIRE(pair.run_to_completion(1000, Duration::seconds(300)));
  CHECK(pair.sent().dials_ok == 1000);
  CHECK(pair.sent().dials_failed == 0);
  CHECK(pair.received().streams_received == 1000);
  CHECK(pair.received().bytes_verified == 1000ULL * 1000);
  CHECK(pair.received().mismatches == 0);
  // Once the last FINs crossed: no stream, relay or mux stream anywhere; ports free again.
  pair.w.run_for(Duration::seconds(1));
  for (sim::ActorId id : {pair.tx, pair.rx}) {
    const dmsg::Client& c = pair.w.bulk(id).client();
    CHECK(c.stream_count() == 0);
    CHECK(c.mux_stream_count() == 0);
  }
  CHECK(pair.w.server(0).relay_count() == 0);
  CHECK(pair.w.server(0).mux_stream_count() == 0);
  CHECK(pair.w.bulk(pair.rx).client().queued(9) == 0);
}

TEST_CASE("dmsg: golden: chains of a dmsg world match the recorded golden files") {
  for (const char* profile : {"calm", "lossy"}) {
    WorldShape shape;
    shape.seed = 5;
    shape.profile = profile;
    shape.clients = 1;
    BulkPair pair(shape, 3, 50'000);
    std::string text = fmt::format(
        "# dmsg: discovery, 1 server, a probe client, tx dialing rx 3 times with 50000 bytes each; seed 5, "
        "profile {}, chain every 1000 ticks\n",
        profile);
    for (int step = 0; step <= 8; ++step) {
      if (step > 0) pair.w.world().run_ticks(1000);
      text += fmt::format("{} 0x{:016x}\n", pair.w.world().tick(), pair.w.world().chain_hash());
    }
    CHECK(pair.received().streams_received == 3);
    test_support::check_golden(fmt::format("dmsg-bulk-{}-seed-5.chain", profile), text, "dmsg");
  }
}
