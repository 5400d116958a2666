// Noise against the public vectors; records; signatures; identities from seeds.
#include "dmsg/identity.h"
#include "dmsg/noise.h"
#include "dmsg/record.h"
#include "sim/file_io.h"
#include "sim/json_value.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

using dmsg::Key32;

sim::Bytes unhex(const std::string& text) {
  sim::Bytes out;
  for (size_t i = 0; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  return out;
}

Key32 key_of(const sim::JsonValue& vector, const char* field) {
  const sim::Bytes bytes = unhex(vector.find(field)->scalar());
  REQUIRE(bytes.size() == 32);
  Key32 key{};
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

sim::JsonValue load_vectors() {
  sim::Result<sim::Bytes> file =
      sim::read_file(std::string(DMSGSIM_SOURCE_ROOT) + "/tests/vectors/noise-cacophony.json");
  REQUIRE(file.ok());
  sim::Result<sim::JsonValue> json = sim::parse_json(std::string(file->begin(), file->end()));
  REQUIRE(json.ok());
  return std::move(json).value();
}

// Runs one cacophony vector: messages alternate initiator, responder, ... through the
// handshake and on into transport messages.
void run_vector(const sim::JsonValue& vector) {
  const std::string name = vector.find("protocol_name")->scalar();
  INFO(name);
  const dmsg::Pattern pattern = name.find("_XK_") != std::string::npos ? dmsg::Pattern::kXK : dmsg::Pattern::kKK;
  const sim::Bytes prologue = unhex(vector.find("init_prologue")->scalar());
  const dmsg::DhKeyPair init_s = dmsg::DhKeyPair::from_private(key_of(vector, "init_static"));
  const dmsg::DhKeyPair resp_s = dmsg::DhKeyPair::from_private(key_of(vector, "resp_static"));
  REQUIRE(key_of(vector, "init_remote_static") == resp_s.public_key);
  std::optional<Key32> resp_knows;
  if (pattern == dmsg::Pattern::kKK) {
    REQUIRE(key_of(vector, "resp_remote_static") == init_s.public_key);
    resp_knows = init_s.public_key;
  }
  auto initiator = dmsg::HandshakeState::initiator(pattern, prologue, init_s, resp_s.public_key);
  auto responder = dmsg::HandshakeState::responder(pattern, prologue, resp_s, resp_knows);
  dmsg::CipherState init_send, init_recv, resp_send, resp_recv;
  const auto& messages = vector.find("messages")->items();
  for (size_t i = 0; i < messages.size(); ++i) {
    INFO("message " << i);
    const sim::Bytes payload = unhex(messages[i].find("payload")->scalar());
    const sim::Bytes expected = unhex(messages[i].find("ciphertext")->scalar());
    const bool from_initiator = i % 2 == 0;
    if (!initiator.is_complete()) {
      dmsg::HandshakeState& writer = from_initiator ? initiator : responder;
      dmsg::HandshakeState& reader = from_initiator ? responder : initiator;
      const Key32 ephemeral = key_of(vector, from_initiator ? "init_ephemeral" : "resp_ephemeral");
      sim::Result<sim::Bytes> written = writer.write_message(payload, ephemeral);
      REQUIRE(written.ok());
      CHECK(*written == expected);
      sim::Result<sim::Bytes> read = reader.read_message(*written);
      REQUIRE(read.ok());
      CHECK(*read == payload);
      if (initiator.is_complete()) {
        REQUIRE(responder.is_complete());
        const Key32 hash = key_of(vector, "handshake_hash");
        CHECK(initiator.handshake_hash() == hash);
        CHECK(responder.handshake_hash() == hash);
        CHECK(responder.remote_static() == init_s.public_key);
        std::tie(init_send, init_recv) = initiator.split();
        std::tie(resp_recv, resp_send) = responder.split();
      }
      continue;
    }
    dmsg::CipherState& sender = from_initiator ? init_send : resp_send;
    dmsg::CipherState& receiver = from_initiator ? resp_recv : init_recv;
    const sim::Bytes sealed = sender.encrypt_with_ad({}, payload);
    CHECK(sealed == expected);
    sim::Result<sim::Bytes> opened = receiver.decrypt_with_ad({}, sealed);
    REQUIRE(opened.ok());
    CHECK(*opened == payload);
  }
}

std::pair<dmsg::CipherState, dmsg::CipherState> session_ciphers() {
  sim::Rng rng = sim::Rng::stream(1, "test/noise");
  const dmsg::Identity client = dmsg::Identity::generate(rng);
  const dmsg::Identity server = dmsg::Identity::generate(rng);
  auto initiator =
      dmsg::HandshakeState::initiator(dmsg::Pattern::kXK, {}, client.dh_key_pair(), server.dh_key_pair().public_key);
  auto responder = dmsg::HandshakeState::responder(dmsg::Pattern::kXK, {}, server.dh_key_pair(), std::nullopt);
  for (int i = 0; i < 3; ++i) {
    dmsg::HandshakeState& writer = i % 2 == 0 ? initiator : responder;
    dmsg::HandshakeState& reader = i % 2 == 0 ? responder : initiator;
    sim::Result<sim::Bytes> message = writer.write_message({}, dmsg::random_key(rng));
    REQUIRE(message.ok());
    REQUIRE(reader.read_message(*message).ok());
  }
  REQUIRE(responder.remote_static() == client.dh_key_pair().public_key);
  return initiator.split();
}

}  // namespace

TEST_CASE("dmsg: noise: the XK and KK handshakes reproduce the public vectors byte for byte") {
  const sim::JsonValue vectors = load_vectors();
  REQUIRE(vectors.find("vectors")->items().size() == 2);
  for (const sim::JsonValue& vector : vectors.find("vectors")->items()) run_vector(vector);
}

TEST_CASE("dmsg: noise: a tampered handshake message is refused") {
  sim::Rng rng = sim::Rng::stream(2, "test/noise");
  const dmsg::Identity client = dmsg::Identity::generate(rng);
  const dmsg::Identity server = dmsg::Identity::generate(rng);
  auto initiator =
      dmsg::HandshakeState::initiator(dmsg::Pattern::kXK, {}, client.dh_key_pair(), server.dh_key_pair().public_key);
  auto responder = dmsg::HandshakeState::responder(dmsg::Pattern::kXK, {}, server.dh_key_pair(), std::nullopt);
  sim::Bytes first = initiator.write_message({}, dmsg::random_key(rng)).value();
  first.back() ^= 1;
  CHECK_FALSE(responder.read_message(first).ok());
  CHECK_FALSE(responder.read_message(sim::Bytes(10, 0)).ok());
  CHECK_FALSE(initiator.read_message(first).ok());  // not the initiator's turn to read
}

TEST_CASE("dmsg: records: seal and open round-trip, first nonce 1, at most 4070 bytes of plaintext") {
  auto [c1, c2] = session_ciphers();
  dmsg::RecordSealer sealer(c1);
  dmsg::RecordOpener opener(c1);
  std::vector<uint8_t> plaintext(dmsg::kRecordMaxPlaintext);
  for (size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<uint8_t>(i);
  std::vector<uint8_t> record(dmsg::kRecordMaxBytes);
  const size_t size = sealer.seal(plaintext.data(), plaintext.size(), record.data());
  CHECK(size == dmsg::kRecordMaxBytes);
  CHECK(sealer.last_nonce() == 1);
  CHECK(dmsg::RecordOpener::record_size(record.data(), size) == size);
  std::vector<uint8_t> out(dmsg::kRecordMaxPlaintext);
  const auto opened = opener.open(record.data(), size, out.data());
  REQUIRE_FALSE(opened.error.has_value());
  CHECK(opened.size == plaintext.size());
  CHECK(out == plaintext);
  (void)c2;
}

TEST_CASE("dmsg: records: tampered ciphertext, tag or nonce, and replayed nonces are refused") {
  auto [c1, c2] = session_ciphers();
  (void)c2;
  dmsg::RecordSealer sealer(c1);
  const uint8_t message[] = "hello, relay";
  std::vector<uint8_t> first(64);
  std::vector<uint8_t> second(64);
  const size_t size = sealer.seal(message, sizeof message, first.data());
  (void)sealer.seal(message, sizeof message, second.data());
  std::vector<uint8_t> out(dmsg::kRecordMaxPlaintext);
  for (size_t at : {size_t{5}, size_t{12}, size - 1}) {  // nonce, ciphertext, tag
    INFO("byte " << at);
    dmsg::RecordOpener opener(c1);
    std::vector<uint8_t> tampered = first;
    tampered[at] ^= 0x40;
    const auto opened = opener.open(tampered.data(), size, out.data());
    REQUIRE(opened.error.has_value());
    CHECK((*opened.error == dmsg::RecordError::kUnauthentic || *opened.error == dmsg::RecordError::kReplayed));
    CHECK(opener.last_nonce() == 0);
  }
  dmsg::RecordOpener opener(c1);
  REQUIRE_FALSE(opener.open(second.data(), size, out.data()).error.has_value());
  // The first record's nonce (1) is below the last accepted one (2): a replay.
  const auto replayed = opener.open(first.data(), size, out.data());
  REQUIRE(replayed.error.has_value());
  CHECK(*replayed.error == dmsg::RecordError::kReplayed);
  const auto again = opener.open(second.data(), size, out.data());
  REQUIRE(again.error.has_value());
  CHECK(*again.error == dmsg::RecordError::kReplayed);
  std::vector<uint8_t> tiny = {0, 5, 1, 2, 3, 4, 5};
  CHECK(*opener.open(tiny.data(), tiny.size(), out.data()).error == dmsg::RecordError::kTooShort);
}

TEST_CASE("dmsg: signatures: verify, and a flipped bit anywhere fails") {
  sim::Rng rng = sim::Rng::stream(3, "test/sign");
  const dmsg::Identity signer = dmsg::Identity::generate(rng);
  const sim::Bytes data = {'s', 't', 'r', 'e', 'a', 'm', ' ', 'r', 'e', 'q', 'u', 'e', 's', 't'};
  const dmsg::Signature signature = signer.sign(data.data(), data.size());
  CHECK(dmsg::verify_signature(signer.public_key(), data.data(), data.size(), signature));
  for (size_t bit = 0; bit < data.size() * 8; bit += 3) {
    sim::Bytes flipped = data;
    flipped[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    CHECK_FALSE(dmsg::verify_signature(signer.public_key(), flipped.data(), flipped.size(), signature));
  }
  for (size_t bit = 0; bit < 64 * 8; bit += 7) {
    dmsg::Signature flipped = signature;
    flipped[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    CHECK_FALSE(dmsg::verify_signature(signer.public_key(), data.data(), data.size(), flipped));
  }
  const dmsg::Identity other = dmsg::Identity::generate(rng);
  CHECK_FALSE(dmsg::verify_signature(other.public_key(), data.data(), data.size(), signature));
}

TEST_CASE("dmsg: identities: the same seed gives the same keys, and peers derive the same X25519 key") {
  sim::Rng a = sim::Rng::stream(4, "test/identity");
  sim::Rng b = sim::Rng::stream(4, "test/identity");
  const dmsg::Identity first = dmsg::Identity::generate(a);
  const dmsg::Identity second = dmsg::Identity::generate(b);
  CHECK(first.public_key() == second.public_key());
  // What a peer derives from the public key equals what the owner derives from its secret.
  CHECK(dmsg::dh_public_of(first.public_key()) == first.dh_key_pair().public_key);
  const dmsg::Identity third = dmsg::Identity::generate(a);
  CHECK(third.public_key() != first.public_key());
  dmsg::PublicKey bogus{};
  bogus.fill(0xff);
  CHECK_FALSE(dmsg::dh_public_of(bogus).has_value());
}
