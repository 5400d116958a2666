// The session handshake: Noise XK over a fresh connection, before the multiplexer.
#pragma once

#include "dmsg/identity.h"
#include "dmsg/noise.h"
#include "sim/byte_queue.h"
#include "sim/rng.h"
#include "sim/time.h"

#include <optional>
#include <string>
#include <utility>

namespace dmsg {

// Noise_XK_25519_ChaChaPoly_SHA256, empty prologue and payloads, each message framed
// [u16 BE length][message], the whole handshake bounded by kTimeout. The client (the
// initiator) knows the server's key from discovery; the server learns the client's X25519
// static key, which a StreamRequest's src pk must convert to. Bytes that arrive after the
// last message are kept for the multiplexer (dmsgsim; upstream drops such a session, 203).
class SessionHandshake {
 public:
  static constexpr sim::Duration kTimeout = sim::Duration::seconds(5);

  SessionHandshake() = default;
  // Fails when the server's public key is not a valid Ed25519 point.
  static std::optional<SessionHandshake> client(const Identity& self, const PublicKey& server, sim::Instant now);
  // The same with the server's X25519 key already derived (dh_public_of), for callers
  // that cache it.
  static SessionHandshake client_to_static(const Identity& self, const Key32& server_static, sim::Instant now);
  static SessionHandshake server(const Identity& self, sim::Instant now);

  // The client's first message (call once, on the client, when connected).
  void start(sim::Rng& rng);
  void on_bytes(const uint8_t* data, size_t size, sim::Rng& rng);
  // Fails the handshake once kTimeout has passed since it began.
  void on_tick(sim::Instant now);

  bool is_complete() const { return complete_; }
  bool is_initiator() const { return initiator_; }
  const std::optional<std::string>& failure() const { return failure_; }
  sim::Instant deadline() const { return started_ + kTimeout; }

  sim::Bytes take_output();
  // Bytes received after the handshake: the multiplexer's first input.
  sim::Bytes take_leftover();
  // (send, receive) ciphers of this side, once complete.
  std::pair<CipherState, CipherState> ciphers() const;
  // The peer's X25519 static key (the server learns the client's from the handshake).
  std::optional<Key32> remote_static() const { return state_.remote_static(); }

  template <class Visitor>
  void visit(Visitor& v) {
    v("initiator", initiator_);
    v("state", state_);
    v("input", input_);
    v("output", output_);
    v("complete", complete_);
    v("failure", failure_);
    v("started", started_);
  }

 private:
  void write_next(sim::Rng& rng);
  void fail(std::string reason);

  bool initiator_ = false;
  HandshakeState state_;
  sim::ByteQueue input_;
  sim::ByteQueue output_;
  bool complete_ = false;
  std::optional<std::string> failure_;
  sim::Instant started_;
};

}  // namespace dmsg
