// Driving Noise XK over a byte stream.
#include "dmsg/session_handshake.h"

#include "sim/assert.h"
#include "sim/fmt.h"

namespace dmsg {

std::optional<SessionHandshake> SessionHandshake::client(const Identity& self, const PublicKey& server,
                                                         sim::Instant now) {
  const std::optional<Key32> server_static = dh_public_of(server);
  if (!server_static) return std::nullopt;
  return client_to_static(self, *server_static, now);
}

SessionHandshake SessionHandshake::client_to_static(const Identity& self, const Key32& server_static,
                                                    sim::Instant now) {
  SessionHandshake h;
  h.initiator_ = true;
  h.state_ = HandshakeState::initiator(Pattern::kXK, {}, self.dh_key_pair(), server_static);
  h.started_ = now;
  return h;
}

SessionHandshake SessionHandshake::server(const Identity& self, sim::Instant now) {
  SessionHandshake h;
  h.state_ = HandshakeState::responder(Pattern::kXK, {}, self.dh_key_pair(), std::nullopt);
  h.started_ = now;
  return h;
}

void SessionHandshake::start(sim::Rng& rng) {
  SIM_ASSERT(initiator_);
  SIM_ASSERT(state_.is_my_turn());
  write_next(rng);
}

void SessionHandshake::write_next(sim::Rng& rng) {
  const Key32 ephemeral = random_key(rng);
  sim::Result<sim::Bytes> message = state_.write_message({}, ephemeral);
  if (!message) {
    fail(message.error().message);
    return;
  }
  const uint8_t prefix[2] = {static_cast<uint8_t>(message->size() >> 8), static_cast<uint8_t>(message->size())};
  output_.append(prefix, 2);
  output_.append(*message);
  if (state_.is_complete()) complete_ = true;
}

void SessionHandshake::on_bytes(const uint8_t* data, size_t size, sim::Rng& rng) {
  input_.append(data, size);
  while (!complete_ && !failure_ && input_.size() >= 2) {
    const sim::Bytes prefix = input_.read(0, 2);
    const size_t length = (size_t{prefix[0]} << 8) | prefix[1];
    if (input_.size() < 2 + length) return;
    const sim::Bytes message = input_.read(2, length);
    input_.consume(2 + length);
    sim::Result<sim::Bytes> payload = state_.read_message(message);
    if (!payload) {
      fail(fmt::format("handshake message refused: {}", payload.error().message));
      return;
    }
    if (!payload->empty()) {
      fail("handshake payloads are empty in dmsg");
      return;
    }
    if (state_.is_complete()) {
      complete_ = true;
    } else {
      write_next(rng);
    }
  }
}

void SessionHandshake::on_tick(sim::Instant now) {
  if (!complete_ && !failure_ && now >= deadline()) fail(fmt::format("not complete within {}", kTimeout));
}

void SessionHandshake::fail(std::string reason) {
  if (!failure_) failure_ = std::move(reason);
}

sim::Bytes SessionHandshake::take_output() {
  sim::Bytes out = output_.read(0, output_.size());
  output_.consume(output_.size());
  return out;
}

sim::Bytes SessionHandshake::take_leftover() {
  SIM_ASSERT(complete_);
  sim::Bytes out = input_.read(0, input_.size());
  input_.consume(input_.size());
  return out;
}

std::pair<CipherState, CipherState> SessionHandshake::ciphers() const {
  SIM_ASSERT(complete_);
  const auto [initiator_to_responder, responder_to_initiator] = state_.split();
  if (initiator_) return {initiator_to_responder, responder_to_initiator};
  return {responder_to_initiator, initiator_to_responder};
}

}  // namespace dmsg
