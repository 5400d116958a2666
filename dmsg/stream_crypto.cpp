// The stream's KK handshake and its record stream.
#include "dmsg/stream_crypto.h"

#include "sim/assert.h"

#include <algorithm>
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

// Records that arrive whole in `data` are opened where they lie; only a record split
// across calls is gathered in pending_. pending_'s offsets advance past every byte either
// way, so the state is the same as if every byte had gone through it.
std::optional<RecordError> RecordStream::receive(const uint8_t* data, size_t size, sim::ByteQueue& plaintext) {
  if (failed_) return failed_;
  uint8_t opened[kRecordMaxPlaintext];
  size_t at = 0;
  // On a failure pending_ keeps the bytes after the record that failed, as it always has.
  const auto fail = [&](RecordError error) {
    pending_.append(data + at, size - at);
    failed_ = error;
    return failed_;
  };
  const auto open_one = [&](const uint8_t* record, size_t total) {
    const RecordOpener::Opened result = opener_.open(record, total, opened);
    if (!result.error) plaintext.append(opened, result.size);
    return result.error;
  };
  while (true) {
    if (!pending_.empty()) {
      at += gather(data + at, size - at);
      if (pending_.size() < kRecordPrefixBytes) return std::nullopt;
      const size_t total = pending_record_size();
      if (total > kRecordMaxBytes) return fail(RecordError::kTooLong);
      if (pending_.size() < total) return std::nullopt;
      uint8_t record[kRecordMaxBytes];
      pending_.copy_out(0, record, total);
      pending_.consume(total);
      if (const std::optional<RecordError> error = open_one(record, total)) return fail(*error);
      continue;
    }
    const size_t remaining = size - at;
    const size_t total = RecordOpener::record_size(data + at, remaining);
    if (total > kRecordMaxBytes) return fail(RecordError::kTooLong);
    if (total == 0 || total > remaining) {
      pending_.append(data + at, remaining);
      return std::nullopt;
    }
    pending_.skip(total);
    const uint8_t* record = data + at;
    at += total;
    if (const std::optional<RecordError> error = open_one(record, total)) return fail(*error);
  }
}

size_t RecordStream::gather(const uint8_t* data, size_t size) {
  size_t taken = std::min(size, kRecordPrefixBytes - std::min(pending_.size(), kRecordPrefixBytes));
  pending_.append(data, taken);
  if (pending_.size() < kRecordPrefixBytes) return taken;
  const size_t total = pending_record_size();
  if (total > kRecordMaxBytes || pending_.size() >= total) return taken;
  const size_t more = std::min(size - taken, total - pending_.size());
  pending_.append(data + taken, more);
  return taken + more;
}

size_t RecordStream::pending_record_size() const {
  uint8_t prefix[kRecordPrefixBytes];
  const size_t copied = pending_.copy_out(0, prefix, sizeof prefix);
  SIM_ASSERT_EQ(copied, sizeof prefix);
  return RecordOpener::record_size(prefix, sizeof prefix);
}

}  // namespace dmsg
