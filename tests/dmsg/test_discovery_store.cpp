// Every discovery validation rule, with its status.
#include "dmsg/discovery_store.h"

#include <catch2/catch.hpp>

namespace {

using dmsg::Status;
using sim::Duration;
using sim::Instant;

const Instant kNow = Instant::from_ns(1'000'000'000'000);

dmsg::Identity identity(uint64_t seed) {
  sim::Rng rng = sim::Rng::stream(seed, "test/discovery");
  return dmsg::Identity::generate(rng);
}

dmsg::Entry server_entry(const dmsg::Identity& owner, uint64_t sequence, Instant stamped, int32_t available = 10) {
  dmsg::Entry e;
  e.sequence = sequence;
  e.timestamp = stamped.ns();
  e.static_pk = owner.public_key();
  e.server = dmsg::ServerPart{"server", available};
  dmsg::sign_entry(e, owner);
  return e;
}

dmsg::Entry client_entry(const dmsg::Identity& owner, uint64_t sequence, Instant stamped) {
  dmsg::Entry e;
  e.sequence = sequence;
  e.timestamp = stamped.ns();
  e.static_pk = owner.public_key();
  e.client = dmsg::ClientPart{};
  dmsg::sign_entry(e, owner);
  return e;
}

}  // namespace

TEST_CASE("dmsg: discovery store: a new entry is stored at sequence 0 and read back") {
  dmsg::DiscoveryStore store;
  const dmsg::Identity owner = identity(1);
  CHECK(store.post(client_entry(owner, 0, kNow), kNow).status == Status::kOk);
  REQUIRE(store.get(owner.public_key(), kNow).has_value());
  CHECK(store.get(identity(2).public_key(), kNow) == std::nullopt);
  CHECK(store.post(client_entry(identity(3), 5, kNow), kNow).status == Status::kUnprocessable);
}

TEST_CASE("dmsg: discovery store: an update needs a greater sequence and no earlier timestamp (422)") {
  dmsg::DiscoveryStore store;
  const dmsg::Identity owner = identity(4);
  REQUIRE(store.post(client_entry(owner, 0, kNow), kNow).status == Status::kOk);
  const dmsg::StoreOutcome same = store.post(client_entry(owner, 0, kNow + Duration::seconds(1)), kNow);
  CHECK(same.status == Status::kUnprocessable);
  CHECK_THAT(same.reason, Catch::Contains("stale"));
  CHECK(store.post(client_entry(owner, 1, kNow - Duration::seconds(1)), kNow).status == Status::kUnprocessable);
  CHECK(store.post(client_entry(owner, 1, kNow), kNow).status == Status::kOk);
  CHECK(store.get(owner.public_key(), kNow)->sequence == 1);
}

TEST_CASE("dmsg: discovery store: a bad signature is 401, a wrong version or no part is 422") {
  dmsg::DiscoveryStore store;
  const dmsg::Identity owner = identity(5);
  dmsg::Entry forged = client_entry(owner, 0, kNow);
  forged.timestamp += 1;  // signed over another timestamp
  CHECK(store.post(forged, kNow).status == Status::kUnauthorized);
  dmsg::Entry wrong_version = client_entry(owner, 0, kNow);
  wrong_version.version = "9.9.9";
  dmsg::sign_entry(wrong_version, owner);
  CHECK(store.post(wrong_version, kNow).status == Status::kUnprocessable);
  dmsg::Entry empty = client_entry(owner, 0, kNow);
  empty.client.reset();
  dmsg::sign_entry(empty, owner);
  CHECK(store.post(empty, kNow).status == Status::kUnprocessable);
  dmsg::Entry no_address = server_entry(owner, 0, kNow);
  no_address.server->address.clear();
  dmsg::sign_entry(no_address, owner);
  CHECK(store.post(no_address, kNow).status == Status::kUnprocessable);
}

TEST_CASE("dmsg: discovery store: a server's timestamp must lie within [now - 1m, now + 5s]") {
  dmsg::DiscoveryStore store;
  // A server whose clock runs behind or ahead, as a node clock offset makes it.
  CHECK(store.post(server_entry(identity(6), 0, kNow - Duration::seconds(61)), kNow).status == Status::kUnprocessable);
  CHECK(store.post(server_entry(identity(7), 0, kNow + Duration::seconds(6)), kNow).status == Status::kUnprocessable);
  CHECK(store.post(server_entry(identity(8), 0, kNow - Duration::seconds(59)), kNow).status == Status::kOk);
  CHECK(store.post(server_entry(identity(9), 0, kNow + Duration::seconds(4)), kNow).status == Status::kOk);
  // Clients carry no such window.
  CHECK(store.post(client_entry(identity(10), 0, kNow - Duration::seconds(3600)), kNow).status == Status::kOk);
}

TEST_CASE("dmsg: discovery store: server entries expire two minutes after their last post") {
  dmsg::DiscoveryStore store;
  const dmsg::Identity server = identity(11);
  REQUIRE(store.post(server_entry(server, 0, kNow), kNow).status == Status::kOk);
  CHECK(store.get(server.public_key(), kNow + Duration::seconds(119)).has_value());
  CHECK_FALSE(store.get(server.public_key(), kNow + Duration::seconds(121)).has_value());
  CHECK(store.all_servers(kNow + Duration::seconds(121)).empty());
  // An expired entry is gone: a restarted server posts from sequence 0 again.
  const Instant later = kNow + Duration::seconds(200);
  CHECK(store.post(server_entry(server, 0, later), later).status == Status::kOk);
  store.purge_expired(later + Duration::seconds(500));
  CHECK(store.size() == 0);
}

TEST_CASE("dmsg: discovery store: available servers come most available first, at most 512") {
  dmsg::DiscoveryStore store;
  for (uint64_t i = 0; i < 520; ++i) {
    REQUIRE(store.post(server_entry(identity(100 + i), 0, kNow, static_cast<int32_t>(1 + i % 7)), kNow).status ==
            Status::kOk);
  }
  const std::vector<dmsg::Entry> available = store.available_servers(kNow);
  CHECK(available.size() == 512);
  for (size_t i = 1; i < available.size(); ++i) {
    CHECK(available[i - 1].server->available_sessions >= available[i].server->available_sessions);
  }
  CHECK(store.all_servers(kNow).size() == 520);
  // A full server is not available.
  dmsg::DiscoveryStore full;
  REQUIRE(full.post(server_entry(identity(99), 0, kNow, 0), kNow).status == Status::kOk);
  CHECK(full.available_servers(kNow).empty());
  CHECK(full.all_servers(kNow).size() == 1);
}

TEST_CASE("dmsg: discovery store: a delete must be signed by the entry's key") {
  dmsg::DiscoveryStore store;
  const dmsg::Identity owner = identity(12);
  const dmsg::Identity other = identity(13);
  REQUIRE(store.post(client_entry(owner, 0, kNow), kNow).status == Status::kOk);
  const sim::Bytes message = dmsg::DiscoveryStore::delete_message(owner.public_key(), kNow.ns());
  const dmsg::Signature wrong = other.sign(message.data(), message.size());
  CHECK(store.remove(owner.public_key(), kNow.ns(), wrong, kNow).status == Status::kUnauthorized);
  const dmsg::Signature right = owner.sign(message.data(), message.size());
  CHECK(store.remove(owner.public_key(), kNow.ns(), right, kNow).status == Status::kOk);
  CHECK(store.remove(owner.public_key(), kNow.ns(), right, kNow).status == Status::kNotFound);
}
