// dmsg clients and servers end to end: dial, accept, echo, close.
#include "dmsg_world.h"

#include <catch2/catch.hpp>

using dmsg::ClientEvent;
using dmsg::ErrorCode;
using dmsg_test::DmsgWorld;
using dmsg_test::WorldShape;
using Kind = dmsg::ClientEvent::Kind;
using sim::Duration;

namespace {

sim::Bytes text_bytes(std::string_view text) { return sim::Bytes(text.begin(), text.end()); }

// Reads everything client i has on a stream now.
sim::Bytes read_all(DmsgWorld& w, int i, uint32_t stream, dmsg::ReadResult::State* last = nullptr) {
  sim::Bytes got;
  w.act(i, [&](dmsg::Client& c, dmsg::Host& h) {
    uint8_t buffer[4096];
    while (true) {
      const dmsg::ReadResult r = c.read(h, stream, buffer, sizeof buffer);
      if (last) *last = r.state;
      if (r.state != dmsg::ReadResult::State::kData) break;
      got.insert(got.end(), buffer, buffer + r.bytes);
    }
  });
  return got;
}

size_t write_some(DmsgWorld& w, int i, uint32_t stream, const sim::Bytes& bytes) {
  size_t taken = 0;
  w.act(i, [&](dmsg::Client& c, dmsg::Host& h) { taken = c.write(h, stream, bytes.data(), bytes.size()); });
  return taken;
}

}  // namespace

TEST_CASE("dmsg: clients find a server, dial, accept and echo") {
  DmsgWorld w(WorldShape{});
  REQUIRE(w.settle());
  w.act(0, [](dmsg::Client& c, dmsg::Host&) { REQUIRE(c.listen(7) == ErrorCode::kOk); });
  const uint32_t dialed = w.dial(1, 0, 7);
  const ClientEvent outcome = w.await_dial(1, dialed);
  INFO(outcome.reason);
  REQUIRE(outcome.error == ErrorCode::kOk);

  std::optional<uint32_t> accepted;
  REQUIRE(w.run_until([&] { return w.client(0).saw(Kind::kIncoming, 0) || w.client_state(0).queued(7) > 0; },
                      Duration::seconds(1)));
  w.act(0, [&](dmsg::Client& c, dmsg::Host&) { accepted = c.accept(7); });
  REQUIRE(accepted);

  REQUIRE(write_some(w, 1, dialed, text_bytes("hello")) == 5);
  sim::Bytes at_server_side;
  REQUIRE(w.run_until(
      [&] {
        const sim::Bytes got = read_all(w, 0, *accepted);
        at_server_side.insert(at_server_side.end(), got.begin(), got.end());
        return at_server_side.size() >= 5;
      },
      Duration::seconds(1)));
  CHECK(at_server_side == text_bytes("hello"));
  REQUIRE(write_some(w, 0, *accepted, at_server_side) == 5);
  sim::Bytes echoed;
  REQUIRE(w.run_until(
      [&] {
        const sim::Bytes got = read_all(w, 1, dialed);
        echoed.insert(echoed.end(), got.begin(), got.end());
        return echoed.size() >= 5;
      },
      Duration::seconds(1)));
  CHECK(echoed == text_bytes("hello"));

  // Closing: the peer reads the end, closes too, and nothing is left anywhere.
  w.act(1, [&](dmsg::Client& c, dmsg::Host& h) { c.close(h, dialed); });
  dmsg::ReadResult::State state = dmsg::ReadResult::State::kWouldBlock;
  REQUIRE(w.run_until(
      [&] {
        read_all(w, 0, *accepted, &state);
        return state == dmsg::ReadResult::State::kEnd;
      },
      Duration::seconds(1)));
  w.act(0, [&](dmsg::Client& c, dmsg::Host& h) { c.close(h, *accepted); });
  REQUIRE(w.run_until(
      [&] {
        return w.client_state(0).stream_count() == 0 && w.client_state(1).stream_count() == 0 &&
               w.server(0).relay_count() == 0 && w.server(0).mux_stream_count() == 0 &&
               w.client_state(0).mux_stream_count() == 0 && w.client_state(1).mux_stream_count() == 0;
      },
      Duration::seconds(1)));
}
