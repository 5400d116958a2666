// The stream's KK handshake and its record stream.
#include "dmsg/stream_crypto.h"

#include "sim/assert.h"

#include <vector>

namespace dmsg {

std::optional<StreamHandshake> StreamHandshake::initiator(const Identity& self, const PublicKey& peer) {
  const std::optional<Key32> peer_static = dh_public_of(peer);
  if (!peer_static) return std::nullopt;
  StreamHandshake h;
  h.initiator_ = true;
  h.state_ = HandshakeState::initiator(Pattern::kKK, {}, self.dh_key_pair(), *peer_static);
  return h;
}

std::optional<StreamHandshake> StreamHandshake::responder(const Identity& self, const PublicKey& peer) {
  const std::optional<Key32> peer_static = dh_public_of(peer);
  if (!peer_static) return std::nullopt;
  StreamHandshake h;
  h.state_ = HandshakeState::responder(Pattern::kKK, {}, self.dh_key_pair(), *peer_static);
  return h;
}

sim::Result<sim::Bytes> StreamHandshake::first_message(sim::Rng& rng) {
  SIM_ASSERT(initiator_);
  return state_.write_message({}, random_key(rng));
}

sim::Result<sim::Bytes> StreamHandshake::answer(const sim::Bytes& first, sim::Rng& rng) {
  SIM_ASSERT(!initiator_);
  sim::Result<sim::Bytes> payload = state_.read_message(first);
  if (!payload) return payload.error();
  return state_.write_message({}, random_key(rng));
}

sim::Status StreamHandshake::finish(const sim::Bytes& second) {
  SIM_ASSERT(initiator_);
  sim::Result<sim::Bytes> payload = state_.read_message(second);
  if (!payload) return payload.error();
  return sim::Ok{};
}

std::pair<CipherState, CipherState> StreamHandshake::ciphers() const {
  const auto [initiator_to_responder, responder_to_initiator] = state_.split();
  if (initiator_) return {initiator_to_responder, responder_to_initiator};
  return {responder_to_initiator, initiator_to_responder};
}

void RecordStream::seal(const uint8_t* data, size_t size, sim::ByteQueue& out) {
  uint8_t record[kRecordMaxBytes];
  for (size_t done = 0; done < size;) {
    const size_t chunk = std::min(size - done, kRecordMaxPlaintext);
    const size_t sealed = sealer_.seal(data + done, chunk, record);
    out.append(record, sealed);
    done += chunk;
  }
}

std::optional<RecordError> RecordStream::receive(const uint8_t* data, size_t size, sim::ByteQueue& plaintext) {
  if (failed_) return failed_;
  pending_.append(data, size);
  uint8_t record[kRecordMaxBytes];
  uint8_t opened[kRecordMaxPlaintext];
  while (pending_.size() >= kRecordPrefixBytes) {
    uint8_t prefix[kRecordPrefixBytes];
    pending_.copy_out(0, prefix, sizeof prefix);
    const size_t total = RecordOpener::record_size(prefix, sizeof prefix);
    if (total > kRecordMaxBytes) {
      failed_ = RecordError::kTooLong;
      return failed_;
    }
    if (pending_.size() < total) return std::nullopt;
    pending_.copy_out(0, record, total);
    pending_.consume(total);
    const RecordOpener::Opened result = opener_.open(record, total, opened);
    if (result.error) {
      failed_ = result.error;
      return failed_;
    }
    plaintext.append(opened, result.size);
  }
  return std::nullopt;
}

}  // namespace dmsg
