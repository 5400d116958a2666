// The multiplexer, two instances wired back to back.
#include "dmsg/mux.h"
#include "sim/binary.h"

#include <cstring>

#include <catch2/catch.hpp>

namespace {

using Kind = dmsg::MuxEvent::Kind;
using sim::Duration;
using sim::Instant;

struct Pair {
  Instant now = Instant::zero();
  dmsg::Mux client{dmsg::Mux::Side::kClient, dmsg::MuxOptions{}, Instant::zero()};
  dmsg::Mux server{dmsg::Mux::Side::kServer, dmsg::MuxOptions{}, Instant::zero()};
  std::vector<dmsg::MuxEvent> client_events;
  std::vector<dmsg::MuxEvent> server_events;
  bool deliver_to_client = true;  // false: what the server sends is lost

  // Moves bytes both ways until both are quiet.
  void pump() {
    while (true) {
      const sim::Bytes to_server = client.take_output();
      const sim::Bytes to_client = server.take_output();
      if (to_server.empty() && to_client.empty()) break;
      server.on_bytes(to_server.data(), to_server.size(), now);
      if (deliver_to_client) client.on_bytes(to_client.data(), to_client.size(), now);
      collect();
    }
    collect();
  }
  void collect() {
    for (auto& e : client.take_events()) client_events.push_back(std::move(e));
    for (auto& e : server.take_events()) server_events.push_back(std::move(e));
  }
  void advance(Duration d) {
    now += d;
    client.on_tick(now);
    server.on_tick(now);
    pump();
  }
  static bool saw(const std::vector<dmsg::MuxEvent>& events, Kind kind, uint32_t stream = 0) {
    for (const auto& e : events) {
      if (e.kind == kind && (stream == 0 || e.stream == stream)) return true;
    }
    return false;
  }
};

sim::Bytes text(const char* s) { return sim::Bytes(s, s + std::strlen(s)); }

std::string read_all(dmsg::Mux& mux, uint32_t stream) {
  std::string out;
  uint8_t buffer[4096];
  while (size_t got = mux.read(stream, buffer, sizeof buffer)) out.append(reinterpret_cast<char*>(buffer), got);
  return out;
}

}  // namespace

TEST_CASE("dmsg: mux: open, accept and echo; odd ids for the client, even for the server") {
  Pair p;
  const uint32_t id = p.client.open(p.now).value();
  CHECK(id % 2 == 1);
  const sim::Bytes hello = text("hello");
  CHECK(p.client.write(id, hello.data(), hello.size()) == hello.size());
  p.pump();
  CHECK(Pair::saw(p.server_events, Kind::kIncoming, id));
  CHECK(Pair::saw(p.client_events, Kind::kOpened, id));
  REQUIRE(p.server.accept() == id);
  CHECK(read_all(p.server, id) == "hello");
  const sim::Bytes back = text("back");
  p.server.write(id, back.data(), back.size());
  p.pump();
  CHECK(read_all(p.client, id) == "back");
  CHECK(p.server.open(p.now).value() % 2 == 0);
}

TEST_CASE("dmsg: mux: a writer stops at the window and resumes after a window update") {
  Pair p;
  const uint32_t id = p.client.open(p.now).value();
  p.pump();
  REQUIRE(p.server.accept() == id);
  std::vector<uint8_t> chunk(100'000, 7);
  size_t written = 0;
  while (size_t n = p.client.write(id, chunk.data(), chunk.size())) written += n;
  CHECK(written == 256 * 1024);
  p.pump();
  CHECK(p.server.readable_bytes(id) == 256 * 1024);
  std::vector<uint8_t> sink(200'000);
  CHECK(p.server.read(id, sink.data(), 150'000) == 150'000);
  p.pump();
  CHECK(Pair::saw(p.client_events, Kind::kWritable, id));
  CHECK(p.client.write(id, chunk.data(), chunk.size()) == 100'000);
}

TEST_CASE("dmsg: mux: a window violation resets only that stream") {
  Pair p;
  const uint32_t bad = p.client.open(p.now).value();
  const uint32_t good = p.client.open(p.now).value();
  p.pump();
  REQUIRE(p.server.accept() == bad);
  REQUIRE(p.server.accept() == good);
  // A hostile peer sends more than the window in frames that look fine one by one.
  std::vector<uint8_t> frames;
  for (int i = 0; i < 5; ++i) {
    const auto header = dmsg::encode_frame_header({dmsg::FrameType::kData, 0, bad, 60'000});
    frames.insert(frames.end(), header.begin(), header.end());
    frames.insert(frames.end(), 60'000, 1);
  }
  p.server.on_bytes(frames.data(), frames.size(), p.now);
  p.collect();
  REQUIRE(Pair::saw(p.server_events, Kind::kReset, bad));
  CHECK_FALSE(p.server.has_stream(bad));
  CHECK_FALSE(p.server.is_dead());
  const sim::Bytes ok = text("still fine");
  p.client.write(good, ok.data(), ok.size());
  p.pump();
  CHECK(read_all(p.server, good) == "still fine");
}

TEST_CASE("dmsg: mux: more unaccepted streams than the backlog are refused with RST") {
  Pair p;
  std::vector<uint32_t> ids;
  for (int i = 0; i < 257; ++i) ids.push_back(p.client.open(p.now).value());
  p.pump();
  CHECK(Pair::saw(p.client_events, Kind::kReset, ids.back()));
  CHECK_FALSE(Pair::saw(p.client_events, Kind::kReset, ids[255]));
  CHECK(p.server.stream_count() == 256);
}

TEST_CASE("dmsg: mux: keepalive kills a session whose peer stops answering, not a live one") {
  Pair p;
  p.advance(Duration::seconds(31));
  p.advance(Duration::seconds(11));
  CHECK_FALSE(p.client.is_dead());
  const uint32_t id = p.client.open(p.now).value();
  p.pump();
  p.deliver_to_client = false;
  p.advance(Duration::seconds(20));  // next ping at 61 s
  p.advance(Duration::seconds(11));
  CHECK(p.client.is_dead());
  CHECK(Pair::saw(p.client_events, Kind::kSessionDead));
  CHECK(Pair::saw(p.client_events, Kind::kReset, id));
}

TEST_CASE("dmsg: mux: unacknowledged and long half-closed streams are reset") {
  Pair p;
  p.deliver_to_client = false;
  const uint32_t unanswered = p.client.open(p.now).value();
  p.pump();
  p.client.on_tick(p.now + Duration::seconds(76));
  p.collect();
  CHECK(Pair::saw(p.client_events, Kind::kReset, unanswered));

  Pair q;
  const uint32_t id = q.client.open(q.now).value();
  q.pump();
  REQUIRE(q.server.accept() == id);
  q.client.close(id, q.now);
  q.pump();
  CHECK(Pair::saw(q.server_events, Kind::kPeerClosed, id));
  q.server.on_tick(q.now + Duration::seconds(299));
  q.collect();
  CHECK(q.server.has_stream(id));
  q.server.on_tick(q.now + Duration::seconds(301));
  q.collect();
  CHECK_FALSE(q.server.has_stream(id));
}

TEST_CASE("dmsg: mux: go-away stops new streams both ways") {
  Pair p;
  p.server.go_away();
  p.pump();
  CHECK(Pair::saw(p.client_events, Kind::kGoAway));
  CHECK_FALSE(p.client.open(p.now).has_value());
  CHECK_FALSE(p.server.open(p.now).has_value());
}

TEST_CASE("dmsg: mux: a malformed frame kills the session and resets its streams") {
  Pair p;
  const uint32_t id = p.client.open(p.now).value();
  p.pump();
  const uint8_t garbage[12] = {9, 9, 9, 9, 0, 0, 0, 1, 0, 0, 0, 0};
  p.server.on_bytes(garbage, sizeof garbage, p.now);
  p.collect();
  CHECK(p.server.is_dead());
  CHECK(Pair::saw(p.server_events, Kind::kSessionDead));
  CHECK(Pair::saw(p.server_events, Kind::kReset, id));
}

TEST_CASE("dmsg: mux: a thousand streams opened and closed leave nothing behind") {
  Pair p;
  for (int i = 0; i < 1000; ++i) {
    const uint32_t id = p.client.open(p.now).value();
    const sim::Bytes data = text("x");
    p.client.write(id, data.data(), data.size());
    p.client.close(id, p.now);
    p.pump();
    REQUIRE(p.server.accept() == id);
    CHECK(read_all(p.server, id) == "x");
    p.server.close(id, p.now);
    p.pump();
  }
  CHECK(p.client.stream_count() == 0);
  CHECK(p.server.stream_count() == 0);
}

TEST_CASE("dmsg: mux: its state round-trips through the snapshot encoding") {
  Pair p;
  const uint32_t id = p.client.open(p.now).value();
  const sim::Bytes data = text("in flight");
  p.client.write(id, data.data(), data.size());
  const sim::Bytes encoded = sim::encode(p.client);
  dmsg::Mux copy;
  sim::Reader reader(encoded);
  reader.read(copy);
  CHECK(sim::encode(copy) == encoded);
  CHECK(copy.take_output() == p.client.take_output());
}
