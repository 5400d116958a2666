// Every error code dmsgsim emits, one test each (203 is never emitted: extra bytes after
// the session handshake are kept as mux input).
#include "dmsg/stream_crypto.h"
#include "dmsg_world.h"

#include <catch2/catch.hpp>

using dmsg::ClientEvent;
using dmsg::ErrorCode;
using dmsg_test::DmsgWorld;
using dmsg_test::WorldShape;
using sim::Duration;

namespace {

// Two clients c0 (dialer) and c1 (listening on port 7) with sessions to s0.
struct Pair {
  DmsgWorld w;
  explicit Pair(WorldShape shape = {}) : w(shape) {
    REQUIRE(w.settle());
    w.act(1, [](dmsg::Client& c, dmsg::Host&) { REQUIRE(c.listen(7) == ErrorCode::kOk); });
  }
  // The outcome of c0 dialing `pk`:`port`.
  ClientEvent dial(const dmsg::PublicKey& pk, uint16_t port) {
    uint32_t stream = 0;
    w.act(0, [&](dmsg::Client& c, dmsg::Host& h) { stream = c.dial(h, pk, port); });
    return w.await_dial(0, stream);
  }
  ClientEvent dial_raw(const sim::Bytes& signed_request, const dmsg::Address& dst) {
    uint32_t stream = 0;
    const dmsg::PublicKey server = w.server_pk(0);
    w.act(0, [&](dmsg::Client& c, dmsg::Host& h) { stream = c.dial_raw(h, server, signed_request, dst); });
    return w.await_dial(0, stream);
  }
  // A well-formed request from c0 to c1:7, signed by `signer` (c0 unless told).
  dmsg::StreamRequest request(int64_t timestamp) {
    dmsg::StreamRequest r;
    r.timestamp = timestamp;
    r.src = dmsg::Address{w.client_pk(0), 50000};
    r.dst = dmsg::Address{w.client_pk(1), 7};
    sim::Rng rng = sim::Rng::stream(timestamp, "test/kk");
    auto kk = dmsg::StreamHandshake::initiator(identity("c0"), r.dst.pk);
    r.noise_message = kk->first_message(rng).value();
    return r;
  }
  dmsg::Identity identity(const std::string& name) const {
    return scenarios::node_identity(const_cast<DmsgWorld&>(w).world().seed(), name);
  }
  int64_t now_ns() { return w.world().now().ns(); }
};

void require_code(const ClientEvent& e, ErrorCode code) {
  INFO("got " << static_cast<int>(e.error) << " (" << e.reason << ")");
  CHECK(e.error == code);
  CHECK_FALSE(e.timed_out);
}

}  // namespace

TEST_CASE("dmsg: error 100: a dial to a key discovery does not know") {
  Pair p;
  require_code(p.dial(p.identity("nobody").public_key(), 7), ErrorCode::kEntryNotFound);
}

TEST_CASE("dmsg: error 101: the destination's delegated servers are not servers") {
  Pair p;
  dmsg::Entry ghost;
  ghost.client = dmsg::ClientPart{{p.w.client_pk(1)}};  // a client listed as a server
  p.w.plant_entry(ghost, p.identity("ghost"));
  require_code(p.dial(p.identity("ghost").public_key(), 7), ErrorCode::kNotAServer);
}

TEST_CASE("dmsg: error 102: a dial to a server's key") {
  Pair p;
  require_code(p.dial(p.w.server_pk(0), 7), ErrorCode::kNotAClient);
}

TEST_CASE("dmsg: error 103: a destination without delegated servers") {
  Pair p;
  dmsg::Entry lonely;
  lonely.client = dmsg::ClientPart{{}};
  p.w.plant_entry(lonely, p.identity("lonely"));
  require_code(p.dial(p.identity("lonely").public_key(), 7), ErrorCode::kNoDelegatedServers);
}

TEST_CASE("dmsg: error 200: a dial from a stopped client") {
  Pair p;
  p.w.act(0, [](dmsg::Client& c, dmsg::Host& h) { c.stop(h); });
  require_code(p.dial(p.w.client_pk(1), 7), ErrorCode::kEntityClosed);
}

TEST_CASE("dmsg: error 201: the session closes while a dial waits for its answer") {
  Pair p;
  p.w.fault("crash c1");  // silent: s0 still forwards to c1's session, which never answers
  uint32_t stream = 0;
  const dmsg::PublicKey pk = p.w.client_pk(1);
  p.w.act(0, [&](dmsg::Client& c, dmsg::Host& h) { stream = c.dial(h, pk, 7); });
  p.w.run_for(Duration::milliseconds(200));
  REQUIRE(p.w.client(0).dialed(stream) == nullptr);
  p.w.fault("kill s0");
  require_code(p.w.await_dial(0, stream, Duration::seconds(1)), ErrorCode::kSessionClosed);
}

TEST_CASE("dmsg: error 202: no delegated server of the destination can be reached") {
  Pair p;
  dmsg::Entry dead_server;
  dead_server.server = dmsg::ServerPart{"discovery:9", 10};  // nothing listens there
  p.w.plant_entry(dead_server, p.identity("dead-server"));
  dmsg::Entry remote;
  remote.client = dmsg::ClientPart{{p.identity("dead-server").public_key()}};
  p.w.plant_entry(remote, p.identity("remote"));
  require_code(p.dial(p.identity("remote").public_key(), 7), ErrorCode::kCannotConnectToDelegated);
}

TEST_CASE("dmsg: error 300: a request with a bad signature") {
  Pair p;
  const dmsg::StreamRequest r = p.request(p.now_ns());
  sim::Bytes signed_request = dmsg::sign_request(r, p.identity("c0"));
  signed_request.back() ^= 1;
  require_code(p.dial_raw(signed_request, r.dst), ErrorCode::kRequestBadSignature);
}

TEST_CASE("dmsg: error 301: a replayed request") {
  Pair p;
  const dmsg::StreamRequest r = p.request(p.now_ns());
  const sim::Bytes signed_request = dmsg::sign_request(r, p.identity("c0"));
  p.dial_raw(signed_request, r.dst);  // the first goes through (its handshake is not ours)
  require_code(p.dial_raw(signed_request, r.dst), ErrorCode::kRequestStaleTimestamp);
}

TEST_CASE("dmsg: error 302: a request whose source is not the session's client") {
  Pair p;
  dmsg::StreamRequest r = p.request(p.now_ns());
  r.src.pk = p.identity("mallory").public_key();
  require_code(p.dial_raw(dmsg::sign_request(r, p.identity("mallory")), r.dst), ErrorCode::kRequestBadSrcPk);
}

TEST_CASE("dmsg: error 303: a request to a key that is not a valid point") {
  Pair p;
  dmsg::StreamRequest r = p.request(p.now_ns());
  r.dst.pk.fill(0xff);
  REQUIRE_FALSE(dmsg::dh_public_of(r.dst.pk).has_value());
  require_code(p.dial_raw(dmsg::sign_request(r, p.identity("c0")), r.dst), ErrorCode::kRequestBadDstPk);
}

TEST_CASE("dmsg: error 304: a request from port 0") {
  Pair p;
  dmsg::StreamRequest r = p.request(p.now_ns());
  r.src.port = 0;
  require_code(p.dial_raw(dmsg::sign_request(r, p.identity("c0")), r.dst), ErrorCode::kRequestBadSrcPort);
}

TEST_CASE("dmsg: error 305: a dial to port 0") {
  Pair p;
  require_code(p.dial(p.w.client_pk(1), 0), ErrorCode::kRequestBadDstPort);
  dmsg::StreamRequest r = p.request(p.now_ns());
  r.dst.port = 0;
  require_code(p.dial_raw(dmsg::sign_request(r, p.identity("c0")), r.dst), ErrorCode::kRequestBadDstPort);
}

TEST_CASE("dmsg: error 306: no listener on the port, answered at once") {
  Pair p;
  const sim::Instant before = p.w.world().now();
  require_code(p.dial(p.w.client_pk(1), 8), ErrorCode::kNoListener);
  CHECK(p.w.world().now() - before < Duration::milliseconds(100));
}

TEST_CASE("dmsg: error 307: the destination has no session on the server") {
  Pair p;
  p.w.fault("kill c1");  // its entry stays; s0 drops its session on the RST
  p.w.run_for(Duration::milliseconds(100));
  const sim::Instant before = p.w.world().now();
  require_code(p.dial(p.w.client_pk(1), 7), ErrorCode::kNoSessionToDestination);
  CHECK(p.w.world().now() - before < Duration::milliseconds(100));
}

TEST_CASE("dmsg: error 350: a response with a bad signature") {
  Pair p;
  dmsg::ClientOptions broken;
  broken.faults.corrupt_response_signature = true;
  const int b = p.w.add_probe("broken", broken);
  REQUIRE(p.w.settle());
  p.w.act(b, [](dmsg::Client& c, dmsg::Host&) { REQUIRE(c.listen(7) == ErrorCode::kOk); });
  require_code(p.dial(p.w.client_pk(b), 7), ErrorCode::kResponseBadSignature);
}

TEST_CASE("dmsg: error 351: a response to another request") {
  Pair p;
  dmsg::ClientOptions broken;
  broken.faults.wrong_response_hash = true;
  const int b = p.w.add_probe("broken", broken);
  REQUIRE(p.w.settle());
  p.w.act(b, [](dmsg::Client& c, dmsg::Host&) { REQUIRE(c.listen(7) == ErrorCode::kOk); });
  require_code(p.dial(p.w.client_pk(b), 7), ErrorCode::kResponseWrongRequestHash);
}

TEST_CASE("dmsg: error 352: a refusal without a reason") {
  Pair p;
  dmsg::ClientOptions broken;
  broken.faults.refuse_without_reason = true;
  const int b = p.w.add_probe("broken", broken);
  REQUIRE(p.w.settle());
  p.w.act(b, [](dmsg::Client& c, dmsg::Host&) { REQUIRE(c.listen(7) == ErrorCode::kOk); });
  require_code(p.dial(p.w.client_pk(b), 7), ErrorCode::kRejectedWithoutReason);
}

TEST_CASE("dmsg: error 370: a signed object too short to hold a signature") {
  Pair p;
  require_code(p.dial_raw(sim::Bytes(10, 0x42), dmsg::Address{p.w.client_pk(1), 7}), ErrorCode::kSignedObjectTooShort);
}

TEST_CASE("dmsg: error 400: listening on a port twice") {
  Pair p;
  p.w.act(1, [](dmsg::Client& c, dmsg::Host&) { CHECK(c.listen(7) == ErrorCode::kPortOccupied); });
}

TEST_CASE("dmsg: error 401: a full accept backlog refuses at once") {
  Pair p;
  std::vector<uint32_t> streams;
  const dmsg::PublicKey pk = p.w.client_pk(1);
  p.w.act(0, [&](dmsg::Client& c, dmsg::Host& h) {
    for (int i = 0; i < 21; ++i) streams.push_back(c.dial(h, pk, 7));
  });
  int ok = 0;
  int full = 0;
  for (uint32_t stream : streams) {
    const ClientEvent e = p.w.await_dial(0, stream, Duration::seconds(2));
    ok += e.error == ErrorCode::kOk ? 1 : 0;
    full += e.error == ErrorCode::kAcceptBacklogFull ? 1 : 0;
  }
  CHECK(ok == 20);
  CHECK(full == 1);
  CHECK(p.w.client_state(1).queued(7) == 20);
}
