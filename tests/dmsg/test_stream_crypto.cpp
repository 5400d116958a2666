// A stream's end-to-end encryption: KK between its ends, records across any split.
#include "dmsg/stream_crypto.h"
#include "dmsg/stream_request.h"
#include "sim/binary.h"

#include <catch2/catch.hpp>

namespace {

struct Ends {
  sim::Rng rng = sim::Rng::stream(1, "test/stream");
  dmsg::Identity a = dmsg::Identity::generate(rng);
  dmsg::Identity b = dmsg::Identity::generate(rng);
  dmsg::RecordStream a_records;
  dmsg::RecordStream b_records;

  // The dial's handshake, messages carried in the signed request and response.
  void handshake() {
    auto initiator = dmsg::StreamHandshake::initiator(a, b.public_key()).value();
    auto responder = dmsg::StreamHandshake::responder(b, a.public_key()).value();
    dmsg::StreamRequest request;
    request.src = {a.public_key(), 49152};
    request.dst = {b.public_key(), 80};
    request.noise_message = initiator.first_message(rng).value();
    const dmsg::DecodedRequest received = dmsg::decode_request(dmsg::sign_request(request, a));
    REQUIRE_FALSE(received.error.has_value());
    dmsg::StreamResponse response;
    response.accepted = true;
    response.noise_message = responder.answer(received.request.noise_message, rng).value();
    const dmsg::DecodedResponse answered = dmsg::decode_response(dmsg::sign_response(response, b), b.public_key());
    REQUIRE_FALSE(answered.error.has_value());
    REQUIRE(initiator.finish(answered.response.noise_message).ok());
    REQUIRE(initiator.is_complete());
    REQUIRE(responder.is_complete());
    const auto [a_send, a_recv] = initiator.ciphers();
    const auto [b_send, b_recv] = responder.ciphers();
    a_records = dmsg::RecordStream(a_send, a_recv);
    b_records = dmsg::RecordStream(b_send, b_recv);
  }
};

}  // namespace

TEST_CASE("dmsg: stream crypto: data sealed at one end opens at the other across any split") {
  Ends e;
  e.handshake();
  std::vector<uint8_t> data(50'000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 13);
  sim::ByteQueue wire;
  e.a_records.seal(data.data(), data.size(), wire);
  CHECK(wire.size() > data.size());  // 13 records of at most 4096 bytes
  const sim::Bytes bytes = wire.read(0, wire.size());
  sim::ByteQueue plaintext;
  // Relayed in odd pieces: records are reassembled whatever the split.
  for (size_t at = 0; at < bytes.size(); at += 777) {
    const size_t n = std::min<size_t>(777, bytes.size() - at);
    REQUIRE_FALSE(e.b_records.receive(bytes.data() + at, n, plaintext).has_value());
  }
  CHECK(plaintext.read(0, plaintext.size()) == sim::Bytes(data.begin(), data.end()));
  // And the other way.
  sim::ByteQueue back;
  e.b_records.seal(data.data(), 10, back);
  sim::ByteQueue got;
  const sim::Bytes back_bytes = back.read(0, back.size());
  REQUIRE_FALSE(e.a_records.receive(back_bytes.data(), back_bytes.size(), got).has_value());
  CHECK(got.size() == 10);
}

TEST_CASE("dmsg: stream crypto: the receiver's state is the same whatever the split") {
  // Whole records are opened where they lie and only split ones are gathered: the state
  // (hashed at every tick) must still be what byte-by-byte delivery gives. A failure keeps
  // the rest of the failing call's bytes, so there only the plaintext and the error agree.
  Ends e;
  e.handshake();
  sim::ByteQueue wire;
  sim::Bytes data(9000, 0x5a);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
  e.a_records.seal(data.data(), data.size(), wire);
  e.a_records.seal(data.data(), 100, wire);
  sim::Bytes bytes = wire.read(0, wire.size());
  const size_t first_record = dmsg::RecordOpener::record_size(bytes.data(), bytes.size());
  for (const bool tamper : {false, true}) {
    // Tampering breaks the second record, so delivery fails midway with bytes left over.
    sim::Bytes sent = bytes;
    if (tamper) sent[first_record + 40] ^= 1;
    const auto deliver = [&](size_t piece) {
      dmsg::RecordStream receiver = e.b_records;
      sim::ByteQueue plaintext;
      std::optional<dmsg::RecordError> error;
      for (size_t at = 0; at < sent.size() && !error; at += piece) {
        error = receiver.receive(sent.data() + at, std::min(piece, sent.size() - at), plaintext);
      }
      CHECK(error.has_value() == tamper);
      return std::make_pair(sim::encode(receiver, sim::Encoding::kSnapshot), plaintext.read(0, plaintext.size()));
    };
    const auto reference = deliver(1);
    for (size_t piece : {2, 7, 4096, 5000, 20000}) {
      INFO("pieces of " << piece << (tamper ? ", tampered" : ""));
      const auto got = deliver(piece);
      if (!tamper) CHECK(got.first == reference.first);
      CHECK(got.second == reference.second);
    }
  }
}

TEST_CASE("dmsg: stream crypto: a tampered or replayed record fails the stream") {
  Ends e;
  e.handshake();
  const uint8_t data[] = "relay me";
  sim::ByteQueue wire;
  e.a_records.seal(data, sizeof data, wire);
  sim::Bytes record = wire.read(0, wire.size());
  sim::ByteQueue plaintext;
  sim::Bytes tampered = record;
  tampered[20] ^= 1;
  CHECK(*e.b_records.receive(tampered.data(), tampered.size(), plaintext) == dmsg::RecordError::kUnauthentic);
  CHECK(e.b_records.has_failed());

  Ends f;
  f.handshake();
  sim::ByteQueue one;
  f.a_records.seal(data, sizeof data, one);
  const sim::Bytes first = one.read(0, one.size());
  REQUIRE_FALSE(f.b_records.receive(first.data(), first.size(), plaintext).has_value());
  CHECK(*f.b_records.receive(first.data(), first.size(), plaintext) == dmsg::RecordError::kReplayed);
}

TEST_CASE("dmsg: stream crypto: a handshake with the wrong peer key fails") {
  sim::Rng rng = sim::Rng::stream(2, "test/stream");
  const dmsg::Identity a = dmsg::Identity::generate(rng);
  const dmsg::Identity b = dmsg::Identity::generate(rng);
  const dmsg::Identity c = dmsg::Identity::generate(rng);
  auto initiator = dmsg::StreamHandshake::initiator(a, b.public_key()).value();
  // The responder believes it talks to c.
  auto responder = dmsg::StreamHandshake::responder(b, c.public_key()).value();
  const sim::Bytes first = initiator.first_message(rng).value();
  CHECK_FALSE(responder.answer(first, rng).ok());
}
