// Sealing and opening records with explicit, strictly increasing nonces.
#include "dmsg/record.h"

#include "sim/assert.h"
#include "sim/enum_names.h"

namespace dmsg {
namespace {

constexpr std::array<sim::EnumName<RecordError>, 4> kRecordErrorNames = {{
    {RecordError::kTooShort, "record too short"},
    {RecordError::kTooLong, "record too long"},
    {RecordError::kReplayed, "replayed record nonce"},
    {RecordError::kUnauthentic, "record does not authenticate"},
}};

}  // namespace

std::string_view enum_name(RecordError error) { return sim::name_in(kRecordErrorNames, error); }

size_t RecordSealer::seal(const uint8_t* plaintext, size_t size, uint8_t* out) {
  SIM_ASSERT_LE(size, kRecordMaxPlaintext);
  SIM_ASSERT_MSG(last_nonce_ != UINT64_MAX, "record nonces exhausted");
  const uint64_t nonce = ++last_nonce_;
  const size_t length = kRecordNonceBytes + size + CipherState::kTagBytes;
  out[0] = static_cast<uint8_t>(length >> 8);
  out[1] = static_cast<uint8_t>(length);
  for (size_t i = 0; i < 8; ++i) out[kRecordPrefixBytes + i] = static_cast<uint8_t>(nonce >> (8 * (7 - i)));
  cipher_.seal_at(nonce, plaintext, size, out + kRecordPrefixBytes + kRecordNonceBytes);
  return kRecordPrefixBytes + length;
}

size_t RecordOpener::record_size(const uint8_t* data, size_t size) {
  if (size < kRecordPrefixBytes) return 0;
  return kRecordPrefixBytes + ((size_t{data[0]} << 8) | data[1]);
}

RecordOpener::Opened RecordOpener::open(const uint8_t* record, size_t size, uint8_t* out) {
  SIM_ASSERT_EQ(size, record_size(record, size));
  const size_t length = size - kRecordPrefixBytes;
  if (length < kRecordNonceBytes + CipherState::kTagBytes) return {RecordError::kTooShort, 0};
  if (size > kRecordMaxBytes) return {RecordError::kTooLong, 0};
  uint64_t nonce = 0;
  for (size_t i = 0; i < 8; ++i) nonce = (nonce << 8) | record[kRecordPrefixBytes + i];
  if (nonce <= last_nonce_) return {RecordError::kReplayed, 0};
  const size_t sealed = length - kRecordNonceBytes;
  if (!cipher_.open_at(nonce, record + kRecordPrefixBytes + kRecordNonceBytes, sealed, out)) {
    return {RecordError::kUnauthentic, 0};
  }
  last_nonce_ = nonce;
  return {std::nullopt, sealed - CipherState::kTagBytes};
}

}  // namespace dmsg
