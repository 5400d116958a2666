// Identities: Ed25519 key pairs from seeds, signatures, and the X25519 keys derived from them.
#pragma once

#include "dmsg/noise.h"
#include "sim/rng.h"

#include <array>
#include <map>
#include <optional>
#include <string>

namespace dmsg {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

// The first four bytes of a key in hex, as log lines name a peer ("e14bcf13").
std::string short_key(const PublicKey& pk);

// An entity's identity. Its Ed25519 public key is its dmsg address; its X25519 static key
// for Noise is derived from the same secret.
class Identity {
 public:
  Identity() = default;
  static Identity from_seed(const Key32& seed);
  // A seed of 32 bytes drawn from `rng` (never the OS).
  static Identity generate(sim::Rng& rng);

  const PublicKey& public_key() const { return public_key_; }
  Signature sign(const uint8_t* data, size_t size) const;
  // The X25519 pair derived from the Ed25519 secret (crypto_sign_ed25519_sk_to_curve25519).
  DhKeyPair dh_key_pair() const;

  template <class Visitor>
  void visit(Visitor& v) {
    v("seed", seed_);
    v("public_key", public_key_);
  }

 private:
  const std::array<uint8_t, 64>& secret() const;

  Key32 seed_{};
  PublicKey public_key_{};
  // Derived from the seed on first use: a cache outside the state (not in visit()), so a
  // restored identity simply derives it again.
  mutable std::optional<std::array<uint8_t, 64>> secret_cache_;
  mutable std::optional<DhKeyPair> dh_cache_;
};

bool verify_signature(const PublicKey& signer, const uint8_t* data, size_t size, const Signature& signature);

// The X25519 public key of a peer's Ed25519 key: the conversion is slow, so callers derive
// it once per peer and keep it. nullopt for a key that is not a valid Ed25519 point.
std::optional<Key32> dh_public_of(const PublicKey& peer);

// Conversions already made by one entity: a cache outside its state (a pure function of
// the key), bounded so a flood of keys cannot grow it without end.
class DhKeyCache {
 public:
  std::optional<Key32> of(const PublicKey& peer) const;

 private:
  static constexpr size_t kLimit = 4096;
  mutable std::map<PublicKey, std::optional<Key32>> keys_;
};

// 32 bytes from the simulation's RNG, for ephemeral keys and seeds.
Key32 random_key(sim::Rng& rng);

}  // namespace dmsg
