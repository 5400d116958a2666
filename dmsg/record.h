// Encrypted records: [u16 BE length][u64 BE nonce][ciphertext || 16-byte tag].
#pragma once

#include "dmsg/noise.h"
#include "sim/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dmsg {

// A record is at most 4096 bytes including its prefix; the length counts the nonce, the
// ciphertext and the tag.
constexpr size_t kRecordPrefixBytes = 2;
constexpr size_t kRecordNonceBytes = 8;
constexpr size_t kRecordMaxBytes = 4096;
constexpr size_t kRecordMaxPlaintext =
    kRecordMaxBytes - kRecordPrefixBytes - kRecordNonceBytes - CipherState::kTagBytes;

enum class RecordError : uint8_t {
  kTooShort,     // a length below nonce + tag
  kTooLong,      // a length past 4096 bytes
  kReplayed,     // a nonce not above the last accepted one
  kUnauthentic,  // the tag does not verify
};
std::string_view enum_name(RecordError error);

// Seals records with an explicit nonce: the counter is incremented before use, so the
// first record carries n = 1.
class RecordSealer {
 public:
  RecordSealer() = default;
  explicit RecordSealer(const CipherState& cipher) : cipher_(cipher) {}

  // Writes one record of `size` (<= kRecordMaxPlaintext) bytes into `out`, which has room
  // for sealed_size(size) bytes; returns that size. Allocates nothing.
  size_t seal(const uint8_t* plaintext, size_t size, uint8_t* out);
  static constexpr size_t sealed_size(size_t plaintext) {
    return kRecordPrefixBytes + kRecordNonceBytes + plaintext + CipherState::kTagBytes;
  }
  uint64_t last_nonce() const { return last_nonce_; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("cipher", cipher_);
    v("last_nonce", last_nonce_);
  }

 private:
  CipherState cipher_;
  uint64_t last_nonce_ = 0;
};

// Opens records, requiring each nonce to be strictly above the last accepted one.
class RecordOpener {
 public:
  RecordOpener() = default;
  explicit RecordOpener(const CipherState& cipher) : cipher_(cipher) {}

  // The total size of the record at the start of `data` once its prefix is there, or 0
  // while fewer than 2 bytes are available.
  static size_t record_size(const uint8_t* data, size_t size);
  struct Opened {
    std::optional<RecordError> error;  // set: the record was refused, nothing changed
    size_t size = 0;                   // the plaintext's size otherwise
  };
  // Opens the one record in `record` (exactly record_size bytes) into `out` (room for
  // kRecordMaxPlaintext). Allocates nothing.
  Opened open(const uint8_t* record, size_t size, uint8_t* out);
  uint64_t last_nonce() const { return last_nonce_; }

  template <class Visitor>
  void visit(Visitor& v) {
    v("cipher", cipher_);
    v("last_nonce", last_nonce_);
  }

 private:
  CipherState cipher_;
  uint64_t last_nonce_ = 0;
};

}  // namespace dmsg
