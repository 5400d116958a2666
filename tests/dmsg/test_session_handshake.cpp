// The session handshake: Noise XK over a byte stream, with its bound and leftovers.
#include "dmsg/record.h"
#include "dmsg/session_handshake.h"

#include <catch2/catch.hpp>

namespace {

using sim::Duration;
using sim::Instant;

struct Sides {
  sim::Rng rng = sim::Rng::stream(1, "test/session");
  dmsg::Identity client_id = dmsg::Identity::generate(rng);
  dmsg::Identity server_id = dmsg::Identity::generate(rng);
  dmsg::SessionHandshake client =
      dmsg::SessionHandshake::client(client_id, server_id.public_key(), Instant::zero()).value();
  dmsg::SessionHandshake server = dmsg::SessionHandshake::server(server_id, Instant::zero());

  // Moves bytes both ways, `step` bytes at a time, until quiet.
  void exchange(size_t step = SIZE_MAX, const sim::Bytes& pipelined = {}) {
    bool appended = false;
    while (true) {
      sim::Bytes to_server = client.take_output();
      if (client.is_complete() && !appended) {
        to_server.insert(to_server.end(), pipelined.begin(), pipelined.end());
        appended = true;
      }
      const sim::Bytes to_client = server.take_output();
      if (to_server.empty() && to_client.empty()) return;
      for (size_t at = 0; at < to_server.size(); at += step) {
        const size_t n = std::min(step, to_server.size() - at);
        server.on_bytes(to_server.data() + at, n, rng);
      }
      for (size_t at = 0; at < to_client.size(); at += step) {
        const size_t n = std::min(step, to_client.size() - at);
        client.on_bytes(to_client.data() + at, n, rng);
      }
    }
  }
};

}  // namespace

TEST_CASE("dmsg: session handshake: XK completes, even byte by byte, and the keys agree") {
  for (size_t step : {SIZE_MAX, size_t{1}}) {
    Sides s;
    s.client.start(s.rng);
    s.exchange(step);
    REQUIRE(s.client.is_complete());
    REQUIRE(s.server.is_complete());
    // The server learns the client's X25519 key, which the client's identity converts to.
    CHECK(s.server.remote_static() == s.client_id.dh_key_pair().public_key);
    CHECK(dmsg::dh_public_of(s.client_id.public_key()) == s.server.remote_static());
    auto [client_send, client_recv] = s.client.ciphers();
    auto [server_send, server_recv] = s.server.ciphers();
    dmsg::RecordSealer sealer(client_send);
    dmsg::RecordOpener opener(server_recv);
    const uint8_t message[] = "stream request";
    uint8_t record[64];
    uint8_t out[dmsg::kRecordMaxPlaintext];
    const size_t size = sealer.seal(message, sizeof message, record);
    const auto opened = opener.open(record, size, out);
    REQUIRE_FALSE(opened.error.has_value());
    CHECK(opened.size == sizeof message);
    CHECK(server_send == client_recv);
  }
}

TEST_CASE("dmsg: session handshake: bytes pipelined after the last message are kept for the mux") {
  Sides s;
  s.client.start(s.rng);
  const sim::Bytes pipelined = {0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0};  // a window-update frame
  s.exchange(SIZE_MAX, pipelined);
  REQUIRE(s.server.is_complete());
  CHECK(s.server.take_leftover() == pipelined);
}

TEST_CASE("dmsg: session handshake: a wrong server key, a tampered message and a timeout fail it") {
  {
    Sides s;
    const dmsg::Identity impostor = dmsg::Identity::generate(s.rng);
    s.client = dmsg::SessionHandshake::client(s.client_id, impostor.public_key(), Instant::zero()).value();
    s.client.start(s.rng);
    s.exchange();
    CHECK(s.server.failure().has_value());
    CHECK_FALSE(s.client.is_complete());
  }
  {
    Sides s;
    s.client.start(s.rng);
    sim::Bytes first = s.client.take_output();
    first.back() ^= 1;
    s.server.on_bytes(first.data(), first.size(), s.rng);
    CHECK(s.server.failure().has_value());
  }
  {
    Sides s;
    s.client.start(s.rng);
    s.client.on_tick(Instant::zero() + Duration::seconds(4));
    CHECK_FALSE(s.client.failure().has_value());
    s.client.on_tick(Instant::zero() + Duration::seconds(5));
    REQUIRE(s.client.failure().has_value());
    CHECK_THAT(*s.client.failure(), Catch::Contains("not complete within 5s"));
  }
  sim::Rng rng = sim::Rng::stream(2, "test/session");
  dmsg::PublicKey bogus{};
  bogus.fill(0xff);
  CHECK_FALSE(dmsg::SessionHandshake::client(dmsg::Identity::generate(rng), bogus, Instant::zero()).has_value());
}
