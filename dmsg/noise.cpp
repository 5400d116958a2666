// The Noise symmetric and handshake state machines over libsodium primitives.
#include "dmsg/noise.h"

#include "sim/assert.h"

#include <sodium.h>

#include <cstring>
#include <string_view>
#include <vector>

namespace dmsg {
namespace {

using Tokens = std::vector<std::string_view>;

struct PatternSpec {
  std::string_view protocol_name;
  bool initiator_static_known;  // pre-message "-> s"
  bool responder_static_known;  // pre-message "<- s"
  std::vector<Tokens> messages;
};

const PatternSpec& spec_of(Pattern pattern) {
  static const PatternSpec kXK{
      "Noise_XK_25519_ChaChaPoly_SHA256", false, true, {{"e", "es"}, {"e", "ee"}, {"s", "se"}}};
  static const PatternSpec kKK{"Noise_KK_25519_ChaChaPoly_SHA256", true, true, {{"e", "es", "ss"}, {"e", "ee", "se"}}};
  return pattern == Pattern::kXK ? kXK : kKK;
}

Key32 hmac(const Key32& key, const uint8_t* data, size_t size) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key.size());
  crypto_auth_hmacsha256_update(&state, data, size);
  Key32 out{};
  crypto_auth_hmacsha256_final(&state, out.data());
  return out;
}

// The 12-byte AEAD nonce of Noise's ChaChaPoly: 4 zero bytes, then n little-endian.
std::array<uint8_t, 12> aead_nonce(uint64_t n) {
  std::array<uint8_t, 12> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
  return nonce;
}

sim::Result<Key32> dh(const Key32& private_key, const Key32& public_key) {
  Key32 shared{};
  // libsodium refuses a low-order public key (the result would be all zero).
  if (crypto_scalarmult(shared.data(), private_key.data(), public_key.data()) != 0) {
    return sim::Error{"Diffie-Hellman with a low-order public key"};
  }
  return shared;
}

}  // namespace

std::pair<Key32, Key32> noise_hkdf2(const Key32& chaining_key, const uint8_t* ikm, size_t ikm_size) {
  const Key32 temp_key = hmac(chaining_key, ikm, ikm_size);
  const uint8_t one = 1;
  const Key32 out1 = hmac(temp_key, &one, 1);
  uint8_t second[33];
  std::memcpy(second, out1.data(), 32);
  second[32] = 2;
  const Key32 out2 = hmac(temp_key, second, sizeof second);
  return {out1, out2};
}

DhKeyPair DhKeyPair::from_private(const Key32& private_key) {
  DhKeyPair pair;
  pair.private_key = private_key;
  crypto_scalarmult_base(pair.public_key.data(), private_key.data());
  return pair;
}

// --- CipherState ------------------------------------------------------------------------------------

void CipherState::initialize_key(const Key32& key) {
  key_ = key;
  has_key_ = true;
  n_ = 0;
}

void CipherState::seal_at(uint64_t nonce, const uint8_t* plaintext, size_t size, uint8_t* out) const {
  SIM_ASSERT(has_key_);
  const std::array<uint8_t, 12> npub = aead_nonce(nonce);
  unsigned long long written = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out, &written, plaintext, size, nullptr, 0, nullptr, npub.data(),
                                            key_.data());
  SIM_ASSERT_EQ(written, size + kTagBytes);
}

bool CipherState::open_at(uint64_t nonce, const uint8_t* ciphertext, size_t size, uint8_t* out) const {
  SIM_ASSERT(has_key_);
  if (size < kTagBytes) return false;
  const std::array<uint8_t, 12> npub = aead_nonce(nonce);
  unsigned long long written = 0;
  return crypto_aead_chacha20poly1305_ietf_decrypt(out, &written, nullptr, ciphertext, size, nullptr, 0, npub.data(),
                                                   key_.data()) == 0;
}

sim::Bytes CipherState::encrypt_with_ad(const sim::Bytes& ad, const sim::Bytes& plaintext) {
  if (!has_key_) return plaintext;
  SIM_ASSERT_MSG(n_ != UINT64_MAX, "Noise nonce exhausted");
  sim::Bytes out(plaintext.size() + kTagBytes);
  const std::array<uint8_t, 12> npub = aead_nonce(n_);
  unsigned long long written = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &written, plaintext.data(), plaintext.size(), ad.data(),
                                            ad.size(), nullptr, npub.data(), key_.data());
  SIM_ASSERT_EQ(written, out.size());
  ++n_;
  return out;
}

sim::Result<sim::Bytes> CipherState::decrypt_with_ad(const sim::Bytes& ad, const sim::Bytes& ciphertext) {
  if (!has_key_) return ciphertext;
  if (ciphertext.size() < kTagBytes) return sim::Error{"ciphertext shorter than its tag"};
  sim::Bytes out(ciphertext.size() - kTagBytes);
  const std::array<uint8_t, 12> npub = aead_nonce(n_);
  unsigned long long written = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, ciphertext.data(), ciphertext.size(),
                                                ad.data(), ad.size(), npub.data(), key_.data()) != 0) {
    return sim::Error{"authentication failed"};
  }
  ++n_;
  return out;
}

// --- HandshakeState -----------------------------------------------------------------------------------

void HandshakeState::initialize(Pattern pattern, bool initiator, const sim::Bytes& prologue) {
  pattern_ = pattern;
  initiator_ = initiator;
  const std::string_view name = spec_of(pattern).protocol_name;
  // A name of at most 32 bytes is used as h directly, zero-padded; longer ones hashed.
  h_.fill(0);
  if (name.size() <= h_.size()) {
    std::memcpy(h_.data(), name.data(), name.size());
  } else {
    crypto_hash_sha256(h_.data(), reinterpret_cast<const uint8_t*>(name.data()), name.size());
  }
  ck_ = h_;
  mix_hash(prologue.data(), prologue.size());
}

HandshakeState HandshakeState::initiator(Pattern pattern, const sim::Bytes& prologue, const DhKeyPair& s,
                                         const Key32& rs) {
  HandshakeState hs;
  hs.initialize(pattern, /*initiator=*/true, prologue);
  hs.s_ = s;
  hs.rs_ = rs;
  const PatternSpec& spec = spec_of(pattern);
  if (spec.initiator_static_known) hs.mix_hash(s.public_key.data(), 32);
  if (spec.responder_static_known) hs.mix_hash(rs.data(), 32);
  return hs;
}

HandshakeState HandshakeState::responder(Pattern pattern, const sim::Bytes& prologue, const DhKeyPair& s,
                                         std::optional<Key32> rs) {
  HandshakeState hs;
  hs.initialize(pattern, /*initiator=*/false, prologue);
  hs.s_ = s;
  hs.rs_ = rs;
  const PatternSpec& spec = spec_of(pattern);
  if (spec.initiator_static_known) {
    SIM_ASSERT_MSG(rs.has_value(), "a KK responder knows the initiator's static key in advance");
    hs.mix_hash(rs->data(), 32);
  }
  if (spec.responder_static_known) hs.mix_hash(s.public_key.data(), 32);
  return hs;
}

void HandshakeState::mix_hash(const uint8_t* data, size_t size) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, h_.data(), h_.size());
  crypto_hash_sha256_update(&state, data, size);
  crypto_hash_sha256_final(&state, h_.data());
}

void HandshakeState::mix_key(const Key32& input) {
  const auto [ck, temp_k] = noise_hkdf2(ck_, input.data(), input.size());
  ck_ = ck;
  cipher_.initialize_key(temp_k);
}

sim::Bytes HandshakeState::encrypt_and_hash(const sim::Bytes& plaintext) {
  const sim::Bytes ad(h_.begin(), h_.end());
  sim::Bytes ciphertext = cipher_.encrypt_with_ad(ad, plaintext);
  mix_hash(ciphertext.data(), ciphertext.size());
  return ciphertext;
}

sim::Result<sim::Bytes> HandshakeState::decrypt_and_hash(const sim::Bytes& ciphertext) {
  const sim::Bytes ad(h_.begin(), h_.end());
  sim::Result<sim::Bytes> plaintext = cipher_.decrypt_with_ad(ad, ciphertext);
  if (!plaintext) return plaintext;
  mix_hash(ciphertext.data(), ciphertext.size());
  return plaintext;
}

// es, se, ee, ss: the first letter names the initiator's key, the second the
// responder's, so which of ours meets which of theirs depends on our role.
sim::Status HandshakeState::mix_dh(std::string_view token) {
  SIM_ASSERT_EQ(token.size(), 2u);
  const char my_key = initiator_ ? token[0] : token[1];
  const char their_key = initiator_ ? token[1] : token[0];
  if (my_key == 'e' && !e_) return sim::Error{"our ephemeral key is not chosen yet"};
  const Key32& mine = my_key == 'e' ? e_->private_key : s_.private_key;
  const std::optional<Key32>& theirs = their_key == 'e' ? re_ : rs_;
  if (!theirs) return sim::Error{"the other side's key is not known yet"};
  sim::Result<Key32> shared = dh(mine, *theirs);
  if (!shared) return shared.error();
  mix_key(*shared);
  return sim::Ok{};
}

bool HandshakeState::is_complete() const { return message_index_ >= spec_of(pattern_).messages.size(); }

bool HandshakeState::is_my_turn() const { return !is_complete() && (message_index_ % 2 == 0) == initiator_; }

sim::Result<sim::Bytes> HandshakeState::write_message(const sim::Bytes& payload, const Key32& ephemeral) {
  if (!is_my_turn()) return sim::Error{"it is not this side's turn to write a handshake message"};
  sim::Bytes message;
  for (std::string_view token : spec_of(pattern_).messages[message_index_]) {
    if (token == "e") {
      e_ = DhKeyPair::from_private(ephemeral);
      message.insert(message.end(), e_->public_key.begin(), e_->public_key.end());
      mix_hash(e_->public_key.data(), 32);
      continue;
    }
    if (token == "s") {
      const sim::Bytes encrypted = encrypt_and_hash(sim::Bytes(s_.public_key.begin(), s_.public_key.end()));
      message.insert(message.end(), encrypted.begin(), encrypted.end());
      continue;
    }
    if (sim::Status mixed = mix_dh(token); !mixed) return mixed.error();
  }
  const sim::Bytes encrypted = encrypt_and_hash(payload);
  message.insert(message.end(), encrypted.begin(), encrypted.end());
  ++message_index_;
  return message;
}

sim::Result<sim::Bytes> HandshakeState::read_message(const sim::Bytes& message) {
  if (is_complete() || is_my_turn()) return sim::Error{"no handshake message is expected from the other side"};
  size_t at = 0;
  for (std::string_view token : spec_of(pattern_).messages[message_index_]) {
    if (token == "e") {
      if (message.size() - at < 32) return sim::Error{"handshake message too short for an ephemeral key"};
      Key32 key{};
      std::memcpy(key.data(), message.data() + at, 32);
      at += 32;
      re_ = key;
      mix_hash(key.data(), 32);
      continue;
    }
    if (token == "s") {
      const size_t size = 32 + (cipher_.has_key() ? CipherState::kTagBytes : 0);
      if (message.size() - at < size) return sim::Error{"handshake message too short for a static key"};
      sim::Result<sim::Bytes> key = decrypt_and_hash(sim::Bytes(
          message.begin() + static_cast<std::ptrdiff_t>(at), message.begin() + static_cast<std::ptrdiff_t>(at + size)));
      if (!key) return sim::Error{"the static key does not decrypt: " + key.error().message};
      at += size;
      Key32 rs{};
      std::memcpy(rs.data(), key->data(), 32);
      rs_ = rs;
      continue;
    }
    if (sim::Status mixed = mix_dh(token); !mixed) return mixed.error();
  }
  sim::Result<sim::Bytes> payload =
      decrypt_and_hash(sim::Bytes(message.begin() + static_cast<std::ptrdiff_t>(at), message.end()));
  if (!payload) return sim::Error{"the handshake payload does not decrypt: " + payload.error().message};
  ++message_index_;
  return payload;
}

std::pair<CipherState, CipherState> HandshakeState::split() const {
  SIM_ASSERT(is_complete());
  const auto [k1, k2] = noise_hkdf2(ck_, nullptr, 0);
  CipherState c1;
  CipherState c2;
  c1.initialize_key(k1);
  c2.initialize_key(k2);
  return {c1, c2};
}

}  // namespace dmsg
