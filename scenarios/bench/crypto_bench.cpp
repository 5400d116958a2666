// dmsg's cryptography: handshakes, signatures, and records against raw libsodium.
#include "dmsg/identity.h"
#include "dmsg/noise.h"
#include "dmsg/record.h"
#include "scenarios/bench/bench.h"
#include "scenarios/cli/wall_clock.h"

#include <sodium.h>

#include <vector>

namespace scenarios::bench {
namespace {

double per_second(int count, int64_t start) { return count / seconds_since(start); }

double handshakes_per_second(dmsg::Pattern pattern, sim::Rng& rng) {
  const dmsg::Identity a = dmsg::Identity::generate(rng);
  const dmsg::Identity b = dmsg::Identity::generate(rng);
  const dmsg::DhKeyPair a_dh = a.dh_key_pair();
  const dmsg::DhKeyPair b_dh = b.dh_key_pair();
  const int messages = pattern == dmsg::Pattern::kXK ? 3 : 2;
  constexpr int kHandshakes = 2000;
  const int64_t start = cli::wall_now_ns();
  for (int i = 0; i < kHandshakes; ++i) {
    auto initiator = dmsg::HandshakeState::initiator(pattern, {}, a_dh, b_dh.public_key);
    auto responder = dmsg::HandshakeState::responder(
        pattern, {}, b_dh, pattern == dmsg::Pattern::kKK ? std::optional<dmsg::Key32>(a_dh.public_key) : std::nullopt);
    for (int m = 0; m < messages; ++m) {
      dmsg::HandshakeState& writer = m % 2 == 0 ? initiator : responder;
      dmsg::HandshakeState& reader = m % 2 == 0 ? responder : initiator;
      const sim::Bytes message = writer.write_message({}, dmsg::random_key(rng)).value();
      SIM_ASSERT(reader.read_message(message).ok());
    }
    SIM_ASSERT(initiator.is_complete());
  }
  return per_second(kHandshakes, start);
}

}  // namespace

std::vector<Figure> run_crypto_group() {
  sim::Rng rng = sim::Rng::stream(1, "bench/crypto");
  std::vector<Figure> figures;
  figures.push_back(
      {"xk_handshakes_per_s", handshakes_per_second(dmsg::Pattern::kXK, rng), "XK handshakes/s (both sides)"});
  figures.push_back(
      {"kk_handshakes_per_s", handshakes_per_second(dmsg::Pattern::kKK, rng), "KK handshakes/s (both sides)"});

  const dmsg::Identity signer = dmsg::Identity::generate(rng);
  const std::vector<uint8_t> object(160, 7);
  constexpr int kSignatures = 5000;
  int64_t start = cli::wall_now_ns();
  dmsg::Signature signature{};
  for (int i = 0; i < kSignatures; ++i) signature = signer.sign(object.data(), object.size());
  figures.push_back({"signatures_per_s", per_second(kSignatures, start), "Ed25519 signatures/s of a 160-byte object"});
  start = cli::wall_now_ns();
  for (int i = 0; i < kSignatures; ++i)
    SIM_ASSERT(dmsg::verify_signature(signer.public_key(), object.data(), object.size(), signature));
  figures.push_back({"verifications_per_s", per_second(kSignatures, start), "Ed25519 verifications/s"});

  dmsg::CipherState cipher;
  cipher.initialize_key(dmsg::random_key(rng));
  dmsg::RecordSealer sealer(cipher);
  dmsg::RecordOpener opener(cipher);
  std::vector<uint8_t> plaintext(dmsg::kRecordMaxPlaintext, 0x5a);
  constexpr int kRecords = 40'000;
  std::vector<uint8_t> records(dmsg::kRecordMaxBytes * 64);
  std::vector<uint8_t> out(dmsg::kRecordMaxPlaintext);
  const double mib = static_cast<double>(kRecords) * dmsg::kRecordMaxPlaintext / (1 << 20);
  start = cli::wall_now_ns();
  for (int i = 0; i < kRecords; ++i) {
    (void)sealer.seal(plaintext.data(), plaintext.size(), records.data() + (i % 64) * dmsg::kRecordMaxBytes);
  }
  const double seal = mib / seconds_since(start);
  // Open what was sealed last, in order (nonces must increase).
  dmsg::RecordSealer replay_sealer(cipher);
  start = cli::wall_now_ns();
  double open_seconds = 0;
  for (int batch = 0; batch < kRecords / 64; ++batch) {
    for (int i = 0; i < 64; ++i)
      (void)replay_sealer.seal(plaintext.data(), plaintext.size(), records.data() + i * dmsg::kRecordMaxBytes);
    const int64_t open_start = cli::wall_now_ns();
    for (int i = 0; i < 64; ++i) {
      const auto opened = opener.open(records.data() + i * dmsg::kRecordMaxBytes, dmsg::kRecordMaxBytes, out.data());
      SIM_ASSERT(!opened.error.has_value());
    }
    open_seconds += seconds_since(open_start);
  }
  const double open = mib / open_seconds;
  // The same work through libsodium directly, in the same run.
  std::vector<uint8_t> raw(dmsg::kRecordMaxPlaintext + 16);
  dmsg::Key32 key = dmsg::random_key(rng);
  uint8_t nonce[12] = {};
  start = cli::wall_now_ns();
  for (int i = 0; i < kRecords; ++i) {
    nonce[4] = static_cast<uint8_t>(i);
    unsigned long long written = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(raw.data(), &written, plaintext.data(), plaintext.size(), nullptr, 0,
                                              nullptr, nonce, key.data());
  }
  const double raw_mib = mib / seconds_since(start);
  figures.push_back({"record_seal_mib_per_s", seal, "MiB/s sealing 4 KiB records"});
  figures.push_back({"record_open_mib_per_s", open, "MiB/s opening 4 KiB records"});
  figures.push_back({"raw_aead_mib_per_s", raw_mib, "MiB/s of crypto_aead_chacha20poly1305_ietf_encrypt, same sizes"});
  figures.push_back({"record_seal_percent_of_raw", seal / raw_mib * 100, "% (target >= 90)"});
  figures.push_back({"record_open_percent_of_raw", open / raw_mib * 100, "% (target >= 90)"});
  return figures;
}

}  // namespace scenarios::bench
