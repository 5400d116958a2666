// Wire codecs: frame headers, signed stream objects, discovery entries.
#include "dmsg/entry.h"
#include "dmsg/frame.h"
#include "dmsg/stream_request.h"
#include "sim/binary.h"
#include "sim/json_writer.h"

#include <catch2/catch.hpp>

namespace {

dmsg::Identity identity(uint64_t seed) {
  sim::Rng rng = sim::Rng::stream(seed, "test/codecs");
  return dmsg::Identity::generate(rng);
}

dmsg::StreamRequest sample_request(const dmsg::Identity& from, const dmsg::Identity& to) {
  dmsg::StreamRequest request;
  request.timestamp = 1'700'000'000'123'456'789;
  request.src = {from.public_key(), 49152};
  request.dst = {to.public_key(), 80};
  request.noise_message = sim::Bytes(48, 0xab);
  return request;
}

dmsg::Entry sample_entry(const dmsg::Identity& owner, bool server) {
  dmsg::Entry e;
  e.sequence = 7;
  e.timestamp = 123'456;
  e.static_pk = owner.public_key();
  if (server) {
    e.server = dmsg::ServerPart{"server0", 99};
  } else {
    e.client = dmsg::ClientPart{{identity(10).public_key(), identity(11).public_key()}};
  }
  dmsg::sign_entry(e, owner);
  return e;
}

}  // namespace

TEST_CASE("dmsg: frames: headers round-trip and malformed ones get typed errors") {
  const dmsg::FrameHeader header{dmsg::FrameType::kWindowUpdate, dmsg::kFlagSyn | dmsg::kFlagAck, 0x01020304, 262144};
  const auto bytes = dmsg::encode_frame_header(header);
  CHECK(bytes == std::array<uint8_t, 12>{0, 1, 0, 3, 1, 2, 3, 4, 0, 4, 0, 0});
  const dmsg::DecodedFrameHeader decoded = dmsg::decode_frame_header(bytes.data(), bytes.size());
  REQUIRE_FALSE(decoded.error.has_value());
  CHECK(decoded.header == header);
  CHECK(*dmsg::decode_frame_header(bytes.data(), 11).error == dmsg::FrameError::kTooShort);
  auto bad = bytes;
  bad[0] = 1;
  CHECK(*dmsg::decode_frame_header(bad.data(), 12).error == dmsg::FrameError::kBadVersion);
  bad = bytes;
  bad[1] = 4;
  CHECK(*dmsg::decode_frame_header(bad.data(), 12).error == dmsg::FrameError::kBadType);
  bad = bytes;
  bad[3] = 0x10;
  CHECK(*dmsg::decode_frame_header(bad.data(), 12).error == dmsg::FrameError::kBadFlags);
}

TEST_CASE("dmsg: stream objects: requests and responses round-trip with their signatures") {
  const dmsg::Identity a = identity(1);
  const dmsg::Identity b = identity(2);
  const dmsg::StreamRequest request = sample_request(a, b);
  const sim::Bytes signed_request = dmsg::sign_request(request, a);
  const dmsg::DecodedRequest decoded = dmsg::decode_request(signed_request);
  REQUIRE_FALSE(decoded.error.has_value());
  CHECK(sim::encode(decoded.request) == sim::encode(request));

  dmsg::StreamResponse response;
  response.request_hash = dmsg::hash_of(signed_request);
  response.accepted = false;
  response.error = dmsg::ErrorCode::kAcceptBacklogFull;
  const sim::Bytes signed_response = dmsg::sign_response(response, b);
  const dmsg::DecodedResponse answer = dmsg::decode_response(signed_response, b.public_key());
  REQUIRE_FALSE(answer.error.has_value());
  CHECK(answer.response.request_hash == dmsg::hash_of(signed_request));
  CHECK(answer.response.error == dmsg::ErrorCode::kAcceptBacklogFull);
  CHECK(*dmsg::decode_response(signed_response, a.public_key()).error == dmsg::ErrorCode::kResponseBadSignature);
}

TEST_CASE("dmsg: stream objects: a flipped bit anywhere, or a short object, is refused") {
  const dmsg::Identity a = identity(3);
  const dmsg::Identity b = identity(4);
  const sim::Bytes signed_request = dmsg::sign_request(sample_request(a, b), a);
  for (size_t bit = 0; bit < signed_request.size() * 8; bit += 5) {
    sim::Bytes flipped = signed_request;
    flipped[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    INFO("bit " << bit);
    CHECK(dmsg::decode_request(flipped).error.has_value());
  }
  for (size_t size : {size_t{0}, size_t{63}, size_t{64}, signed_request.size() - 1}) {
    INFO("size " << size);
    const sim::Bytes cut(signed_request.begin(), signed_request.begin() + static_cast<std::ptrdiff_t>(size));
    const dmsg::DecodedRequest decoded = dmsg::decode_request(cut);
    REQUIRE(decoded.error.has_value());
  }
  CHECK(*dmsg::decode_request(sim::Bytes(10, 0)).error == dmsg::ErrorCode::kSignedObjectTooShort);

  dmsg::StreamResponse response;
  response.request_hash = dmsg::hash_of(signed_request);
  response.accepted = true;
  response.noise_message = sim::Bytes(48, 0x11);
  const sim::Bytes signed_response = dmsg::sign_response(response, b);
  for (size_t bit = 0; bit < signed_response.size() * 8; bit += 5) {
    sim::Bytes flipped = signed_response;
    flipped[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    INFO("response bit " << bit);
    CHECK(dmsg::decode_response(flipped, b.public_key()).error.has_value());
  }
}

TEST_CASE("dmsg: entries: client and server entries round-trip and verify") {
  for (bool server : {false, true}) {
    const dmsg::Identity owner = identity(5);
    const dmsg::Entry entry = sample_entry(owner, server);
    CHECK(dmsg::entry_signature_valid(entry));
    const sim::Bytes bytes = dmsg::encode_entry(entry);
    const dmsg::DecodedEntry decoded = dmsg::decode_entry(bytes.data(), bytes.size());
    REQUIRE_FALSE(decoded.error.has_value());
    CHECK(decoded.entry == entry);
    CHECK(dmsg::entry_signature_valid(decoded.entry));
    // Every field is covered by the signature.
    for (size_t at = 0; at + 64 < bytes.size(); ++at) {
      sim::Bytes flipped = bytes;
      flipped[at] ^= 0x01;
      const dmsg::DecodedEntry tampered = dmsg::decode_entry(flipped.data(), flipped.size());
      INFO("byte " << at);
      CHECK((tampered.error.has_value() || !dmsg::entry_signature_valid(tampered.entry)));
    }
    for (size_t size = 0; size < bytes.size(); size += 7) {
      CHECK(*dmsg::decode_entry(bytes.data(), size).error == dmsg::EntryError::kTruncated);
    }
  }
}

TEST_CASE("dmsg: entries: oversized parts and trailing bytes get typed errors") {
  const dmsg::Identity owner = identity(6);
  dmsg::Entry many = sample_entry(owner, false);
  many.client->delegated_servers.assign(dmsg::Entry::kMaxDelegatedServers + 1, owner.public_key());
  sim::Bytes bytes = dmsg::encode_entry(many);
  CHECK(*dmsg::decode_entry(bytes.data(), bytes.size()).error == dmsg::EntryError::kTooManyServers);
  dmsg::Entry long_address = sample_entry(owner, true);
  long_address.server->address = std::string(300, 'x');
  bytes = dmsg::encode_entry(long_address);
  CHECK(*dmsg::decode_entry(bytes.data(), bytes.size()).error == dmsg::EntryError::kAddressTooLong);
  bytes = dmsg::encode_entry(sample_entry(owner, true));
  bytes.push_back(0);
  CHECK(*dmsg::decode_entry(bytes.data(), bytes.size()).error == dmsg::EntryError::kTrailingBytes);
  const std::string json = sim::to_json(sample_entry(owner, true));
  CHECK_THAT(json, Catch::Contains("\"address\": \"server0\""));
  CHECK_THAT(json, Catch::Contains("\"sequence\": \"0x0000000000000007\""));
}
