// Ed25519 identities over libsodium, seeded from the simulation.
#include "dmsg/identity.h"

#include "sim/assert.h"
#include "sim/fmt.h"

#include <sodium.h>

namespace dmsg {
namespace {

// The 64-byte libsodium secret key of a seed (seed || public key).
std::array<uint8_t, 64> secret_of(const Key32& seed) {
  std::array<uint8_t, 64> secret{};
  PublicKey unused{};
  crypto_sign_seed_keypair(unused.data(), secret.data(), seed.data());
  return secret;
}

}  // namespace

std::string short_key(const PublicKey& pk) {
  return fmt::format("{:02x}{:02x}{:02x}{:02x}", pk[0], pk[1], pk[2], pk[3]);
}

Identity Identity::from_seed(const Key32& seed) {
  Identity identity;
  identity.seed_ = seed;
  std::array<uint8_t, 64> secret{};
  crypto_sign_seed_keypair(identity.public_key_.data(), secret.data(), seed.data());
  sodium_memzero(secret.data(), secret.size());
  return identity;
}

Identity Identity::generate(sim::Rng& rng) { return from_seed(random_key(rng)); }

const std::array<uint8_t, 64>& Identity::secret() const {
  if (!secret_cache_) secret_cache_ = secret_of(seed_);
  return *secret_cache_;
}

Signature Identity::sign(const uint8_t* data, size_t size) const {
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, data, size, secret().data());
  return signature;
}

DhKeyPair Identity::dh_key_pair() const {
  if (!dh_cache_) {
    Key32 dh_private{};
    crypto_sign_ed25519_sk_to_curve25519(dh_private.data(), secret().data());
    dh_cache_ = DhKeyPair::from_private(dh_private);
  }
  return *dh_cache_;
}

bool verify_signature(const PublicKey& signer, const uint8_t* data, size_t size, const Signature& signature) {
  return crypto_sign_verify_detached(signature.data(), data, size, signer.data()) == 0;
}

std::optional<Key32> DhKeyCache::of(const PublicKey& peer) const {
  auto it = keys_.find(peer);
  if (it != keys_.end()) return it->second;
  if (keys_.size() >= kLimit) keys_.clear();
  return keys_[peer] = dh_public_of(peer);
}

std::optional<Key32> dh_public_of(const PublicKey& peer) {
  Key32 out{};
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), peer.data()) != 0) return std::nullopt;
  return out;
}

Key32 random_key(sim::Rng& rng) {
  Key32 key{};
  for (size_t word = 0; word < 4; ++word) {
    const uint64_t value = rng.next_u64();
    for (size_t i = 0; i < 8; ++i) key[word * 8 + i] = static_cast<uint8_t>(value >> (8 * i));
  }
  return key;
}

}  // namespace dmsg
