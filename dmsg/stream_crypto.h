// End-to-end encryption of one stream: Noise KK, then records over the relayed bytes.
#pragma once

#include "dmsg/identity.h"
#include "dmsg/noise.h"
#include "dmsg/record.h"
#include "sim/byte_queue.h"
#include "sim/result.h"
#include "sim/rng.h"

#include <optional>

namespace dmsg {

// The KK handshake of a dial: both ends know each other's key (from the addresses). The
// initiator's message 1 rides in the StreamRequest, the responder's message 2 in the
// StreamResponse; servers in between only relay them.
class StreamHandshake {
 public:
  StreamHandshake() = default;
  // nullopt when the peer's key is not a valid Ed25519 point.
  static std::optional<StreamHandshake> initiator(const Identity& self, const PublicKey& peer);
  static std::optional<StreamHandshake> responder(const Identity& self, const PublicKey& peer);

  // Initiator: message 1. Responder: reads message 1, then writes message 2.
  sim::Result<sim::Bytes> first_message(sim::Rng& rng);
  sim::Result<sim::Bytes> answer(const sim::Bytes& first, sim::Rng& rng);
  // Initiator: reads message 2.
  sim::Status finish(const sim::Bytes& second);

  bool is_complete() const { return state_.is_complete(); }
  // Whether it was made as an initiator (a default one, of a raw dial, was not).
  bool is_started() const { return initiator_; }
  // (send, receive) ciphers of this end.
  std::pair<CipherState, CipherState> ciphers() const;

  template <class Visitor>
  void visit(Visitor& v) {
    v("initiator", initiator_);
    v("state", state_);
  }

 private:
  bool initiator_ = false;
  HandshakeState state_;
};

// Records over a byte stream: plaintext in, records out; record bytes in (split anywhere),
// plaintext out. A record that fails (tampered, replayed, oversized) fails the stream.
class RecordStream {
 public:
  RecordStream() = default;
  RecordStream(const CipherState& send, const CipherState& receive) : sealer_(send), opener_(receive) {}

  // Seals `size` bytes into as many records as needed and appends them to `out`.
  void seal(const uint8_t* data, size_t size, sim::ByteQueue& out);
  // Takes received bytes; opened plaintext is appended to `plaintext`. Returns the error
  // that failed the stream, if one did.
  std::optional<RecordError> receive(const uint8_t* data, size_t size, sim::ByteQueue& plaintext);
  bool has_failed() const { return failed_.has_value(); }

  template <class Visitor>
  void visit(Visitor& v) {
    v("sealer", sealer_);
    v("opener", opener_);
    v("pending", pending_);
    v("failed", failed_);
  }

 private:
  // Moves bytes into pending_ until it holds its record's prefix and then the whole record
  // (or `data` runs out); returns how many it took.
  size_t gather(const uint8_t* data, size_t size);
  // The size of the record pending_ begins with; pending_ holds at least its prefix.
  size_t pending_record_size() const;

  RecordSealer sealer_;
  RecordOpener opener_;
  sim::ByteQueue pending_;  // part of a record
  std::optional<RecordError> failed_;
};

}  // namespace dmsg
