// Noise protocol framework (revision 34) for the XK and KK patterns, 25519/ChaChaPoly/SHA256.
#pragma once

#include "sim/result.h"
#include "sim/serial.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace dmsg {

using Key32 = std::array<uint8_t, 32>;

// An X25519 key pair. Private keys come from the simulation's RNG (never the OS).
struct DhKeyPair {
  Key32 private_key{};
  Key32 public_key{};

  static DhKeyPair from_private(const Key32& private_key);

  template <class Visitor>
  void visit(Visitor& v) {
    v("private_key", private_key);
    v("public_key", public_key);
  }
};

// k and n of the Noise spec, as raw bytes: state is data. ChaCha20-Poly1305 (IETF), nonce
// = 4 zero bytes || little-endian n.
class CipherState {
 public:
  static constexpr size_t kTagBytes = 16;

  void initialize_key(const Key32& key);
  bool has_key() const { return has_key_; }
  uint64_t nonce() const { return n_; }

  // With the implicit counter of Noise transport messages (n, then n + 1).
  sim::Bytes encrypt_with_ad(const sim::Bytes& ad, const sim::Bytes& plaintext);
  sim::Result<sim::Bytes> decrypt_with_ad(const sim::Bytes& ad, const sim::Bytes& ciphertext);

  // With an explicit nonce (dmsg records): `out` receives size + kTagBytes bytes. The
  // key must be set; nothing here changes the state.
  void seal_at(uint64_t nonce, const uint8_t* plaintext, size_t size, uint8_t* out) const;
  bool open_at(uint64_t nonce, const uint8_t* ciphertext, size_t size, uint8_t* out) const;

  friend bool operator==(const CipherState&, const CipherState&) = default;

  template <class Visitor>
  void visit(Visitor& v) {
    v("key", key_);
    v("has_key", has_key_);
    v("n", n_);
  }

 private:
  Key32 key_{};
  bool has_key_ = false;
  uint64_t n_ = 0;
};

enum class Pattern : uint8_t { kXK, kKK };

// The handshake of one side. Initiator and responder each need their static key pair and,
// for these patterns, what they know of the other's static key in advance: XK's initiator
// knows the responder's; in KK both know each other's.
class HandshakeState {
 public:
  HandshakeState() = default;
  static HandshakeState initiator(Pattern pattern, const sim::Bytes& prologue, const DhKeyPair& s, const Key32& rs);
  static HandshakeState responder(Pattern pattern, const sim::Bytes& prologue, const DhKeyPair& s,
                                  std::optional<Key32> rs);

  // The next message of this side. `ephemeral` is the private key used when the message
  // has an `e` token (every first message of a side in these patterns).
  sim::Result<sim::Bytes> write_message(const sim::Bytes& payload, const Key32& ephemeral);
  // Reads the other side's next message; returns its payload.
  sim::Result<sim::Bytes> read_message(const sim::Bytes& message);

  bool is_complete() const;
  bool is_my_turn() const;
  // The transport ciphers once complete: (initiator to responder, responder to initiator).
  std::pair<CipherState, CipherState> split() const;
  const Key32& handshake_hash() const { return h_; }
  // The other side's static key (learnt from the handshake for XK's responder).
  const std::optional<Key32>& remote_static() const { return rs_; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("pattern", pattern_);
    v("initiator", initiator_);
    v("message_index", message_index_);
    v("ck", ck_);
    v("h", h_);
    v("cipher", cipher_);
    v("s", s_);
    v("e", e_);
    v("rs", rs_);
    v("re", re_);
  }

 private:
  void mix_hash(const uint8_t* data, size_t size);
  void mix_key(const Key32& input);
  sim::Bytes encrypt_and_hash(const sim::Bytes& plaintext);
  sim::Result<sim::Bytes> decrypt_and_hash(const sim::Bytes& ciphertext);
  void initialize(Pattern pattern, bool initiator, const sim::Bytes& prologue);
  sim::Status mix_dh(std::string_view token);

  Pattern pattern_ = Pattern::kXK;
  bool initiator_ = false;
  uint8_t message_index_ = 0;
  Key32 ck_{};
  Key32 h_{};
  CipherState cipher_;
  DhKeyPair s_;
  std::optional<DhKeyPair> e_;
  std::optional<Key32> rs_;
  std::optional<Key32> re_;
};

// HKDF with HMAC-SHA256 exactly as the Noise specification defines it (section 4.3):
// two outputs from a chaining key and input key material.
std::pair<Key32, Key32> noise_hkdf2(const Key32& chaining_key, const uint8_t* ikm, size_t ikm_size);

}  // namespace dmsg
